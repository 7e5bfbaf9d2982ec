// Tests for src/crypto/nonce.hpp: nonces never repeat across threads, fork() however it is
// made (libc, a raw system call, with or without MADV_WIPEONFORK), or a copy of the whole
// process memory that nothing is told about (what a VM snapshot or a CRIU restore gives)
#include "crypto/nonce.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/format.hpp>

#include "encoding/base64url.hpp"
#include "test_support.hpp"

#include <cereal/types/string.hpp>  // sealing std::string messages
#include <doctest/doctest.h>
#include <linux/filter.h>   // sock_filter, BPF_STMT, BPF_JUMP
#include <linux/seccomp.h>  // SECCOMP_MODE_FILTER, SECCOMP_RET_*, seccomp_data
#include <sodium.h>         // sodium_init
#include <sys/mman.h>       // mmap, madvise
#include <sys/prctl.h>      // prctl(PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP)
#include <sys/syscall.h>    // SYS_fork, SYS_clone, __NR_madvise
#include <sys/wait.h>       // waitpid
#include <unistd.h>         // fork, pipe, syscall, _exit

#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

namespace {

using Nonce = std::array<std::uint8_t, cookieseal::format::nonce_bytes>;
using Nonces = std::vector<Nonce>;

Nonce draw() {
  Nonce n;
  cookieseal::detail::fill_nonce(n.data());
  return n;
}

Nonces draws(std::size_t n) {
  Nonces out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(draw());
  return out;
}

// The nonce inside a sealed cookie (raw bytes 13..36).
Nonce nonce_of(const std::string& cookie) {
  std::vector<std::uint8_t> raw(cookieseal::detail::base64url_decoded_length(cookie.size()));
  Nonce n{};
  if (!cookieseal::detail::base64url_decode(cookie, raw.data())) return n;
  std::copy_n(raw.begin() + cookieseal::format::nonce_offset, n.size(), n.begin());
  return n;
}

const cookieseal::Codec& codec() {
  static const cookieseal::Codec c(test_support::ring({test_support::key_a_text}));
  return c;
}

// The nonces of n cookies sealing messages no other process seals ("<pid>-<i>").
Nonces sealed(std::size_t n) {
  Nonces out;
  const std::string me = std::to_string(::getpid()) + "-";
  for (std::size_t i = 0; i < n; ++i) out.push_back(nonce_of(*codec().encode("s", me + std::to_string(i))));
  return out;
}

bool write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool read_all(int fd, void* data, std::size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

pid_t libc_fork() { return ::fork(); }

// fork without libc: no pthread_atfork handler runs, nothing in user space is told.
pid_t raw_fork() {
#ifdef SYS_fork
  return static_cast<pid_t>(::syscall(SYS_fork));
#else
  return static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
#endif
}

// Runs `make` (which returns n nonces) in a child made by `copy`; the child pipes them back.
// nullopt when the child fails or returns another count. Only the pipe and _exit in the child.
template <class Make>
std::optional<Nonces> in_child(pid_t (*copy)(), std::size_t n, Make make) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  const pid_t pid = copy();
  if (pid == 0) {
    ::close(fds[0]);
    const Nonces mine = make();
    const bool ok = mine.size() == n && write_all(fds[1], mine.data(), n * sizeof(Nonce));
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  Nonces got(n);
  const bool read = pid > 0 && read_all(fds[0], got.data(), n * sizeof(Nonce));
  ::close(fds[0]);
  int status = 0;
  const bool exited =
      pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!read || !exited) return std::nullopt;
  return got;
}

// Uses the generator (5 nonces, so any state is seeded and part-way through), copies the
// process with `copy`, runs `make` (n nonces) in both copies; every nonce of both, or {}.
template <class Make>
Nonces in_both_copies(pid_t (*copy)(), std::size_t n, Make make) {
  Nonces all = draws(5);
  const std::optional<Nonces> child = in_child(copy, n, make);
  if (!child) return {};
  const Nonces parent = make();
  all.insert(all.end(), parent.begin(), parent.end());
  all.insert(all.end(), child->begin(), child->end());
  return all;
}

std::size_t repeats(const Nonces& v) { return v.size() - std::set<Nonce>(v.begin(), v.end()).size(); }

// From now on madvise(MADV_WIPEONFORK) fails with EINVAL in this process, as on a kernel
// before 4.14 (a seccomp filter; unprivileged with no_new_privs). True once checked.
bool refuse_wipe_on_fork() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[2])),  // low word (little-endian)
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MADV_WIPEONFORK, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  const sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return false;
  void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return false;
  const bool refused = ::madvise(page, 4096, MADV_WIPEONFORK) != 0 && errno == EINVAL;
  ::munmap(page, 4096);
  return refused;
}

// In a child process of its own (the filter stays there): MADV_WIPEONFORK refused, then a
// new thread (a new thread's state, if any, is set up under the refusal) runs in_both_copies
// with a raw fork: every byte of the process copied and nothing told. n nonces per copy.
template <class Make>
std::optional<Nonces> raw_fork_without_wipe_on_fork(std::size_t n, Make make) {
  return in_child(libc_fork, 5 + 2 * n, [n, make] {
    Nonces all;
    if (!refuse_wipe_on_fork()) return all;
    std::thread([&] { all = in_both_copies(raw_fork, n, make); }).join();
    return all;
  });
}

}  // namespace

TEST_CASE("nonces come from libsodium's OS generator, with no stream in user space") {
  REQUIRE(sodium_init() >= 0);
  CHECK(std::string_view(cookieseal::detail::nonce_source()) == "sysrandom");
}

TEST_CASE("nonces drawn in a parent and its libc-forked child never repeat") {
  REQUIRE(sodium_init() >= 0);
  const Nonces all = in_both_copies(libc_fork, 20500, [] {
    Nonces v = draws(20000);
    const Nonces s = sealed(500);
    v.insert(v.end(), s.begin(), s.end());
    return v;
  });
  REQUIRE(all.size() == 5 + 2 * 20500);
  CHECK(repeats(all) == 0);
}

TEST_CASE("a child made by a raw fork system call repeats none of its parent's nonces") {
  REQUIRE(sodium_init() >= 0);
  const Nonces all = in_both_copies(raw_fork, 64, [] { return draws(64); });
  REQUIRE(all.size() == 5 + 2 * 64);
  CHECK(repeats(all) == 0);
}

TEST_CASE("a raw fork repeats no nonce where MADV_WIPEONFORK is unavailable") {
  REQUIRE(sodium_init() >= 0);
  const std::optional<Nonces> all = raw_fork_without_wipe_on_fork(64, [] { return draws(64); });
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 5 + 2 * 64);
  MESSAGE("repeated nonces in 64 drawn by each copy: " << repeats(*all));
  CHECK(repeats(*all) == 0);
}

TEST_CASE(
    "two running copies of one process memory (a restored snapshot) seal distinct messages under distinct "
    "nonces") {
  // A VM snapshot restored twice, or a CRIU checkpoint restored while the original runs, is a
  // copy of every byte of user memory, MADV_WIPEONFORK pages included, that no handler hears
  // of: a raw fork with wipe-on-fork refused is exactly that copy.
  REQUIRE(sodium_init() >= 0);
  constexpr std::size_t per_copy = 10000;
  const std::optional<Nonces> all = raw_fork_without_wipe_on_fork(per_copy, [] { return sealed(per_copy); });
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 5 + 2 * per_copy);
  MESSAGE("repeated nonces in " << per_copy << " cookies sealed by each copy: " << repeats(*all));
  CHECK(repeats(*all) == 0);
}

TEST_CASE("a child of a child gets its own nonces too") {
  REQUIRE(sodium_init() >= 0);
  const Nonce before = draw();
  const std::optional<Nonces> family = in_child(libc_fork, 3, [] {
    const Nonce child = draw();
    const std::optional<Nonces> grandchild = in_child(raw_fork, 1, [] { return Nonces{draw()}; });
    if (!grandchild) return Nonces{};
    return Nonces{child, grandchild->front(), draw()};
  });
  REQUIRE(family.has_value());
  Nonces all{before, draw()};
  all.insert(all.end(), family->begin(), family->end());
  CHECK(all.size() == 5);
  CHECK(repeats(all) == 0);
}

TEST_CASE("threads drawing nonces at once never repeat one") {
  REQUIRE(sodium_init() >= 0);
  constexpr int threads = 4;
  constexpr int per_thread = 25000;
  std::vector<Nonces> drawn(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&drawn, t] { drawn[static_cast<std::size_t>(t)] = draws(per_thread); });
  }
  for (auto& th : pool) th.join();
  Nonces all;
  for (const auto& v : drawn) all.insert(all.end(), v.begin(), v.end());
  all.push_back(draw());
  CHECK(all.size() == threads * per_thread + 1);
  CHECK(repeats(all) == 0);
}

TEST_CASE("nonces look random: no zero nonce, bytes spread over all values") {
  REQUIRE(sodium_init() >= 0);
  std::array<int, 256> counts{};
  for (int i = 0; i < 2000; ++i) {
    const Nonce n = draw();
    CHECK(n != Nonce{});
    for (std::uint8_t b : n) ++counts[b];
  }
  // 48000 bytes, 187.5 expected per value; a stuck or short generator would be far off.
  for (int c : counts) CHECK((c > 100 && c < 300));
}
