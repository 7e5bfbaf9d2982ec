// cookieseal - reading cookies from request `Cookie` headers (rules in cookie_header.hpp)
#include <cookieseal/cookie_header.hpp>

#include <cstddef>

namespace cookieseal {

namespace {

// RFC 6265 OWS is SP / HTAB only; trimming anything else (e.g. NUL or 0x85) would make two
// different byte strings name the same cookie.
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view unquote(std::string_view s) noexcept {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

namespace detail {

bool next_cookie_pair(std::string_view& rest, CookiePair& pair) noexcept {
  // Every byte is looked at a bounded number of times (one ';' search, one '=' search within
  // its piece, trimming at the piece's ends), so the whole header is read in linear time.
  while (!rest.empty()) {
    const std::size_t semi = rest.find(';');
    const std::string_view piece = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);

    const std::size_t eq = piece.find('=');
    CookiePair p;
    if (eq == std::string_view::npos) {
      p.value = trim(piece);  // RFC 6265bis: no '=' means an empty name
    } else {
      p.name = trim(piece.substr(0, eq));
      p.value = trim(piece.substr(eq + 1));
    }
    p.value = unquote(p.value);  // before the check below (rule 4, then rule 5): `=""` is skipped
    if (p.name.empty() && p.value.empty()) continue;  // ";;", "=", `""`, or only whitespace
    pair = p;
    return true;
  }
  return false;
}

}  // namespace detail

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) noexcept {
  // An empty name would match the nameless pairs, which no server sets on purpose.
  if (name.empty()) return std::nullopt;
  CookiePair pair;
  while (detail::next_cookie_pair(header, pair)) {
    if (pair.name == name) return pair.value;
  }
  return std::nullopt;
}

std::optional<std::string_view> find_cookie(std::span<const std::string_view> headers,
                                            std::string_view name) noexcept {
  for (const std::string_view header : headers) {
    if (auto value = find_cookie(header, name)) return value;
  }
  return std::nullopt;
}

std::vector<CookiePair> parse_cookies(std::string_view header) {
  // Count first so the vector is allocated once, at its final size.
  std::size_t count = 0;
  for_each_cookie(header, [&count](const CookiePair&) noexcept { ++count; });
  std::vector<CookiePair> pairs;
  pairs.reserve(count);
  for_each_cookie(header, [&pairs](const CookiePair& p) { pairs.push_back(p); });
  return pairs;
}

}  // namespace cookieseal
