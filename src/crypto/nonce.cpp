// cookieseal - nonce generation (see nonce.hpp; the argument is in docs/SECURITY.md §Nonces)
#include "crypto/nonce.hpp"

#include "crypto/sodium.hpp"  // randombytes_buf

namespace cookieseal::detail {

// No user-space stream: any state here would be copied by a snapshot or a raw fork and
// replayed. One system call per seal is the price (docs/PERFORMANCE.md §Nonces).
void fill_nonce(std::uint8_t* out) noexcept { randombytes_buf(out, format::nonce_bytes); }

const char* nonce_source() noexcept { return randombytes_implementation_name(); }

}  // namespace cookieseal::detail
