// cookieseal - reading cookies from request `Cookie` headers, without allocating
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/export.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cookieseal {

/// One `name=value` pair of a `Cookie` header. Both views point into the header text, so
/// they live as long as the header does.
struct CookiePair {
  std::string_view name;   ///< empty for a pair written without '=' (see the rules below)
  std::string_view value;  ///< without surrounding whitespace and one pair of double quotes

  friend bool operator==(const CookiePair&, const CookiePair&) = default;
};

// How a `Cookie` header is read (lenient, as RFC 6265 §5.4 / RFC 6265bis browsers write it;
// the same rules are in docs/HTTP.md):
//
//  1. The header is split on every ';'. Nothing else separates pairs: not ',' (RFC 2965's
//     separator), and a ';' inside double quotes still splits, because cookie-octets never
//     contain ';'.
//  2. Each piece is split at its FIRST '='. The name is the text before it, the value the text
//     after it (which may contain further '='). A piece without '=' is a pair with an EMPTY
//     name and the whole piece as value (RFC 6265bis: `document.cookie = "x"` is sent as `x`).
//  3. SP and HTAB are trimmed from both ends of the name and of the value; no other byte is
//     whitespace.
//  4. A value of two or more bytes that starts and ends with '"' loses that one pair of quotes:
//     `a="xyz"` gives `xyz`, `a=""` gives an empty value, `a="` gives `"`.
//  5. A piece whose name and value are both empty (`;;`, `; ;`, `=`) is skipped.
//  6. No byte is rejected: NUL, control bytes and 0x80-0xFF stay inside names and values, and
//     the caller's decoder (e.g. Codec) rejects a value it cannot read. Garbage therefore gives
//     "absent" or some pair, never an error.
//  7. find_cookie compares names byte for byte (case-sensitive, no normalization); the first
//     matching pair wins, across several headers in the order given. An empty name never
//     matches, so nameless pairs are only seen by for_each_cookie / parse_cookies.
//
// Cost: one forward pass over the header, no allocation (except parse_cookies' vector), so a
// megabyte of hostile bytes costs a megabyte of reading and nothing more. No length cap is
// applied here; the HTTP server's own header limit is the one that matters.

namespace detail {
/// Takes the next pair (rules above) off the front of `rest`. Returns false at the end.
[[nodiscard]] COOKIESEAL_API bool next_cookie_pair(std::string_view& rest, CookiePair& pair) noexcept;
}  // namespace detail

/// The value of the first cookie called `name` in one `Cookie` header, or nullopt when there
/// is none (or `name` is empty). The view points into `header`. Never throws or allocates.
/// Example:
///   auto v = cookieseal::find_cookie(req["Cookie"], "__Host-session");
///   if (!v) return anonymous();
[[nodiscard]] COOKIESEAL_API std::optional<std::string_view> find_cookie(std::string_view header,
                                                                         std::string_view name) noexcept;

/// As above over several `Cookie` headers (HTTP/2 and HTTP/3 may split cookies into one
/// header per pair): the first match in the first header that has one.
/// Example:
///   std::vector<std::string_view> headers = req.all("cookie");
///   auto v = cookieseal::find_cookie(headers, "__Host-session");
[[nodiscard]] COOKIESEAL_API std::optional<std::string_view> find_cookie(
    std::span<const std::string_view> headers, std::string_view name) noexcept;

/// Calls `visit(const CookiePair&)` for every pair of `header`, in order, duplicates included.
/// If `visit` returns something convertible to bool, returning false stops the walk.
/// Example:
///   cookieseal::for_each_cookie(header, [&](const cookieseal::CookiePair& p) {
///     if (p.name.starts_with("cart-")) carts.push_back(p.value);
///   });
template <class Visit>
void for_each_cookie(std::string_view header,
                     Visit&& visit) noexcept(std::is_nothrow_invocable_v<Visit&, const CookiePair&>) {
  CookiePair pair;
  while (detail::next_cookie_pair(header, pair)) {
    if constexpr (std::is_void_v<std::invoke_result_t<Visit&, const CookiePair&>>) {
      visit(pair);
    } else if (!static_cast<bool>(visit(pair))) {
      return;
    }
  }
}

/// Every pair of `header`, in order, duplicates included. Allocates one vector (at most one
/// element per two header bytes); on the request path prefer find_cookie, which does not.
/// Example:
///   for (auto [name, value] : cookieseal::parse_cookies("a=1; b=\"2\"")) { ... }  // a/1, b/2
[[nodiscard]] COOKIESEAL_API std::vector<CookiePair> parse_cookies(std::string_view header);

}  // namespace cookieseal
