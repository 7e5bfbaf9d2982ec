// cookieseal - nonces for sealing: unique per seal, across threads and fork()
#pragma once

#include <cookieseal/format.hpp>

#include <cstdint>

namespace cookieseal::detail {

/// Fills format::nonce_bytes bytes with a fresh nonce (docs/SECURITY.md §Nonces).
void fill_nonce(std::uint8_t* out) noexcept;

}  // namespace cookieseal::detail
