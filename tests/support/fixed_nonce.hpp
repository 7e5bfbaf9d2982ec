// cookieseal tests - sealing with a chosen nonce, as the docs/FORMAT.md vectors were made
#pragma once

#include "bytes.hpp"        // as_bytes
#include "crypto/seal.hpp"  // detail::seal_with_nonce

#include <cookieseal/format.hpp>
#include <cookieseal/key.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace test_support {

using Nonce = std::array<std::uint8_t, cookieseal::format::nonce_bytes>;

/// Seals `plaintext` with a caller-chosen nonce: for tests and fuzz targets only (a real
/// encoder never lets its caller choose, docs/FORMAT.md §Nonces). Every test, fuzz target and
/// vector check that needs a fixed nonce calls this, so the library call is written once.
inline std::string seal_with_fixed_nonce(const cookieseal::Key& key, std::string_view name,
                                         std::uint64_t expires_at, const Nonce& nonce,
                                         std::span<const std::uint8_t> plaintext) {
  return cookieseal::detail::seal_with_nonce(key, name, expires_at, nonce, plaintext);
}

/// The same, with the plaintext as a string of bytes.
inline std::string seal_with_fixed_nonce(const cookieseal::Key& key, std::string_view name,
                                         std::uint64_t expires_at, const Nonce& nonce,
                                         std::string_view plaintext) {
  return seal_with_fixed_nonce(key, name, expires_at, nonce, as_bytes(plaintext));
}

}  // namespace test_support
