// cookieseal - the sizes of wire format v1 (docs/FORMAT.md), in one place
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cstddef>
#include <cstdint>

namespace cookieseal::format {

inline constexpr std::uint8_t version = 0x01;    ///< byte 0 of every v1 cookie
inline constexpr std::size_t key_bytes = 32;     ///< crypto_aead_xchacha20poly1305_ietf_KEYBYTES
inline constexpr std::size_t key_id_bytes = 4;   ///< first 4 bytes of BLAKE2b-256(key, "cookieseal-key-id")
inline constexpr std::size_t expires_bytes = 8;  ///< big-endian seconds since the Unix epoch
inline constexpr std::size_t nonce_bytes = 24;   ///< crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
inline constexpr std::size_t tag_bytes = 16;     ///< crypto_aead_xchacha20poly1305_ietf_ABYTES
inline constexpr std::size_t header_bytes = 1 + key_id_bytes + expires_bytes + nonce_bytes;  // 37
inline constexpr std::size_t min_raw_bytes = header_bytes + tag_bytes;                       // 53

inline constexpr std::size_t key_id_offset = 1;
inline constexpr std::size_t expires_offset = key_id_offset + key_id_bytes;  // 5
inline constexpr std::size_t nonce_offset = expires_offset + expires_bytes;  // 13

/// Length of the unpadded base64url text of n raw bytes.
constexpr std::size_t base64url_length(std::size_t n) { return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1); }

/// Cookie value length for a plaintext of n bytes.
constexpr std::size_t cookie_length(std::size_t plaintext_bytes) {
  return base64url_length(min_raw_bytes + plaintext_bytes);
}

/// Bytes of the smallest Session plaintext (docs/SESSION.md, layout 3, no user, no entries):
/// endianness flag, layout, id, created_at, issued_at, ttl, user length, count. Config checks
/// that a cookie of this size fits the Set-Cookie limit.
inline constexpr std::size_t empty_session_plaintext_bytes = 1 + 1 + 16 + 8 + 8 + 4 + 8 + 8;  // 54

static_assert(header_bytes == 37 && min_raw_bytes == 53);

}  // namespace cookieseal::format
