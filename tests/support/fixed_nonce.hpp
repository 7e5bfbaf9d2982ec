// cookieseal tests - sealing with a chosen nonce, as the docs/FORMAT.md vectors were made
#pragma once

#include "bytes.hpp"  // as_bytes

#include <cookieseal/format.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/sealer.hpp>  // Sealer::seal_with_fixed_nonce_for_test_vectors

#include <limits>
#include <vector>

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
  std::vector<cookieseal::Key> keys;
  keys.push_back(key.clone());
  cookieseal::SealerOptions options;
  options.max_value_bytes = std::numeric_limits<std::size_t>::max();  // vectors of any size
  const cookieseal::Sealer sealer(cookieseal::Keyring(std::move(keys)), options);
  const std::chrono::sys_seconds expiry{std::chrono::seconds(static_cast<std::int64_t>(expires_at))};
  return sealer.seal_with_fixed_nonce_for_test_vectors(name, plaintext, expiry, nonce).value();
}

/// The same, with the plaintext as a string of bytes.
inline std::string seal_with_fixed_nonce(const cookieseal::Key& key, std::string_view name,
                                         std::uint64_t expires_at, const Nonce& nonce,
                                         std::string_view plaintext) {
  return seal_with_fixed_nonce(key, name, expires_at, nonce, as_bytes(plaintext));
}

}  // namespace test_support
