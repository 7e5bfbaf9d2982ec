// cookieseal - nonce generation (see nonce.hpp; the argument is in docs/PERFORMANCE.md §Nonces)
#include "crypto/nonce.hpp"

#include "crypto/sodium.hpp"

#include <pthread.h>   // pthread_atfork
#include <sys/mman.h>  // mmap, madvise(MADV_WIPEONFORK, MADV_DONTDUMP)
#include <unistd.h>    // sysconf(_SC_PAGESIZE)

#include <atomic>
#include <cstring>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18  // Linux >= 4.14; older kernels answer EINVAL
#endif

namespace cookieseal::detail {
namespace {

constexpr std::size_t batch = 32;  // nonces per ChaCha20 call
constexpr std::size_t stream_key_bytes = crypto_stream_chacha20_ietf_KEYBYTES;

// One thread's generator, alone in its page. A page that MADV_WIPEONFORK zeroed in a child
// has seeded == 0, which forces a reseed from the OS before the first nonce.
struct State {
  std::uint64_t seeded;      // 1 once keyed; 0 in a fresh or wiped page
  std::uint64_t generation;  // fork_generation when keyed
  std::size_t next;          // next unused nonce in out[stream_key_bytes..]
  std::uint8_t key[stream_key_bytes];
  std::uint8_t out[stream_key_bytes + batch * format::nonce_bytes];  // next key, then nonces
};
static_assert(sizeof(State) <= 4096);

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
std::atomic<std::uint64_t> fork_generation{0};  // +1 in each child of fork(), by pthread_atfork
std::atomic<bool> wipe_on_fork_allowed{true};

void on_fork_child() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }

class ThreadState {
 public:
  ThreadState() = default;
  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;
  ~ThreadState() {
    if (state_ != nullptr) {
      sodium_memzero(state_, bytes_);
      munmap(state_, bytes_);
    }
  }

  // nullptr when the stream cannot be made fork-safe here: the caller uses the OS instead.
  State* get() noexcept {
    if (state_ == nullptr && source_ != NonceSource::os_random) set_up();
    return state_;
  }
  NonceSource source() noexcept {
    get();
    return source_;
  }

 private:
  void set_up() noexcept {
    static const bool atfork = pthread_atfork(nullptr, nullptr, on_fork_child) == 0;
    source_ = NonceSource::os_random;
    const long page = sysconf(_SC_PAGESIZE);
    bytes_ =
        page > 0 && static_cast<std::size_t>(page) >= sizeof(State) ? static_cast<std::size_t>(page) : 4096;
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    (void)madvise(p, bytes_, MADV_DONTDUMP);  // keys out of core dumps; best effort
    const bool wiped =
        wipe_on_fork_allowed.load(std::memory_order_relaxed) && madvise(p, bytes_, MADV_WIPEONFORK) == 0;
    if (!wiped && !atfork) {  // nothing would notice a fork: do not use a stream at all
      munmap(p, bytes_);
      return;
    }
    state_ = static_cast<State*>(p);  // zero-filled by mmap: seeded == 0
    source_ = wiped ? NonceSource::wipe_on_fork_page : NonceSource::fork_generation;
  }

  State* state_ = nullptr;
  std::size_t bytes_ = 0;
  NonceSource source_ = NonceSource::wipe_on_fork_page;  // until set_up() says otherwise
};

thread_local ThreadState thread_state;

void seed(State& s, std::uint64_t generation) noexcept {
  randombytes_buf(s.key, sizeof s.key);
  s.next = batch;  // refill before the first nonce
  s.generation = generation;
  s.seeded = 1;
}

// Fast key erasure: one keystream; its first 32 bytes replace the key, the rest are nonces.
void refill(State& s) noexcept {
  static const std::uint8_t zero_iv[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
  crypto_stream_chacha20_ietf(s.out, sizeof s.out, zero_iv, s.key);
  std::memcpy(s.key, s.out, stream_key_bytes);
  sodium_memzero(s.out, stream_key_bytes);
  s.next = 0;
}

}  // namespace

void fill_nonce(std::uint8_t* out) noexcept {
  State* s = thread_state.get();
  if (s == nullptr) {
    randombytes_buf(out, format::nonce_bytes);
    return;
  }
  const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (s->seeded != 1 || s->generation != generation) seed(*s, generation);  // new thread or forked
  if (s->next == batch) refill(*s);
  std::memcpy(out, s->out + stream_key_bytes + s->next * format::nonce_bytes, format::nonce_bytes);
  ++s->next;
}

NonceSource nonce_source() noexcept { return thread_state.source(); }

void allow_wipe_on_fork_for_testing(bool allowed) noexcept {
  wipe_on_fork_allowed.store(allowed, std::memory_order_relaxed);
}

}  // namespace cookieseal::detail
