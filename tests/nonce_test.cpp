// Tests for src/crypto/nonce.hpp: nonces never repeat across fork() (parent and child) or
// across threads, with MADV_WIPEONFORK and with the pthread_atfork fallback alone
#include "crypto/nonce.hpp"

#include <cookieseal/codec.hpp>
#include <cookieseal/format.hpp>

#include "encoding/base64url.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>    // sodium_init
#include <sys/wait.h>  // waitpid
#include <unistd.h>    // fork, pipe, _exit

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using Nonce = std::array<std::uint8_t, cookieseal::format::nonce_bytes>;

Nonce draw() {
  Nonce n;
  cookieseal::detail::fill_nonce(n.data());
  return n;
}

// The nonce inside a sealed cookie (raw bytes 13..36).
Nonce nonce_of(const std::string& cookie) {
  std::vector<std::uint8_t> raw(cookieseal::detail::base64url_decoded_length(cookie.size()));
  REQUIRE(cookieseal::detail::base64url_decode(cookie, raw.data()));
  Nonce n;
  std::copy_n(raw.begin() + cookieseal::format::nonce_offset, n.size(), n.begin());
  return n;
}

// `draws` raw nonces plus `seals` cookies' nonces, in this process.
std::vector<Nonce> nonces(const cookieseal::Codec& codec, int draws, int seals) {
  std::vector<Nonce> out;
  for (int i = 0; i < draws; ++i) out.push_back(draw());
  for (int i = 0; i < seals; ++i) out.push_back(nonce_of(*codec.encode("s", i)));
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

// Forks after the generator is already seeded and part-way through a batch; the child sends
// its nonces back through a pipe; returns every nonce of both processes.
std::vector<Nonce> fork_and_collect(int draws, int seals) {
  test_support::ManualClock clock;
  cookieseal::Options o;
  o.clock = clock.fn();
  const cookieseal::Codec codec(test_support::ring({test_support::key_a_text}), o);
  std::vector<Nonce> all = nonces(codec, 5, 1);  // seeded, mid-batch: what the child inherits
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // child: no doctest macros here, only the pipe and _exit
    ::close(fds[0]);
    const std::vector<Nonce> mine = nonces(codec, draws, seals);
    const bool ok = write_all(fds[1], mine.data(), mine.size() * sizeof(Nonce));
    ::close(fds[1]);
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  const std::vector<Nonce> parent = nonces(codec, draws, seals);
  std::vector<Nonce> child(static_cast<std::size_t>(draws + seals));
  std::size_t got = 0;
  auto* p = reinterpret_cast<char*>(child.data());
  for (ssize_t r; got < child.size() * sizeof(Nonce) &&
                  (r = ::read(fds[0], p + got, child.size() * sizeof(Nonce) - got)) > 0;) {
    got += static_cast<std::size_t>(r);
  }
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == child.size() * sizeof(Nonce));
  // The child's first nonce is not the parent's next one (what a copied state would give).
  CHECK(child.front() != parent.front());
  all.insert(all.end(), parent.begin(), parent.end());
  all.insert(all.end(), child.begin(), child.end());
  return all;
}

std::size_t distinct(const std::vector<Nonce>& v) { return std::set<Nonce>(v.begin(), v.end()).size(); }

}  // namespace

TEST_CASE("nonces drawn in a parent and its forked child never repeat (MADV_WIPEONFORK)") {
  REQUIRE(sodium_init() >= 0);
  const auto source = cookieseal::detail::nonce_source();
  MESSAGE("nonce source of the main thread: " << static_cast<int>(source));
  CHECK(source != cookieseal::detail::NonceSource::os_random);
  const std::vector<Nonce> all = fork_and_collect(20000, 500);
  CHECK(distinct(all) == all.size());
}

TEST_CASE("nonces never repeat across fork() with the pthread_atfork fallback alone") {
  REQUIRE(sodium_init() >= 0);
  cookieseal::detail::allow_wipe_on_fork_for_testing(false);
  std::vector<Nonce> all;
  cookieseal::detail::NonceSource source{};
  std::thread([&] {  // a new thread gets a new state page, now without MADV_WIPEONFORK
    source = cookieseal::detail::nonce_source();
    all = fork_and_collect(20000, 500);
  })
      .join();
  cookieseal::detail::allow_wipe_on_fork_for_testing(true);
  CHECK(source == cookieseal::detail::NonceSource::fork_generation);
  CHECK(all.size() == 5 + 1 + 2 * 20500);
  CHECK(distinct(all) == all.size());
}

TEST_CASE("a child of a child gets its own nonces too") {
  REQUIRE(sodium_init() >= 0);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const Nonce before = draw();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    const Nonce child = draw();
    int inner[2];
    if (::pipe(inner) != 0) ::_exit(2);
    const pid_t grandchild = ::fork();
    if (grandchild == 0) {
      const Nonce g = draw();
      ::_exit(write_all(inner[1], g.data(), g.size()) ? 0 : 1);
    }
    Nonce g{};
    const bool ok = ::read(inner[0], g.data(), g.size()) == static_cast<ssize_t>(g.size());
    ::waitpid(grandchild, nullptr, 0);
    const Nonce after = draw();
    ::_exit(ok && write_all(fds[1], child.data(), child.size()) && write_all(fds[1], g.data(), g.size()) &&
                    write_all(fds[1], after.data(), after.size())
                ? 0
                : 1);
  }
  ::close(fds[1]);
  std::vector<Nonce> all{before, draw()};
  Nonce n;
  while (::read(fds[0], n.data(), n.size()) == static_cast<ssize_t>(n.size())) all.push_back(n);
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(all.size() == 5);
  CHECK(distinct(all) == all.size());
}

TEST_CASE("threads drawing nonces at once never repeat one") {
  REQUIRE(sodium_init() >= 0);
  constexpr int threads = 4;
  constexpr int per_thread = 25000;
  std::vector<std::vector<Nonce>> drawn(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&drawn, t] {
      for (int i = 0; i < per_thread; ++i) drawn[static_cast<std::size_t>(t)].push_back(draw());
    });
  }
  for (auto& th : pool) th.join();
  std::vector<Nonce> all;
  for (const auto& v : drawn) all.insert(all.end(), v.begin(), v.end());
  all.push_back(draw());
  CHECK(all.size() == threads * per_thread + 1);
  CHECK(distinct(all) == all.size());
}

TEST_CASE("a thread's nonces look random: no zero nonce, bytes spread over all values") {
  REQUIRE(sodium_init() >= 0);
  std::array<int, 256> counts{};
  for (int i = 0; i < 2000; ++i) {
    const Nonce n = draw();
    CHECK(n != Nonce{});
    for (std::uint8_t b : n) ++counts[b];
  }
  // 48000 bytes, 187.5 expected per value; a stuck or short stream would be far off.
  for (int c : counts) CHECK((c > 100 && c < 300));
}
