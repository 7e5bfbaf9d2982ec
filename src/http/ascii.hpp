// cookieseal - ASCII case-insensitive comparison for header values (origins, hosts, tokens)
#pragma once

#include <cstddef>
#include <string_view>

namespace cookieseal::detail {

/// 'A'-'Z' to 'a'-'z', every other byte unchanged (no locale).
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// True when a and b are equal ignoring ASCII letter case.
constexpr bool ascii_iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace cookieseal::detail
