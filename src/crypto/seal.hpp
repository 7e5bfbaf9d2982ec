// cookieseal - the v1 seal and open steps on raw bytes (docs/FORMAT.md), under the Sealer
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/key.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// raw = [37 bytes of room | plaintext]. Writes the header (version, key id, expires_at,
/// nonce) in front and encrypts the plaintext in place, appending the 16-byte tag:
/// raw = [version | key id | expires_at | nonce | ciphertext | tag].
void seal_in_place(const Key& key, std::string_view cookie_name, std::uint64_t expires_at,
                   const std::uint8_t* nonce, std::string& raw);

/// Decrypts raw (a whole v1 cookie after base64url) in place with `key`; false when the tag
/// does not verify for this header and cookie name. On success the plaintext is at
/// raw[37 .. raw.size() - 16).
[[nodiscard]] bool open_in_place(const Key& key, std::string_view cookie_name, std::string& raw);

/// Big-endian expires_at from a header.
[[nodiscard]] std::uint64_t read_expires(const std::uint8_t* raw) noexcept;

}  // namespace cookieseal::detail
