// cookieseal fuzz - configuration values: the Config parsers, SameSite, cookie names, from_env
//
// Input: byte 0 picks the mode.
//  0: the rest is one setting's text, given to every parser: parse_duration and parse_bool
//     (each against a reference written here), parse_share, parse_same_site, is_cookie_name
//     and check_cookie (against the RFC 6265 token rule); format_duration reads back.
//  1: the rest is Fields (fuzz_support.hpp) for FUZZ_TTL, FUZZ_MAX_LIFETIME, FUZZ_LEEWAY,
//     FUZZ_RENEW_SHARE, FUZZ_SECURE, FUZZ_HTTP_ONLY, FUZZ_PARTITIONED, FUZZ_SAME_SITE,
//     FUZZ_PATH, FUZZ_DOMAIN, FUZZ_COOKIE_NAME and FUZZ_KEYS (empty: key A), each set when
//     not empty; Config::from_env("FUZZ_") either throws a ConfigError whose message is one
//     printable line without key text, or returns a Config that builds a SessionManager whose
//     empty session commits to a Set-Cookie that loads back.
// (Key text in a message is looked for only as whole 43/64-character base64url or hex
// entries: the fuzzer learns the messages' wording and would otherwise copy it into KEYS.)

#include "fuzz_support.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/cookie_header.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/set_cookie.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool key_alphabet(std::string_view s) {
  for (const char c : s) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// config.hpp's rule for durations, spelled out: digits, then at most one unit letter.
std::optional<std::int64_t> reference_duration(std::string_view text) {
  text = trim(text);
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  std::int64_t unit = 1;
  const std::string_view suffix = text.substr(digits);
  if (suffix == "m") unit = 60;
  else if (suffix == "h") unit = 3600;
  else if (suffix == "d") unit = 86400;
  else if (!suffix.empty() && suffix != "s") return std::nullopt;
  // Leading zeros are fine; the value is compared without ever overflowing.
  std::string_view number = text.substr(0, digits);
  while (number.size() > 1 && number.front() == '0') number.remove_prefix(1);
  if (number.size() > 12) return std::nullopt;  // more than 36500d in any unit
  std::int64_t n = 0;
  for (const char c : number) n = n * 10 + (c - '0');
  if (n * unit > cookieseal::max_duration.count()) return std::nullopt;
  return n * unit;
}

std::optional<bool> reference_bool(std::string_view text) {
  const std::string t = lower(trim(text));
  if (t == "true" || t == "yes" || t == "1") return true;
  if (t == "false" || t == "no" || t == "0") return false;
  return std::nullopt;
}

bool reference_token(std::string_view name) {
  if (name.empty()) return false;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("()<>@,;:\\\"/[]?={}").find(ch) != std::string_view::npos) return false;
  }
  return true;
}

void parsers(std::string_view text) {
  const auto d = cookieseal::parse_duration(text);
  const auto want_d = reference_duration(text);
  FUZZ_CHECK(d.has_value() == want_d.has_value());
  if (d) {
    FUZZ_CHECK(d->count() == *want_d);
    FUZZ_CHECK(cookieseal::parse_duration(cookieseal::format_duration(*d)) == d);
  }

  FUZZ_CHECK(cookieseal::parse_bool(text) == reference_bool(text));

  if (const auto share = cookieseal::parse_share(text)) {
    FUZZ_CHECK(*share >= 0.0 && *share <= 1.0);
    std::string_view t = trim(text);
    const bool percent = !t.empty() && t.back() == '%';
    if (percent) t.remove_suffix(1);
    const double approx = std::strtod(std::string(t).c_str(), nullptr) / (percent ? 100.0 : 1.0);
    FUZZ_CHECK(std::fabs(approx - *share) <= 1e-12);
  }

  if (const auto s = cookieseal::parse_same_site(text)) {
    FUZZ_CHECK(lower(text) == lower(cookieseal::to_string(*s)));
  }

  FUZZ_CHECK(cookieseal::is_cookie_name(text) == reference_token(text));
  cookieseal::CookieAttributes attrs;  // the defaults satisfy every prefix rule
  const auto problem = cookieseal::check_cookie(text, attrs);
  FUZZ_CHECK(problem.has_value() == !reference_token(text));
  if (problem) FUZZ_CHECK(fuzz::printable(*problem));
  // Whatever the attributes, the default name goes with them when they are valid at all.
  attrs.path = std::string(text);
  if (!cookieseal::check_cookie("x", attrs)) {
    FUZZ_CHECK(!cookieseal::check_cookie(cookieseal::default_cookie_name(attrs), attrs));
    attrs.secure = false;
    FUZZ_CHECK(!cookieseal::check_cookie(cookieseal::default_cookie_name(attrs), attrs));
  }
}

constexpr std::array<const char*, 12> variables = {"FUZZ_TTL",         "FUZZ_MAX_LIFETIME", "FUZZ_LEEWAY",
                                                   "FUZZ_RENEW_SHARE", "FUZZ_SECURE",       "FUZZ_HTTP_ONLY",
                                                   "FUZZ_PARTITIONED", "FUZZ_SAME_SITE",    "FUZZ_PATH",
                                                   "FUZZ_DOMAIN",      "FUZZ_COOKIE_NAME",  "FUZZ_KEYS"};

void from_env(fuzz::Fields& in) {
  std::string keys;
  std::string others;  // every other value, to tell an echo of them from a leak of the keys
  for (const char* name : variables) {
    std::string value = in.text();
    if (const auto nul = value.find('\0'); nul != std::string::npos) value.resize(nul);  // as exec() would
    if (std::string_view(name) == "FUZZ_KEYS") {
      if (value.empty()) value = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
      keys = value;
    } else {
      others += value + '\n';
    }
    if (value.empty()) ::unsetenv(name);
    else ::setenv(name, value.c_str(), 1);
  }
  const bool remove_keys = (in.byte() & 1) != 0;
  std::optional<cookieseal::Config> config;
  try {
    config.emplace(cookieseal::Config::from_env(
        "FUZZ_", remove_keys ? cookieseal::KeysInEnvironment::remove : cookieseal::KeysInEnvironment::keep));
  } catch (const cookieseal::ConfigError& e) {
    const std::string_view message = e.what();
    FUZZ_CHECK(!message.empty() && fuzz::printable(message));
    // Every entry that could be a secret (43 or 64 characters of the key alphabets, so never
    // a piece of the messages' own wording) must stay out of the message.
    for (std::string_view rest = keys;;) {
      const std::size_t comma = rest.find(',');
      const std::string_view k = trim(rest.substr(0, comma));
      if ((k.size() == 43 || k.size() == 64) && key_alphabet(k) && others.find(k) == std::string::npos &&
          message.find(k) != std::string_view::npos) {
        std::fprintf(stderr, "key text in the message: %s\n", e.what());
        FUZZ_CHECK(message.find(k) == std::string_view::npos);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return;
  }
  for (const char line_ch : config->summary()) {
    FUZZ_CHECK(line_ch == '\n' || fuzz::printable(std::string_view(&line_ch, 1)));
  }
  const auto now = std::chrono::sys_seconds(std::chrono::seconds(1767225600));
  config->clock = [now] { return now; };
  const cookieseal::SessionManager manager(std::move(*config));  // from_env's promise: no throw
  cookieseal::Session session = manager.create();
  session.mark_modified();
  const cookieseal::Commit out = manager.commit(session);
  FUZZ_CHECK(out.ok() && out.set_cookie.has_value());  // an empty session always fits
  const auto value = cookieseal::find_cookie(*out.set_cookie, manager.cookie_name());
  FUZZ_CHECK(value.has_value());
  const std::string request = manager.cookie_name() + "=" + std::string(*value);
  const cookieseal::Session back = manager.load(request);
  FUZZ_CHECK(back.load_status() == cookieseal::LoadStatus::loaded);
  FUZZ_CHECK(back.id() == session.id());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fuzz::as_text(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    parsers(rest);
  } else {
    fuzz::Fields in(rest);
    from_env(in);
  }
  return 0;
}
