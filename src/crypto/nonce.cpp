// cookieseal - nonce generation (see nonce.hpp)
#include "crypto/nonce.hpp"

#include "crypto/sodium.hpp"

namespace cookieseal::detail {

void fill_nonce(std::uint8_t* out) noexcept { randombytes_buf(out, format::nonce_bytes); }

}  // namespace cookieseal::detail
