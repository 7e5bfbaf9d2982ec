// cookieseal - CSRF defence: a per-session token (masked per response) and an Origin check
#pragma once

#include <cookieseal/export.hpp>
#include <cookieseal/session.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// The session key that holds the CSRF secret (base64url of csrf_secret_bytes random bytes).
/// Reserved: do not store anything else under it.
inline constexpr std::string_view csrf_session_key = "_csrf";
/// Bytes of the per-session CSRF secret.
inline constexpr std::size_t csrf_secret_bytes = 32;
/// Characters of a token from csrf_token(): base64url of a 32-byte pad and the 32-byte masked
/// secret, no padding.
inline constexpr std::size_t csrf_token_chars = 86;

/// The outcome of a CSRF check (docs/HTTP.md §CSRF). Every value but `ok` means "refuse the
/// request with a 403"; none carries input bytes.
enum class CsrfStatus : std::uint8_t {
  ok = 0,           ///< accepted
  token_missing,    ///< no token in the X-CSRF-Token header nor in the form field
  token_malformed,  ///< not csrf_token_chars characters of canonical base64url
  token_mismatch,   ///< well-formed but not made for this session (another session's, or forged)
  cross_site,       ///< Sec-Fetch-Site: cross-site (or same-site from an origin not trusted)
  origin_mismatch,  ///< the Origin header names another origin (or is "null")
  origin_missing,   ///< neither Sec-Fetch-Site nor Origin, and CsrfOptions::allow_missing_origin is false
};

/// The status name as written in docs and logs, e.g. "token_mismatch".
[[nodiscard]] COOKIESEAL_API std::string_view to_string(CsrfStatus status) noexcept;
/// Prints to_string(status).
COOKIESEAL_API std::ostream& operator<<(std::ostream& os, CsrfStatus status);
/// A sentence for the 403 body, e.g. "CSRF check failed: the CSRF token does not belong to
/// this session". Never contains input bytes.
[[nodiscard]] COOKIESEAL_API std::string_view csrf_reason(CsrfStatus status) noexcept;

/// A token to put in the page (a hidden form field or a meta tag for scripts). Creates the
/// session's secret on first use (so the session is then modified and commit() sends a
/// cookie). Each call returns another text (a fresh one-time pad XORed with the secret), so a
/// page never repeats the same bytes next to attacker-reflected input (BREACH); every token
/// of the session verifies.
/// Example: `page += "<input type=hidden name=_csrf value=" + cookieseal::csrf_token(session) + ">";`
[[nodiscard]] COOKIESEAL_API std::string csrf_token(Session& session);

/// Whether `token` was made by csrf_token() for this session: length and base64url checked
/// first, then the unmasked secret compared in constant time (sodium_memcmp). A session
/// without a secret matches no token. Never throws for any input.
/// Example: `if (cookieseal::verify_csrf_token(session, req.header("X-CSRF-Token")) != CsrfStatus::ok) ...`
[[nodiscard]] COOKIESEAL_API CsrfStatus verify_csrf_token(const Session& session,
                                                          std::string_view token) noexcept;

/// Forgets the session's secret: tokens issued so far no longer verify, the next csrf_token()
/// makes a new one. Call it with regenerate_id() at login, so a secret known before login
/// (a planted session) is worth nothing after.
COOKIESEAL_API void reset_csrf(Session& session);

/// What the origin check trusts. A plain struct; each field says its default.
struct CsrfOptions {
  /// Turns the checks on for unsafe methods (POST, PUT, PATCH, DELETE and any other not GET,
  /// HEAD, OPTIONS or TRACE) in the HTTP adapters. Default is false.
  bool enforce = false;
  /// Requires a token from csrf_token() on unsafe methods, besides the origin check. Default
  /// is true.
  bool require_token = true;
  /// Origins accepted besides the request's own, exactly as browsers write them
  /// ("https://app.example.com", "http://localhost:8080"), compared case-insensitively.
  /// Default is empty: only the request's own origin (scheme + "://" + Host header).
  std::vector<std::string> trusted_origins = {};
  /// A request with neither Sec-Fetch-Site nor Origin (curl, old browsers) passes the origin
  /// check when true. Browsers send Origin on every cross-origin POST. Default is true.
  bool allow_missing_origin = true;
  /// Paths (compared exactly, without the query) of unsafe requests checked by origin only,
  /// with no token: endpoints for non-browser clients (operator tools, webhooks) that no page
  /// of the site posts to. Browsers posting there from another origin are still refused.
  /// Default is empty.
  std::vector<std::string> tokenless_paths = {};
  /// The request header a script sends the token in. Default is "X-CSRF-Token".
  std::string header_name = "X-CSRF-Token";
  /// The form field (urlencoded or multipart) the token comes in. Default is "_csrf".
  std::string form_field = "_csrf";
};

/// The request headers the origin check reads; empty when absent.
struct OriginHeaders {
  std::string_view sec_fetch_site = {};  ///< Sec-Fetch-Site
  std::string_view origin = {};          ///< Origin
  std::string_view host = {};            ///< Host (with its port, as sent)
  bool https = false;                    ///< the request came over TLS (or X-Forwarded-Proto: https)
};

/// The Origin / Sec-Fetch-Site check, in order:
///  1. Sec-Fetch-Site `same-origin` or `none` (typed in, bookmark): ok; `cross-site`:
///     cross_site (or ok if Origin is a trusted origin); `same-site` (a sibling subdomain):
///     ok only if Origin is trusted, else cross_site;
///  2. no Sec-Fetch-Site but an Origin: ok if it is the request's own origin or a trusted
///     one, else origin_mismatch ("null" included);
///  3. neither: ok if options.allow_missing_origin, else origin_missing.
/// Example: `auto s = cookieseal::check_origin({.sec_fetch_site = h("Sec-Fetch-Site"), .origin = h("Origin"),
/// .host = h("Host")}, options);`
[[nodiscard]] COOKIESEAL_API CsrfStatus check_origin(const OriginHeaders& headers,
                                                     const CsrfOptions& options) noexcept;

/// True for methods that change state and so are checked: anything but GET, HEAD, OPTIONS
/// and TRACE (case-sensitive, as HTTP methods are).
[[nodiscard]] COOKIESEAL_API bool is_unsafe_method(std::string_view method) noexcept;

}  // namespace cookieseal
