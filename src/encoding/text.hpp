// cookieseal - small text helpers shared by key, keyring and configuration parsing
#pragma once

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

inline bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// The text without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Lower-case hex of the bytes, with libsodium's constant-time encoder (ids are not secrets,
/// but a session id is a credential's part: no table lookup on its bytes).
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(2 * bytes.size() + 1, '\0');  // sodium_bin2hex writes a terminator
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace cookieseal::detail
