// cookieseal - CSRF tokens (masked per response) and the Origin / Sec-Fetch-Site check
#include <cookieseal/csrf.hpp>

#include <cookieseal/format.hpp>  // base64url_length

#include "encoding/base64url.hpp"
#include "encoding/text.hpp"

#include <sodium.h>  // randombytes_buf, sodium_memcmp, sodium_memzero

#include <algorithm>  // std::ranges::any_of
#include <array>
#include <ostream>

namespace cookieseal {

namespace {

using Secret = std::array<std::uint8_t, csrf_secret_bytes>;

constexpr std::size_t secret_chars = format::base64url_length(csrf_secret_bytes);
static_assert(csrf_token_chars == format::base64url_length(2 * csrf_secret_bytes));

// Zeroes the bytes when it goes out of scope: the secret is a credential.
struct Wiped {
  Secret bytes{};
  Wiped() = default;
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() { sodium_memzero(bytes.data(), bytes.size()); }
};

// The session's secret, if it holds a well-formed one.
bool read_secret(const Session& session, Secret& out) noexcept {
  const Session::Value* value = session.find(csrf_session_key);
  const std::string* text = value != nullptr ? std::get_if<std::string>(value) : nullptr;
  if (text == nullptr || text->size() != secret_chars) return false;
  return detail::base64url_decode(*text, out.data());
}

// The request's own origin: scheme + "://" + Host, compared without building the string.
bool is_own_origin(std::string_view origin, const OriginHeaders& headers) noexcept {
  const std::string_view scheme = headers.https ? "https://" : "http://";
  if (headers.host.empty() || origin.size() != scheme.size() + headers.host.size()) return false;
  return detail::iequals(origin.substr(0, scheme.size()), scheme) &&
         detail::iequals(origin.substr(scheme.size()), headers.host);
}

bool is_trusted(std::string_view origin, const CsrfOptions& options) noexcept {
  return std::ranges::any_of(options.trusted_origins, [origin](const std::string& trusted) {
    return detail::iequals(origin, trusted);
  });
}

}  // namespace

std::string_view to_string(CsrfStatus status) noexcept {
  switch (status) {
    case CsrfStatus::ok: return "ok";
    case CsrfStatus::token_missing: return "token_missing";
    case CsrfStatus::token_malformed: return "token_malformed";
    case CsrfStatus::token_mismatch: return "token_mismatch";
    case CsrfStatus::cross_site: return "cross_site";
    case CsrfStatus::origin_mismatch: return "origin_mismatch";
    case CsrfStatus::origin_missing: return "origin_missing";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, CsrfStatus status) { return os << to_string(status); }

std::string_view csrf_reason(CsrfStatus status) noexcept {
  switch (status) {
    case CsrfStatus::ok: return "CSRF check passed";
    case CsrfStatus::token_missing: return "CSRF check failed: no CSRF token in the request";
    case CsrfStatus::token_malformed: return "CSRF check failed: the CSRF token is malformed";
    case CsrfStatus::token_mismatch:
      return "CSRF check failed: the CSRF token does not belong to this session";
    case CsrfStatus::cross_site: return "CSRF check failed: a cross-site request (Sec-Fetch-Site)";
    case CsrfStatus::origin_mismatch: return "CSRF check failed: the Origin header names another origin";
    case CsrfStatus::origin_missing: return "CSRF check failed: neither Origin nor Sec-Fetch-Site was sent";
  }
  return "CSRF check failed";
}

std::string csrf_token(Session& session) {
  Wiped secret;
  if (!read_secret(session, secret.bytes)) {
    randombytes_buf(secret.bytes.data(), secret.bytes.size());
    std::string text(secret_chars, '\0');
    detail::base64url_encode(secret.bytes.data(), secret.bytes.size(), text.data());
    session.set(csrf_session_key, std::move(text));
  }
  // [pad | pad XOR secret]: a fresh one-time pad per token, so no two pages carry the same
  // bytes for a compression side channel (BREACH) to recover.
  std::array<std::uint8_t, 2 * csrf_secret_bytes> raw{};
  randombytes_buf(raw.data(), csrf_secret_bytes);
  for (std::size_t i = 0; i < csrf_secret_bytes; ++i) raw[csrf_secret_bytes + i] = raw[i] ^ secret.bytes[i];
  std::string token(csrf_token_chars, '\0');
  detail::base64url_encode(raw.data(), raw.size(), token.data());
  return token;
}

CsrfStatus verify_csrf_token(const Session& session, std::string_view token) noexcept {
  // 1. Length first: nothing longer is decoded. 2. Canonical base64url. 3. Unmask and
  // compare with the session's secret in constant time.
  if (token.empty()) return CsrfStatus::token_missing;
  if (token.size() != csrf_token_chars) return CsrfStatus::token_malformed;
  std::array<std::uint8_t, 2 * csrf_secret_bytes> raw{};
  if (!detail::base64url_decode(token, raw.data())) return CsrfStatus::token_malformed;
  Wiped secret;
  if (!read_secret(session, secret.bytes)) return CsrfStatus::token_mismatch;
  Secret unmasked{};
  for (std::size_t i = 0; i < csrf_secret_bytes; ++i) unmasked[i] = raw[i] ^ raw[csrf_secret_bytes + i];
  const bool same = sodium_memcmp(unmasked.data(), secret.bytes.data(), csrf_secret_bytes) == 0;
  sodium_memzero(unmasked.data(), unmasked.size());
  return same ? CsrfStatus::ok : CsrfStatus::token_mismatch;
}

void reset_csrf(Session& session) { session.erase(csrf_session_key); }

CsrfStatus check_origin(const OriginHeaders& headers, const CsrfOptions& options) noexcept {
  const std::string_view site = headers.sec_fetch_site;
  const bool trusted = !headers.origin.empty() && is_trusted(headers.origin, options);
  if (!site.empty()) {
    if (detail::iequals(site, "same-origin") || detail::iequals(site, "none")) return CsrfStatus::ok;
    return trusted ? CsrfStatus::ok : CsrfStatus::cross_site;  // same-site, cross-site, unknown
  }
  if (!headers.origin.empty()) {
    return trusted || is_own_origin(headers.origin, headers) ? CsrfStatus::ok : CsrfStatus::origin_mismatch;
  }
  return options.allow_missing_origin ? CsrfStatus::ok : CsrfStatus::origin_missing;
}

bool is_unsafe_method(std::string_view method) noexcept {
  return method != "GET" && method != "HEAD" && method != "OPTIONS" && method != "TRACE";
}

}  // namespace cookieseal
