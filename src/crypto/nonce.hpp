// cookieseal - nonces for sealing: 24 fresh bytes from the OS generator for every seal
#pragma once

#include <cookieseal/format.hpp>

#include <cstdint>

namespace cookieseal::detail {

/// Fills format::nonce_bytes bytes with a fresh nonce: libsodium's randombytes_buf, whose
/// default implementation ("sysrandom") is one getrandom(2) call (or a read of /dev/urandom)
/// with no generator state in user space. So nothing a process copies of itself can repeat a
/// nonce: not threads, not fork() however it is made (libc, raw syscall, clone), not a VM
/// snapshot or a CRIU checkpoint restored twice (the kernel reseeds its generator on a VM
/// restore that the hypervisor announces, vmgenid, Linux >= 5.18). docs/SECURITY.md §Nonces
/// gives the argument and the price. Call after sodium_init() (Codec's constructor does it).
void fill_nonce(std::uint8_t* out) noexcept;

/// The name of libsodium's random implementation behind fill_nonce ("sysrandom" unless the
/// application replaced it with randombytes_set_implementation).
[[nodiscard]] const char* nonce_source() noexcept;

}  // namespace cookieseal::detail
