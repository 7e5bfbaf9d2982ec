// cookieseal - Config::from_env, Config::validate and the duration/bool/share parsers
#include <cookieseal/config.hpp>

#include <cookieseal/format.hpp>      // cookie_length
#include <cookieseal/set_cookie.hpp>  // check_cookie, is_cookie_name, parse_same_site, set_cookie_header_size

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>

namespace cookieseal {
namespace {

// An empty Session's plaintext (docs/SESSION.md §Payload): endianness flag, layout, id,
// created_at, entry count. The cookie must fit at least this.
constexpr std::size_t empty_session_plaintext_bytes = 1 + 1 + SessionId::size + 8 + 8;  // 34

// Longest echo of a bad value in a message: enough to recognise it, not a log-flooding channel.
constexpr std::size_t echo_bytes = 40;

constexpr std::string_view duration_forms =
    "expected a whole number of seconds (3600) or a number with one unit s, m, h or d "
    "(90s, 30m, 24h, 7d), at most 36500d";
constexpr std::string_view bool_forms = "expected true/false, yes/no or 1/0 (any letter case)";
constexpr std::string_view share_forms =
    "expected a share from 0 to 1 as a decimal (0.5) or a percentage (50%)";
constexpr std::string_view same_site_forms = "expected Strict, Lax or None (any letter case)";

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;
  }
  return true;
}

// The value in double quotes, cut to echo_bytes, with '"', '\' and anything but printable
// ASCII escaped: a message can neither be forged nor break a log line.
std::string quoted(std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  const std::size_t n = std::min(value.size(), echo_bytes);
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

// Bytes of the Set-Cookie header an empty session needs: if even that exceeds the limit, no
// session could ever be stored.
std::size_t empty_session_header_bytes(std::string_view name, const CookieAttributes& cookie,
                                       std::chrono::seconds ttl) {
  return set_cookie_header_size(name, format::cookie_length(empty_session_plaintext_bytes), cookie, ttl);
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) noexcept {
  text = trim(text);
  std::int64_t n = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    n = n * 10 + (text[i] - '0');
    if (n > max_duration.count()) return std::nullopt;  // also stops any overflow of n
  }
  if (i == 0) return std::nullopt;  // no digits (sign, space, empty, unit alone)
  std::int64_t unit = 1;
  if (i < text.size()) {
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    if (i + 1 != text.size()) return std::nullopt;  // "1h30m", "10 s", "5ms"
  }
  if (n > max_duration.count() / unit) return std::nullopt;
  return std::chrono::seconds(n * unit);
}

std::string format_duration(std::chrono::seconds duration) {
  const std::int64_t s = duration.count();
  if (s == 0) return "0s";
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::optional<bool> parse_bool(std::string_view text) noexcept {
  text = trim(text);
  if (iequals(text, "true") || iequals(text, "yes") || text == "1") return true;
  if (iequals(text, "false") || iequals(text, "no") || text == "0") return false;
  return std::nullopt;
}

std::optional<double> parse_share(std::string_view text) noexcept {
  text = trim(text);
  double scale = 1;
  if (!text.empty() && text.back() == '%') {
    text.remove_suffix(1);
    scale = 100;
  }
  // Digits and at most one '.', nothing else: from_chars alone would take "-0", "inf", "1e0".
  if (text.empty() || text.size() > 32 || text == ".") return std::nullopt;
  int dots = 0;
  for (char c : text) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return std::nullopt;
  }
  if (dots > 1) return std::nullopt;
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!(value >= 0 && value <= scale)) return std::nullopt;
  return value / scale;
}

std::string default_cookie_name(const CookieAttributes& attributes) {
  if (!attributes.secure) return "session";
  // __Host- also needs Path=/ and no Domain; anything else can still have __Secure-.
  if (!attributes.domain && attributes.path == "/") return "__Host-session";
  return "__Secure-session";
}

std::string Config::effective_cookie_name() const {
  return cookie_name.empty() ? default_cookie_name(cookie) : cookie_name;
}

void Config::validate() const {
  if (!keys) throw ConfigError("cookieseal config: keys is required (e.g. Keyring::from_env())");
  if (ttl.count() <= 0 || ttl > max_duration) {
    throw ConfigError("cookieseal config: ttl must be positive and at most 36500d (got " +
                      std::to_string(ttl.count()) + "s)");
  }
  if (max_lifetime.count() <= 0 || max_lifetime > max_duration) {
    throw ConfigError("cookieseal config: max_lifetime must be positive and at most 36500d (got " +
                      std::to_string(max_lifetime.count()) + "s)");
  }
  if (!(renew_share >= 0.0 && renew_share <= 1.0)) {  // written so that NaN fails too
    throw ConfigError("cookieseal config: renew_share must be from 0 to 1");
  }
  if (leeway.count() < 0 || leeway >= ttl) {
    throw ConfigError("cookieseal config: leeway must be at least 0s and shorter than ttl (got " +
                      std::to_string(leeway.count()) + "s, ttl " + std::to_string(ttl.count()) + "s)");
  }
  const std::string name = effective_cookie_name();
  if (auto problem = check_cookie(name, cookie)) throw ConfigError("cookieseal config: " + *problem);
  const std::size_t bytes = empty_session_header_bytes(name, cookie, ttl);
  if (bytes > max_set_cookie_bytes) {
    throw ConfigError(
        "cookieseal config: cookie name and attributes too long: even an empty session "
        "needs a Set-Cookie header of " +
        std::to_string(bytes) + " bytes, browsers keep at most " + std::to_string(max_set_cookie_bytes));
  }
}

Config Config::from_env(std::string_view prefix, bool remove_keys_from_environment) {
  Config c;
  c.env_prefix = std::string(prefix);
  auto var = [&](std::string_view name) { return c.env_prefix + std::string(name); };
  // Unset and empty (or all whitespace) alike mean "the default": `VAR=` in a compose file
  // is how people write "not set".
  auto read = [&](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(var(name).c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
    if (v == nullptr) return std::nullopt;
    const std::string_view t = trim(v);
    if (t.empty()) return std::nullopt;
    return std::string(t);
  };
  auto duration = [&](std::string_view name, std::chrono::seconds& field, bool positive) {
    const auto text = read(name);
    if (!text) return;
    const auto d = parse_duration(*text);
    if (!d) {
      throw ConfigError(var(name) + ": " + quoted(*text) + " is not a duration; " +
                        std::string(duration_forms));
    }
    if (positive && d->count() == 0) {
      throw ConfigError(var(name) + ": must be positive, got " + quoted(*text) + "; " +
                        std::string(duration_forms));
    }
    field = *d;
  };
  auto boolean = [&](std::string_view name, bool& field) {
    const auto text = read(name);
    if (!text) return;
    const auto b = parse_bool(*text);
    if (!b) {
      throw ConfigError(var(name) + ": " + quoted(*text) + " is not a boolean; " + std::string(bool_forms));
    }
    field = *b;
  };

  // 1. Lifetimes.
  duration("TTL", c.ttl, true);
  duration("MAX_LIFETIME", c.max_lifetime, true);
  duration("LEEWAY", c.leeway, false);
  if (c.leeway >= c.ttl) {
    throw ConfigError(var("LEEWAY") + " (" + format_duration(c.leeway) + ") must be shorter than " +
                      var("TTL") + " (" + format_duration(c.ttl) + ")");
  }
  if (const auto text = read("RENEW_SHARE")) {
    const auto s = parse_share(*text);
    if (!s) {
      throw ConfigError(var("RENEW_SHARE") + ": " + quoted(*text) + " is not a share; " +
                        std::string(share_forms));
    }
    c.renew_share = *s;
  }

  // 2. Cookie attributes, each checked alone so the message names its variable.
  boolean("SECURE", c.cookie.secure);
  boolean("HTTP_ONLY", c.cookie.http_only);
  boolean("PARTITIONED", c.cookie.partitioned);
  if (const auto text = read("SAME_SITE")) {
    const auto s = parse_same_site(*text);
    if (!s) {
      throw ConfigError(var("SAME_SITE") + ": " + quoted(*text) + " is not a SameSite value; " +
                        std::string(same_site_forms));
    }
    c.cookie.same_site = *s;
  }
  if (const auto text = read("PATH")) {
    CookieAttributes alone;
    alone.path = *text;
    if (auto problem = check_cookie("x", alone)) {
      throw ConfigError(
          var("PATH") + ": " + *problem +
          "; expected a path starting with '/', printable ASCII without ';', at most 1024 bytes");
    }
    c.cookie.path = *text;
  }
  if (const auto text = read("DOMAIN")) {
    CookieAttributes alone;
    alone.domain = *text;
    if (auto problem = check_cookie("x", alone)) {
      throw ConfigError(var("DOMAIN") + ": " + *problem +
                        "; expected a host name such as example.com (letters, digits, '-' and '.')");
    }
    c.cookie.domain = *text;
  }
  if (const auto text = read("COOKIE_NAME")) {
    if (!is_cookie_name(*text)) {
      throw ConfigError(
          var("COOKIE_NAME") + ": " + quoted(*text) +
          " is not a cookie name; expected printable ASCII without spaces or ()<>@,;:\\\"/[]?={}");
    }
    c.cookie_name = *text;
  }

  // 3. The combination (prefix rules, SameSite=None and Partitioned need Secure) and the size.
  const std::string name = c.effective_cookie_name();
  const std::string cookie_vars = var("COOKIE_NAME") + ", " + var("SECURE") + ", " + var("SAME_SITE") + ", " +
                                  var("PARTITIONED") + ", " + var("PATH") + ", " + var("DOMAIN");
  if (auto problem = check_cookie(name, c.cookie)) {
    throw ConfigError("cookie settings (" + cookie_vars + ") do not go together: " + *problem);
  }
  if (const std::size_t bytes = empty_session_header_bytes(name, c.cookie, c.ttl);
      bytes > max_set_cookie_bytes) {
    throw ConfigError(var("COOKIE_NAME") + ", " + var("PATH") + ", " + var("DOMAIN") +
                      ": too long: even an empty session needs a Set-Cookie header of " +
                      std::to_string(bytes) + " bytes, browsers keep at most " +
                      std::to_string(max_set_cookie_bytes));
  }

  // 4. Keys last: a mistake above must not have consumed (and wiped) <prefix>KEYS already.
  c.keys = Keyring::from_env(prefix, remove_keys_from_environment);

  c.validate();  // everything again, as SessionManager will: never returns a Config it refuses
  return c;
}

std::string Config::summary() const {
  std::ostringstream out;
  out << "cookie_name = " << effective_cookie_name() << '\n';
  out << "path = " << cookie.path << '\n';
  out << "domain = " << (cookie.domain ? *cookie.domain : std::string("(none, host-only)")) << '\n';
  out << "secure = " << (cookie.secure ? "true" : "false") << '\n';
  out << "http_only = " << (cookie.http_only ? "true" : "false") << '\n';
  out << "same_site = " << to_string(cookie.same_site) << '\n';
  out << "partitioned = " << (cookie.partitioned ? "true" : "false") << '\n';
  out << "ttl = " << format_duration(ttl) << '\n';
  out << "max_lifetime = " << format_duration(max_lifetime) << '\n';
  out << "renew_share = " << renew_share << '\n';
  out << "leeway = " << format_duration(leeway) << '\n';
  out << "keys = ";
  if (!keys) {
    out << "(none: not set, or moved into a SessionManager)";
  } else {
    for (std::size_t i = 0; i < keys->size(); ++i) {
      out << (i == 0 ? "" : ", ") << keys->keys()[i].id().hex() << (i == 0 ? " (primary)" : "");
    }
  }
  out << '\n';
  out << "revocation = " << (is_revoked ? "hook set" : "none") << '\n';
  return out.str();
}

}  // namespace cookieseal
