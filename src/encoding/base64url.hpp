// cookieseal - base64url without padding (RFC 4648 §5), strict and canonical
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cookieseal::detail {

// The cookie is a bearer credential: neither direction branches on or indexes a table with
// its bytes (timing must not leak them). Only lengths, which are public, steer the loops;
// the AVX2 path is chosen once from the CPU, the rest is 64-bit SWAR and scalar code.

/// Writes format::base64url_length(n) characters to out.
void base64url_encode(const std::uint8_t* in, std::size_t n, char* out) noexcept;

/// Raw length for a text of n characters, or SIZE_MAX when n % 4 == 1 (never canonical).
constexpr std::size_t base64url_decoded_length(std::size_t n) noexcept {
  return n % 4 == 1 ? static_cast<std::size_t>(-1) : n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

/// Decodes canonical unpadded base64url into out (room for base64url_decoded_length bytes).
/// False for any character outside [A-Za-z0-9_-] (so no '=', '+', '/' or whitespace), a
/// length of 4k+1, or non-zero unused bits in the last character (non-canonical).
[[nodiscard]] bool base64url_decode(std::string_view in, std::uint8_t* out) noexcept;

/// The same without the AVX2 path (64-bit SWAR and scalar only), whatever the CPU: the code
/// every non-x86 build runs, callable on x86 so the tests check it too.
void base64url_encode_portable(const std::uint8_t* in, std::size_t n, char* out) noexcept;
[[nodiscard]] bool base64url_decode_portable(std::string_view in, std::uint8_t* out) noexcept;

}  // namespace cookieseal::detail
