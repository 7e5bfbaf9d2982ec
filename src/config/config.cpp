// cookieseal - Config::from_env, Config::validate and the bool/share parsers
#include <cookieseal/config.hpp>

#include <cookieseal/format.hpp>      // cookie_length, empty_session_plaintext_bytes
#include <cookieseal/set_cookie.hpp>  // check_cookie, is_cookie_name, parse_same_site, set_cookie_header_size

#include "encoding/text.hpp"  // trim, iequals, quoted

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>
#include <unistd.h>  // environ: the process environment, for finding mistyped variables
#include <vector>

namespace cookieseal {
namespace {

using detail::iequals;
using detail::quoted;
using detail::trim;

constexpr std::string_view duration_forms =
    "expected a whole number of seconds (3600) or a number with one unit s, m, h or d "
    "(90s, 30m, 24h, 7d), at most 36500d";
constexpr std::string_view bool_forms = "expected true/false, yes/no or 1/0 (any letter case)";
constexpr std::string_view share_forms =
    "expected a share from 0 to 1 as a decimal (0.5) or a percentage (50%)";
constexpr std::string_view same_site_forms = "expected Strict, Lax or None (any letter case)";

// Bytes of the Set-Cookie header an empty session needs: if even that exceeds the limit, no
// session could ever be stored.
std::size_t empty_session_header_bytes(std::string_view name, const CookieAttributes& cookie,
                                       std::chrono::seconds ttl) {
  return set_cookie_header_size(name, format::cookie_length(format::empty_session_plaintext_bytes), cookie,
                                ttl);
}

}  // namespace

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
  return cookie_name.empty() ? std::string("__Host-session") : cookie_name;
}

namespace {

// Without an explicit name, the default must keep `__Host-`: anything else would silently
// trade away the protection against cookie tossing (docs/SECURITY.md).
std::optional<std::string> implicit_downgrade(const Config& c) {
  if (!c.cookie_name.empty()) return std::nullopt;
  const char* what = !c.cookie.secure       ? "Secure is off"
                     : c.cookie.domain      ? "a Domain is set"
                     : c.cookie.path != "/" ? "the Path is not /"
                                            : nullptr;
  if (what == nullptr) return std::nullopt;
  return std::string(what) +
         ", so the default name __Host-session cannot be used; choose a cookie name explicitly "
         "(e.g. " +
         default_cookie_name(c.cookie) +
         "). Without the __Host- prefix a sibling subdomain can plant a cookie of the same name "
         "(cookie tossing; docs/SECURITY.md)";
}

}  // namespace

void Config::validate() const {
  if (!keys) throw ConfigError("cookieseal config: keys is required (e.g. Keyring::from_env())");
  lifetimes.validate("cookieseal config");
  if (auto problem = implicit_downgrade(*this)) throw ConfigError("cookieseal config: " + *problem);
  const std::string name = effective_cookie_name();
  if (auto problem = check_cookie(name, cookie)) throw ConfigError("cookieseal config: " + *problem);
  const std::size_t bytes = empty_session_header_bytes(name, cookie, lifetimes.ttl);
  if (bytes > max_set_cookie_bytes) {
    throw ConfigError(
        "cookieseal config: cookie name and attributes too long: even an empty session "
        "needs a Set-Cookie header of " +
        std::to_string(bytes) + " bytes, browsers keep at most " + std::to_string(max_set_cookie_bytes));
  }
}

Keyring KeySource::read() const {
  switch (kind) {
    case Kind::file: return Keyring::from_file(where, variable);
    case Kind::variable: {
      const char* text = std::getenv(where.c_str());  // NOLINT(concurrency-mt-unsafe): not the request path
      if (text == nullptr) {
        throw ConfigError(where +
                          " was removed from the environment when it was read (the default, so no child "
                          "process sees it); to reload keys while running, give them in a keys file "
                          "(KEYS_FILE) instead");
      }
      return Keyring::parse(text, where);
    }
    case Kind::code: break;
  }
  throw ConfigError(
      "the keys were set in code: there is nothing to reload; call rotate() with the new keyring");
}

namespace {

// One row of the environment table: a variable's name (after the prefix) and how its text
// goes into a Config. Each parser throws ConfigError naming `var` for a bad value.
struct EnvRow {
  std::string_view name;
  void (*apply)(Config& c, const std::string& text, const std::string& var);
};

std::chrono::seconds duration_of(const std::string& text, const std::string& var, bool positive) {
  const auto d = parse_duration(text);
  if (!d) throw ConfigError(var + ": " + quoted(text) + " is not a duration; " + std::string(duration_forms));
  if (positive && d->count() == 0) {
    throw ConfigError(var + ": must be positive, got " + quoted(text) + "; " + std::string(duration_forms));
  }
  return *d;
}

bool bool_of(const std::string& text, const std::string& var) {
  const auto b = parse_bool(text);
  if (!b) throw ConfigError(var + ": " + quoted(text) + " is not a boolean; " + std::string(bool_forms));
  return *b;
}

// A cookie attribute checked alone, so the message names its variable; returns the text.
template <class Field>
std::string checked_attribute(Field CookieAttributes::*field, const std::string& text, const std::string& var,
                              std::string_view forms) {
  CookieAttributes alone;
  alone.*field = text;
  if (auto problem = check_cookie("x", alone))
    throw ConfigError(var + ": " + *problem + "; " + std::string(forms));
  return text;
}

constexpr EnvRow env_rows[] = {
    {"TTL", [](Config& c, const std::string& t,
               const std::string& v) { c.lifetimes.ttl = duration_of(t, v, true); }},
    {"MAX_LIFETIME", [](Config& c, const std::string& t,
                        const std::string& v) { c.lifetimes.max_lifetime = duration_of(t, v, true); }},
    {"LEEWAY", [](Config& c, const std::string& t,
                  const std::string& v) { c.lifetimes.leeway = duration_of(t, v, false); }},
    {"RENEW_SHARE",
     [](Config& c, const std::string& t, const std::string& v) {
       const auto s = parse_share(t);
       if (!s) throw ConfigError(v + ": " + quoted(t) + " is not a share; " + std::string(share_forms));
       c.lifetimes.renew_share = *s;
     }},
    {"SECURE",
     [](Config& c, const std::string& t, const std::string& v) { c.cookie.secure = bool_of(t, v); }},
    {"HTTP_ONLY",
     [](Config& c, const std::string& t, const std::string& v) { c.cookie.http_only = bool_of(t, v); }},
    {"PARTITIONED",
     [](Config& c, const std::string& t, const std::string& v) { c.cookie.partitioned = bool_of(t, v); }},
    {"PERSISTENT",
     [](Config& c, const std::string& t, const std::string& v) { c.persistent = bool_of(t, v); }},
    {"SAME_SITE",
     [](Config& c, const std::string& t, const std::string& v) {
       const auto s = parse_same_site(t);
       if (!s) {
         throw ConfigError(v + ": " + quoted(t) + " is not a SameSite value; " +
                           std::string(same_site_forms));
       }
       c.cookie.same_site = *s;
     }},
    {"PATH",
     [](Config& c, const std::string& t, const std::string& v) {
       c.cookie.path =
           checked_attribute(&CookieAttributes::path, t, v,
                             "expected a path starting with '/', printable ASCII without ';', at most "
                             "1024 bytes");
     }},
    {"DOMAIN",
     [](Config& c, const std::string& t, const std::string& v) {
       c.cookie.domain =
           checked_attribute(&CookieAttributes::domain, t, v,
                             "expected a host name such as example.com (letters, digits, '-' and '.')");
     }},
    {"STORE_MODE",
     [](Config& c, const std::string& t, const std::string& v) {
       if (iequals(t, "auto") || iequals(t, "automatic")) c.store_mode = StoreMode::automatic;
       else if (iequals(t, "server")) c.store_mode = StoreMode::server;
       else throw ConfigError(v + ": " + quoted(t) + " is not a store mode; expected auto or server");
     }},
    {"STORE_CHECK_VERSION",
     [](Config& c, const std::string& t, const std::string& v) { c.check_version = bool_of(t, v); }},
    {"COOKIE_NAME",
     [](Config& c, const std::string& t, const std::string& v) {
       if (!is_cookie_name(t)) {
         throw ConfigError(
             v + ": " + quoted(t) +
             " is not a cookie name; expected printable ASCII without spaces or ()<>@,;:\\\"/[]?={}");
       }
       c.cookie_name = t;
     }},
};

// Read by other parts (the keys, server-side storage) or by from_env itself: known, not in the table.
constexpr std::string_view other_names[] = {"KEYS",
                                            "KEYS_FILE",
                                            "IGNORE",
                                            "REVOCATION",
                                            "REVOCATION_MAX_STALE",
                                            "REDIS_PASSWORD_FILE",
                                            "REDIS_PREFIX",
                                            "REDIS_USER",
                                            "REDIS_TIMEOUT",
                                            "STORE"};

}  // namespace

namespace {

// A variable's value: unset and empty (or all whitespace) alike mean "the default" (`VAR=` in a
// compose file is how people write "not set").
std::optional<std::string> env_value(const std::string& var) {
  const char* v = std::getenv(var.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
  if (v == nullptr) return std::nullopt;
  const std::string_view t = trim(v);
  if (t.empty()) return std::nullopt;
  return std::string(t);
}

// A prefix is upper-case letters, digits and '_', ending in '_': "" would read PATH as the
// cookie path, "X" would read XTTL.
void check_prefix(std::string_view prefix) {
  const bool chars_ok = std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (prefix.empty() || !chars_ok || prefix.back() != '_') {
    throw ConfigError(
        "Config::from_env: the prefix " + quoted(prefix) +
        " must be upper-case letters, digits and '_', ending in '_' (e.g. COOKIESEAL_); an empty "
        "prefix would read unrelated variables such as PATH");
  }
}

bool known_name(std::string_view name) {
  return std::any_of(std::begin(env_rows), std::end(env_rows),
                     [&](const EnvRow& r) { return r.name == name; }) ||
         std::find(std::begin(other_names), std::end(other_names), name) != std::end(other_names);
}

// Levenshtein distance, case-insensitive (names are short: a 2-row table is plenty).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t same = detail::ascii_lower(a[i - 1]) == detail::ascii_lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + same});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The known name an unknown one was probably meant as: the closest within 3 edits, or one that
// it ends with (COOKIE_PATH -> PATH).
std::optional<std::string_view> suggestion(std::string_view unknown) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 4;
  auto consider = [&](std::string_view known) {
    std::size_t d = edit_distance(unknown, known);
    if (unknown.size() > known.size() && unknown.ends_with(known)) d = std::min<std::size_t>(d, 1);
    if (d < best_distance) best_distance = d, best = known;
  };
  for (const EnvRow& r : env_rows) consider(r.name);
  for (std::string_view n : other_names) consider(n);
  return best;
}

// Names after the prefix in <prefix>IGNORE (comma-separated): variables of the application's own
// that share the prefix.
std::vector<std::string> ignored_names(const std::string& prefix) {
  std::vector<std::string> out;
  const auto text = env_value(prefix + "IGNORE");
  if (!text) return out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view name = trim(rest.substr(0, comma));
    if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
    if (!name.empty()) out.emplace_back(name);
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return out;
}

// A typo (COOKIESEAL_TTl, COOKIESEAL_HTTPONLY) would otherwise pass silently with its default.
void refuse_unknown_variables(const std::string& prefix) {
  const std::vector<std::string> ignored = ignored_names(prefix);
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with(prefix)) continue;
    const std::string_view name = entry.substr(prefix.size(), entry.find('=') - prefix.size());
    if (known_name(name) || std::find(ignored.begin(), ignored.end(), name) != ignored.end()) continue;
    const bool plain = std::all_of(name.begin(), name.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
    const std::string full = prefix + std::string(name);
    std::string message = "unknown variable ";
    message += plain ? "\"" + full + "\"" : quoted(full, 80);
    message += ": ";
    if (const auto guess = suggestion(name))
      message.append("did you mean ").append(prefix).append(*guess).append("? ");
    message.append("(list the application's own ").append(prefix).append("* variables in ").append(prefix);
    message.append("IGNORE, comma-separated, to allow them; docs/CONFIGURATION.md)");
    throw ConfigError(message);
  }
}

// The cookie settings together (prefix rules, SameSite=None and Partitioned need Secure, the
// default name's __Host- needs, the size), naming every variable involved.
void check_cookie_settings(const Config& c, const std::string& prefix) {
  const std::string cookie_vars = prefix + "COOKIE_NAME, " + prefix + "SECURE, " + prefix + "SAME_SITE, " +
                                  prefix + "PARTITIONED, " + prefix + "PATH, " + prefix + "DOMAIN";
  if (auto problem = implicit_downgrade(c)) throw ConfigError(cookie_vars + ": " + *problem);
  const std::string name = c.effective_cookie_name();
  if (auto problem = check_cookie(name, c.cookie)) {
    throw ConfigError("cookie settings (" + cookie_vars + ") do not go together: " + *problem);
  }
  if (const std::size_t bytes = empty_session_header_bytes(name, c.cookie, c.lifetimes.ttl);
      bytes > max_set_cookie_bytes) {
    throw ConfigError(prefix + "COOKIE_NAME, " + prefix + "PATH, " + prefix +
                      "DOMAIN: too long: even an empty session needs a Set-Cookie header of " +
                      std::to_string(bytes) + " bytes, browsers keep at most " +
                      std::to_string(max_set_cookie_bytes));
  }
}

}  // namespace

Config Config::from_env(std::string_view prefix_view, KeysInEnvironment keys_in_environment) {
  check_prefix(prefix_view);
  const std::string prefix(prefix_view);
  refuse_unknown_variables(prefix);
  Config c;
  c.env_prefix = prefix;
  // 1. Every setting of the table (each message names its variable), then the combinations.
  for (const EnvRow& row : env_rows) {
    const std::string var = prefix + std::string(row.name);
    if (const auto text = env_value(var)) row.apply(c, *text, var);
  }
  if (c.lifetimes.effective_leeway() >= c.lifetimes.ttl || c.lifetimes.ttl > max_ttl) {
    try {
      c.lifetimes.validate(prefix + "TTL, " + prefix + "LEEWAY");
    } catch (const ConfigError&) {
      throw ConfigError(prefix + "LEEWAY (" + format_duration(c.lifetimes.effective_leeway()) +
                        ") must be shorter than " + prefix + "TTL (" + format_duration(c.lifetimes.ttl) +
                        "), and " + prefix + "TTL at most 400d (the longest cookie lifetime browsers keep)");
    }
  }
  check_cookie_settings(c, prefix);
  // 2. Server-side revocation, when asked for (it may connect: the variables above are fine).
  if (const auto spec = env_value(prefix + "REVOCATION")) {
    RedisSettings redis = RedisSettings::from_env(prefix);  // its messages name their variables
    RevocationOptions options = RevocationOptions::from_env(prefix);
    try {
      c.revocation = make_revocation(*spec, std::move(redis), options);
    } catch (const ConfigError& e) {
      throw ConfigError(prefix + "REVOCATION: " + e.what());
    }
  }
  // 3. Server-side storage, when asked for (`cookie` is the default: no store).
  if (const auto spec = env_value(prefix + "STORE")) {
    RedisSettings redis = RedisSettings::from_env(prefix);
    try {
      c.store = make_session_store(*spec, std::move(redis));
    } catch (const ConfigError& e) {
      throw ConfigError(prefix + "STORE: " + e.what());
    }
  }
  if (!c.store && (env_value(prefix + "STORE_MODE") || env_value(prefix + "STORE_CHECK_VERSION"))) {
    throw ConfigError(prefix + "STORE_MODE and " + prefix + "STORE_CHECK_VERSION need a store: set " +
                      prefix + "STORE to memory or a redis:// URL (without one, sessions live in cookies)");
  }
  // 4. Keys last: a mistake above must not have consumed (and wiped) <prefix>KEYS already.
  const std::string file_var = prefix + "KEYS_FILE";
  // NOLINTNEXTLINE(concurrency-mt-unsafe): start-up only, as documented
  if (const auto path = env_value(file_var); path && std::getenv((prefix + "KEYS").c_str()) == nullptr) {
    c.key_source = KeySource{KeySource::Kind::file, *path, file_var};
  } else {
    c.key_source = KeySource{KeySource::Kind::variable, prefix + "KEYS", prefix + "KEYS"};
  }
  c.keys = Keyring::from_env(prefix, keys_in_environment);  // both or neither set: its own message
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
  out << "ttl = " << format_duration(lifetimes.ttl) << '\n';
  out << "max_lifetime = " << format_duration(lifetimes.max_lifetime) << '\n';
  out << "renew_share = " << lifetimes.renew_share << '\n';
  out << "leeway = " << format_duration(lifetimes.effective_leeway())
      << (lifetimes.leeway ? "" : " (default)") << '\n';
  out << "persistent = " << (persistent ? "true" : "false") << '\n';
  out << "keys = ";
  if (!keys) {
    out << "(none: not set, or moved into a SessionManager)";
  } else {
    for (std::size_t i = 0; i < keys->size(); ++i) {
      out << (i == 0 ? "" : ", ") << keys->keys()[i].id().hex() << (i == 0 ? " (primary)" : "");
    }
  }
  out << '\n';
  out << "revocation = " << (revocation ? "list" : "none") << (is_revoked ? " + hook" : "") << '\n';
  if (store) {
    out << "store = yes, mode " << (store_mode == StoreMode::server ? "server" : "auto") << ", version check "
        << (check_version ? "on" : "off") << '\n';
  } else {
    out << "store = none (sessions live in cookies)\n";
  }
  return out.str();
}

}  // namespace cookieseal
