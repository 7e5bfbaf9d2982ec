// cookieseal - small text helpers shared by key, keyring and configuration parsing
#pragma once

#include <sodium.h>

#include <algorithm>
#include <cstddef>
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

/// ASCII lower case of one character.
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// A character of base64url (A-Z a-z 0-9 - _), which holds hex too.
constexpr bool is_base64url_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/// The longest run of base64url characters, or of standard base64's `+` and `=`, in the text.
constexpr std::size_t longest_key_like_run(std::string_view s) noexcept {
  std::size_t run = 0;
  std::size_t longest = 0;
  for (const char c : s) {
    run = is_base64url_char(c) || c == '+' || c == '=' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

/// True when the text could hold key material: a run of 20 or more characters of the key
/// alphabets (a 32-byte key is 43 or 64 of them; a key list, a `base64:` prefix or a key cut
/// short still has such a run). Such text is never echoed in a message.
constexpr bool looks_like_key_text(std::string_view s) noexcept { return longest_key_like_run(s) >= 20; }

/// A value for an error message: in double quotes, cut to `limit` bytes, with '"', '\' and
/// anything but printable ASCII escaped (\xNN), so a message can neither be forged nor break a
/// log line; text that could be a key is not shown at all.
std::string quoted(std::string_view value, std::size_t limit = 40);

/// A file path as error messages show it: printable ASCII (others as '?'), cut at 200 bytes,
/// or a note that it is not shown when it could be key text (a key put in a *_FILE variable):
/// a path is shown only if it has a '/' or a '.' (key text, whole or in part, has neither:
/// base64url, hex, commas, spaces) and no run of 43 or more key characters, which a key put
/// inside a path would be.
std::string shown_path(std::string_view path);

/// Lower-case hex of the bytes, with libsodium's constant-time encoder (ids are not secrets,
/// but a session id is a credential's part: no table lookup on its bytes).
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(2 * bytes.size() + 1, '\0');  // sodium_bin2hex writes a terminator
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace cookieseal::detail
