// Tests for include/cookieseal/csrf.hpp: masked tokens, their verification, the origin check
#include <cookieseal/csrf.hpp>

#include "encoding/base64url.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

using cookieseal::check_origin;
using cookieseal::csrf_token;
using cookieseal::CsrfOptions;
using cookieseal::CsrfStatus;
using cookieseal::OriginHeaders;
using cookieseal::Session;
using cookieseal::verify_csrf_token;

namespace {

// The token's raw 64 bytes: [pad | pad XOR secret].
std::array<std::uint8_t, 64> raw_of(const std::string& token) {
  std::array<std::uint8_t, 64> raw{};
  REQUIRE(cookieseal::detail::base64url_decode(token, raw.data()));
  return raw;
}

std::string encode(const std::array<std::uint8_t, 64>& raw) {
  std::string text(cookieseal::csrf_token_chars, '\0');
  cookieseal::detail::base64url_encode(raw.data(), raw.size(), text.data());
  return text;
}

}  // namespace

TEST_CASE("csrf_token stores a secret in the session once and the token verifies") {
  Session session;
  CHECK_FALSE(session.contains(cookieseal::csrf_session_key));
  const std::string token = csrf_token(session);
  CHECK(token.size() == cookieseal::csrf_token_chars);
  CHECK(session.modified());
  const auto secret = session.get<std::string>(cookieseal::csrf_session_key);
  REQUIRE(secret);
  CHECK(secret->size() == 43);
  CHECK(verify_csrf_token(session, token) == CsrfStatus::ok);
  (void)csrf_token(session);
  CHECK(session.get<std::string>(cookieseal::csrf_session_key) == secret);  // the secret stays
}

TEST_CASE("every token is a new text, masked with a fresh pad, and every one verifies") {
  Session session;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = csrf_token(session);
    CHECK(verify_csrf_token(session, token) == CsrfStatus::ok);
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
  // Unmasked, two tokens give the same secret; their pads differ.
  const auto a = raw_of(*seen.begin());
  const auto b = raw_of(*seen.rbegin());
  bool pads_differ = false;
  for (std::size_t i = 0; i < 32; ++i) {
    CHECK((a[i] ^ a[32 + i]) == (b[i] ^ b[32 + i]));
    pads_differ = pads_differ || a[i] != b[i];
  }
  CHECK(pads_differ);
}

TEST_CASE("verify_csrf_token refuses a token of another session") {
  Session mine;
  Session theirs;
  (void)csrf_token(mine);
  CHECK(verify_csrf_token(mine, csrf_token(theirs)) == CsrfStatus::token_mismatch);
}

TEST_CASE("verify_csrf_token refuses every token for a session without a secret") {
  Session with_secret;
  const std::string token = csrf_token(with_secret);
  const Session fresh;
  CHECK(verify_csrf_token(fresh, token) == CsrfStatus::token_mismatch);
}

TEST_CASE("verify_csrf_token refuses a token with one bit changed in the pad or the masked half") {
  Session session;
  const std::string token = csrf_token(session);
  for (std::size_t byte : {0U, 31U, 32U, 63U}) {
    auto raw = raw_of(token);
    raw[byte] ^= 0x01;
    CHECK(verify_csrf_token(session, encode(raw)) == CsrfStatus::token_mismatch);
  }
}

TEST_CASE("verify_csrf_token gives token_missing for an empty token") {
  Session session;
  (void)csrf_token(session);
  CHECK(verify_csrf_token(session, "") == CsrfStatus::token_missing);
}

TEST_CASE("verify_csrf_token gives token_malformed for a wrong length or bad base64url") {
  Session session;
  const std::string token = csrf_token(session);
  CHECK(verify_csrf_token(session, token.substr(0, 85)) == CsrfStatus::token_malformed);
  CHECK(verify_csrf_token(session, token + "A") == CsrfStatus::token_malformed);
  CHECK(verify_csrf_token(session, std::string(100000, 'A')) == CsrfStatus::token_malformed);
  std::string bad_char = token;
  bad_char[10] = '+';  // base64, not base64url
  CHECK(verify_csrf_token(session, bad_char) == CsrfStatus::token_malformed);
  std::string padded = token;
  padded.back() = '=';
  CHECK(verify_csrf_token(session, padded) == CsrfStatus::token_malformed);
  std::string with_nul = token;
  with_nul[40] = '\0';
  CHECK(verify_csrf_token(session, with_nul) == CsrfStatus::token_malformed);
}

TEST_CASE("a session whose secret entry is not a well-formed secret matches no token") {
  Session other;
  const std::string token = csrf_token(other);
  Session wrong_type;
  wrong_type.set(cookieseal::csrf_session_key, std::int64_t{42});
  CHECK(verify_csrf_token(wrong_type, token) == CsrfStatus::token_mismatch);
  Session short_text;
  short_text.set(cookieseal::csrf_session_key, "abc");
  CHECK(verify_csrf_token(short_text, token) == CsrfStatus::token_mismatch);
  // csrf_token replaces such an entry with a real secret.
  const std::string fixed = csrf_token(short_text);
  CHECK(verify_csrf_token(short_text, fixed) == CsrfStatus::ok);
}

TEST_CASE("reset_csrf makes earlier tokens fail and the next token use a new secret") {
  Session session;
  const std::string before = csrf_token(session);
  cookieseal::reset_csrf(session);
  CHECK(verify_csrf_token(session, before) == CsrfStatus::token_mismatch);
  const std::string after = csrf_token(session);
  CHECK(verify_csrf_token(session, after) == CsrfStatus::ok);
  CHECK(verify_csrf_token(session, before) == CsrfStatus::token_mismatch);
}

TEST_CASE("check_origin accepts Sec-Fetch-Site same-origin and none") {
  const CsrfOptions options;
  CHECK(check_origin({.sec_fetch_site = "same-origin", .host = "a.test"}, options) == CsrfStatus::ok);
  CHECK(check_origin({.sec_fetch_site = "none"}, options) == CsrfStatus::ok);
  CHECK(check_origin({.sec_fetch_site = "Same-Origin"}, options) == CsrfStatus::ok);
}

TEST_CASE("check_origin refuses Sec-Fetch-Site cross-site and same-site unless the origin is trusted") {
  CsrfOptions options;
  CHECK(check_origin({.sec_fetch_site = "cross-site", .origin = "https://evil.test", .host = "a.test"},
                     options) == CsrfStatus::cross_site);
  CHECK(check_origin({.sec_fetch_site = "same-site", .origin = "https://b.a.test", .host = "a.test"},
                     options) == CsrfStatus::cross_site);
  CHECK(check_origin({.sec_fetch_site = "garbage\x01"}, options) == CsrfStatus::cross_site);
  options.trusted_origins = {"https://b.a.test"};
  CHECK(check_origin({.sec_fetch_site = "same-site", .origin = "HTTPS://B.A.TEST", .host = "a.test"},
                     options) == CsrfStatus::ok);
  // Sec-Fetch-Site without an Origin cannot name a trusted origin.
  CHECK(check_origin({.sec_fetch_site = "same-site", .host = "a.test"}, options) == CsrfStatus::cross_site);
}

TEST_CASE("check_origin without Sec-Fetch-Site compares Origin with the request's own origin") {
  const CsrfOptions options;
  CHECK(check_origin({.origin = "http://a.test:8080", .host = "a.test:8080"}, options) == CsrfStatus::ok);
  CHECK(check_origin({.origin = "https://a.test", .host = "A.test", .https = true}, options) ==
        CsrfStatus::ok);
  // Another scheme, port or host is another origin.
  CHECK(check_origin({.origin = "http://a.test", .host = "a.test", .https = true}, options) ==
        CsrfStatus::origin_mismatch);
  CHECK(check_origin({.origin = "http://a.test:8081", .host = "a.test:8080"}, options) ==
        CsrfStatus::origin_mismatch);
  CHECK(check_origin({.origin = "http://a.test.evil", .host = "a.test"}, options) ==
        CsrfStatus::origin_mismatch);
  CHECK(check_origin({.origin = "null", .host = "a.test"}, options) == CsrfStatus::origin_mismatch);
  CHECK(check_origin({.origin = "http://", .host = ""}, options) == CsrfStatus::origin_mismatch);
  CHECK(check_origin({.origin = std::string(100000, 'h'), .host = "a.test"}, options) ==
        CsrfStatus::origin_mismatch);
}

TEST_CASE("check_origin with neither header follows allow_missing_origin") {
  CsrfOptions options;
  CHECK(check_origin({.host = "a.test"}, options) == CsrfStatus::ok);
  options.allow_missing_origin = false;
  CHECK(check_origin({.host = "a.test"}, options) == CsrfStatus::origin_missing);
}

TEST_CASE("is_unsafe_method is true for every method but GET, HEAD, OPTIONS and TRACE") {
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "PROPFIND", "get", ""})
    CHECK(cookieseal::is_unsafe_method(m));
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE"}) CHECK_FALSE(cookieseal::is_unsafe_method(m));
}

TEST_CASE("every CsrfStatus has a name and a reason that says the check failed") {
  for (int i = 1; i <= 6; ++i) {
    const auto status = static_cast<CsrfStatus>(i);
    CHECK(cookieseal::to_string(status) != "unknown");
    CHECK(cookieseal::csrf_reason(status).starts_with("CSRF check failed: "));
  }
  std::ostringstream out;
  out << CsrfStatus::token_mismatch;
  CHECK(out.str() == "token_mismatch");
}
