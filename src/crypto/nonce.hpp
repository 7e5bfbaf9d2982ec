// cookieseal - nonces for sealing: unique per seal, across threads and fork()
#pragma once

#include <cookieseal/format.hpp>

#include <cstdint>

namespace cookieseal::detail {

/// Fills format::nonce_bytes bytes with a fresh nonce (docs/PERFORMANCE.md §Nonces).
///
/// Each thread draws from its own ChaCha20 stream (libsodium's crypto_stream_chacha20_ietf,
/// fast key erasure: every batch of 32 nonces also replaces the key), keyed from
/// randombytes_buf. The state lives in a page of its own marked MADV_WIPEONFORK, so a child
/// of fork() finds it zeroed and reseeds from the OS; a pthread_atfork generation counter does
/// the same where the kernel lacks that flag. Where neither can be set up, every nonce comes
/// from randombytes_buf. Call after sodium_init() (Codec's constructor does it). Not
/// async-signal-safe: do not seal from a signal handler.
void fill_nonce(std::uint8_t* out) noexcept;

/// Where the calling thread's nonces come from (for the tests and the benchmark report).
enum class NonceSource {
  wipe_on_fork_page,  ///< per-thread stream in a MADV_WIPEONFORK page (+ the atfork counter)
  fork_generation,    ///< per-thread stream; fork detected by the pthread_atfork counter only
  os_random,          ///< randombytes_buf for every nonce
};
[[nodiscard]] NonceSource nonce_source() noexcept;

/// Tests only: threads that draw their first nonce after this call skip MADV_WIPEONFORK
/// (allowed = false), so the pthread_atfork fallback can be exercised on any kernel.
void allow_wipe_on_fork_for_testing(bool allowed) noexcept;

}  // namespace cookieseal::detail
