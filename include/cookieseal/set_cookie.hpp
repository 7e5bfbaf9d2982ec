// cookieseal - writing `Set-Cookie` response headers, and checking cookie settings at start-up
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/lifetimes.hpp>  // max_ttl

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// The `SameSite` attribute. Always written out, because browsers disagree on the default.
enum class SameSite : std::uint8_t {
  strict,  ///< never sent on cross-site requests, not even top-level navigations
  lax,     ///< sent on top-level navigations only (the safe default for sessions)
  none,    ///< sent on every request; browsers require Secure with it
};

/// The attribute text as written in the header: "Strict", "Lax" or "None".
/// Example: `cookieseal::to_string(cookieseal::SameSite::lax)  // "Lax"`
[[nodiscard]] COOKIESEAL_API std::string_view to_string(SameSite same_site) noexcept;

/// Reads "Strict", "Lax" or "None" in any letter case (e.g. from an environment variable);
/// nullopt for anything else, including surrounding spaces.
/// Example: `auto s = cookieseal::parse_same_site(getenv_or("SAMESITE", "lax"));`
[[nodiscard]] COOKIESEAL_API std::optional<SameSite> parse_same_site(std::string_view text) noexcept;

/// The attributes written after `name=value`. Check them once with validate_cookie().
struct CookieAttributes {
  /// Path=; must start with '/'. Default is "/" (the whole site; required by `__Host-`).
  std::string path = "/";
  /// Domain=; a host name such as "example.com" (one leading '.' is tolerated and written as
  /// given; browsers ignore it). Default is unset: a host-only cookie, which `__Host-` requires.
  std::optional<std::string> domain;
  /// Secure: sent over https only. Default is true; required by SameSite=None, Partitioned,
  /// `__Secure-` and `__Host-`.
  bool secure = true;
  /// HttpOnly: invisible to JavaScript. Default is true.
  bool http_only = true;
  /// SameSite=. Default is Lax.
  SameSite same_site = SameSite::lax;
  /// Partitioned (CHIPS): stored per top-level site. Default is false; requires Secure.
  bool partitioned = false;
};

/// True if `name` is an RFC 6265 cookie-name, i.e. an RFC 2616 token: one or more of
/// %x21-7E except the separators ( ) < > @ , ; : \ " / [ ] ? = { }.
/// Example: `cookieseal::is_cookie_name("__Host-session")  // true`
[[nodiscard]] COOKIESEAL_API bool is_cookie_name(std::string_view name) noexcept;

/// True if every byte of `value` is an RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A /
/// %x3C-5B / %x5D-7E (printable ASCII except space, '"', ',', ';' and '\'). Empty is fine.
/// base64url text always passes.
/// Example: `cookieseal::is_cookie_value("AQID-_w")  // true`
[[nodiscard]] COOKIESEAL_API bool is_cookie_value(std::string_view value) noexcept;

/// The first problem with this cookie name and these attributes, as a message naming the
/// cookie and the attribute, or nullopt when a browser will accept them. Checked, in order:
///  1. the name is a token (is_cookie_name);
///  2. Path starts with '/', is at most 1024 bytes, and is %x20-7E without ';';
///  3. Domain, if set, is 1-253 bytes of dot-separated labels of letters, digits and '-'
///     (1-63 bytes each, not starting or ending with '-'), with no trailing '.', one leading
///     '.' tolerated; so no IPv6 literal, '_', port, space, ';' or control byte;
///  4. SameSite=None and Partitioned each require Secure;
///  5. a name starting `__Secure-` requires Secure; one starting `__Host-` requires Secure,
///     Path=/ and no Domain. The prefixes match in any letter case, as browsers now do.
/// Messages echo the name, path and domain (escaped), never a cookie value.
/// Example:
///   if (auto problem = cookieseal::check_cookie("__Host-s", attrs)) log(*problem);
[[nodiscard]] COOKIESEAL_API std::optional<std::string> check_cookie(std::string_view name,
                                                                     const CookieAttributes& attributes);

/// As check_cookie, but throws cookieseal::ConfigError carrying the message. Call it at
/// start-up: the builders below trust what it accepted.
/// Example:
///   cookieseal::validate_cookie("__Host-session", {});  // fine: the defaults satisfy __Host-
///   cookieseal::validate_cookie("__Host-session", {.path = "/app"});  // throws ConfigError
COOKIESEAL_API void validate_cookie(std::string_view name, const CookieAttributes& attributes);

/// The most bytes a Set-Cookie header value (name, value and attributes) may have: RFC 6265
/// §6.1 asks browsers to keep cookies of at least 4096 bytes, and larger ones are dropped
/// silently by some. SessionManager::commit refuses to produce a longer one.
inline constexpr std::size_t max_set_cookie_bytes = 4096;

/// The longest cookie lifetime written: 400 days. RFC 6265bis §5.6.1/§5.6.2 lets browsers cap
/// Max-Age and Expires there (Chrome does), so a longer one would silently be cut short:
/// set_cookie_header writes at most this, and configuration should refuse longer lifetimes.
inline constexpr std::chrono::seconds max_cookie_age = max_ttl;  // one constant for both (lifetimes.hpp)

/// Length of an IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t imf_fixdate_bytes = 29;

/// `time` as an RFC 7231 §7.1.1.1 IMF-fixdate, always imf_fixdate_bytes long: English names,
/// no locale, no time zone database, safe from any thread. Clamped to 1970-01-01 00:00:00 ..
/// 9999-12-31 23:59:59 so that the year keeps its four digits.
/// Example: `cookieseal::imf_fixdate(std::chrono::sys_seconds{784111777s})`
///          `  // "Sun, 06 Nov 1994 08:49:37 GMT"`
[[nodiscard]] COOKIESEAL_API std::string imf_fixdate(std::chrono::sys_seconds time);

/// The value of a `Set-Cookie` header that stores `name=value` for `max_age`:
///   name=value; Path=/; [Domain=d; ]Max-Age=86400; Expires=<now + max_age>; [Secure; ]
///   [HttpOnly; ]SameSite=Lax[; Partitioned]
/// Expires is written next to Max-Age for clients that only know Expires. A negative max_age
/// counts as 0, one above max_cookie_age (400 days) as max_cookie_age; Expires is
/// now + that, clamped as in imf_fixdate.
/// Checked on every call, in every build (so no input can split the response):
///  - `name` and `attributes` pass check_cookie (a token name; Path, Domain, SameSite,
///    Partitioned and the `__Secure-` / `__Host-` prefix rules);
///  - `value` passes is_cookie_value (no CR, LF, space, '"', ',', ';', '\' or control byte).
/// Error::malformed when either fails (validate_cookie at start-up gives the message).
/// One allocation.
/// Example:
///   if (auto h = cookieseal::set_cookie_header("__Host-session", sealed, attrs, std::chrono::hours(24),
///           std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())))
///     res.add_header("Set-Cookie", *h);
[[nodiscard]] COOKIESEAL_API Result<std::string> set_cookie_header(std::string_view name,
                                                                   std::string_view value,
                                                                   const CookieAttributes& attributes,
                                                                   std::chrono::seconds max_age,
                                                                   std::chrono::sys_seconds now);

/// The value of a `Set-Cookie` header that stores `name=value` as a browser-session cookie:
/// set_cookie_header without Max-Age and Expires, so the browser forgets it when it closes
/// (the sealed expiry inside the value still bounds it). Same checks and errors.
/// Example: `auto h = cookieseal::session_cookie_header("__Host-session", sealed, attrs);`
[[nodiscard]] COOKIESEAL_API Result<std::string> session_cookie_header(std::string_view name,
                                                                       std::string_view value,
                                                                       const CookieAttributes& attributes);

/// Exactly `session_cookie_header(name, value, attributes)->size()` for any valid `value` of
/// `value_size` bytes.
[[nodiscard]] COOKIESEAL_API std::size_t session_cookie_header_size(
    std::string_view name, std::size_t value_size, const CookieAttributes& attributes) noexcept;

/// The value of a `Set-Cookie` header that deletes the cookie: an empty value, `Max-Age=0`,
/// `Expires=Thu, 01 Jan 1970 00:00:00 GMT`, and the same Path, Domain, Secure, SameSite and
/// Partitioned, without which browsers would not replace the stored cookie. Checked on every
/// call like set_cookie_header: Error::malformed unless `name` and `attributes` pass
/// check_cookie.
/// Example:
///   if (auto h = cookieseal::delete_cookie_header("__Host-session", attrs)) res.add_header("Set-Cookie",
///   *h);
[[nodiscard]] COOKIESEAL_API Result<std::string> delete_cookie_header(std::string_view name,
                                                                      const CookieAttributes& attributes);

/// Exactly `set_cookie_header(name, value, attributes, max_age, now)->size()` for any valid
/// `value` of `value_size` bytes and any `now`, without building it or checking anything: lets a caller
/// check, before sealing anything, the 4096 bytes per cookie (name, value and attributes together) that RFC
/// 6265 §6.1 asks browsers to support at least. Example:
///   if (cookieseal::set_cookie_header_size(name, sealed_size, attrs, ttl) > 4096) ...
[[nodiscard]] COOKIESEAL_API std::size_t set_cookie_header_size(std::string_view name, std::size_t value_size,
                                                                const CookieAttributes& attributes,
                                                                std::chrono::seconds max_age) noexcept;

}  // namespace cookieseal
