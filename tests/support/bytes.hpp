// cookieseal tests - hex and a reference base64url, to cross-check the library's own codecs
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

inline constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The bytes of lower- or upper-case hex digits; nullopt on an odd length or a non-digit.
inline std::optional<std::string> parse_hex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

/// The bytes of valid hex (a test's own constant); "" for invalid hex, which fails the check.
inline std::string from_hex(std::string_view hex) { return parse_hex(hex).value_or(""); }

/// Lower-case hex of the bytes.
inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

/// The bytes of a string, as the library's byte spans take them.
inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The obvious base64url (RFC 4648 §5, no padding): a table lookup per character, fine in a
// test and never in the library; the library's fast paths are checked against it.

/// Unpadded base64url of the bytes.
inline std::string reference_base64url_encode(std::span<const std::uint8_t> in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const std::uint8_t b : in) {
    acc = acc << 8 | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(base64url_alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(base64url_alphabet[(acc << (6 - bits)) & 63]);
  return out;
}
inline std::string reference_base64url_encode(std::string_view in) {
  return reference_base64url_encode(as_bytes(in));
}

/// The bytes of canonical unpadded base64url into `out`; false for anything else (padding,
/// another alphabet, a length of 4k+1, unused low bits that are not zero).
inline bool reference_base64url_decode(std::string_view text, std::vector<std::uint8_t>& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const auto at = base64url_alphabet.find(c);
    if (at == std::string_view::npos) return false;
    acc = acc << 6 | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;
}

/// The same, as a string of bytes; nullopt when the text is not canonical.
inline std::optional<std::string> reference_base64url_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  if (!reference_base64url_decode(text, out)) return std::nullopt;
  return std::string(out.begin(), out.end());
}

}  // namespace test_support
