// cookieseal - text helpers (see text.hpp)
#include "encoding/text.hpp"

#include <algorithm>

namespace cookieseal::detail {

std::string quoted(std::string_view value, std::size_t limit) {
  if (looks_like_key_text(value))
    return "(a value of " + std::to_string(value.size()) + " characters, not shown)";
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  const std::size_t n = std::min(value.size(), limit);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
  out += '"';
  if (value.size() > n) out += "...";
  return out;
}

std::string shown_path(std::string_view path) {
  constexpr std::size_t key_like_run = 43;  // a whole base64url key (hex keys are longer runs)
  constexpr std::size_t shown = 200;
  if (path.find_first_of("/.") == std::string_view::npos || longest_key_like_run(path) >= key_like_run) {
    return "path not shown: it could be key text";
  }
  std::string out;
  for (const char ch : path.substr(0, shown)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '?';  // one log line, no terminal escapes
  }
  return path.size() > shown ? out + "..." : out;
}

}  // namespace cookieseal::detail
