// cookieseal - RedisEndpoint::parse (redis:// and unix:// URLs) and RedisSettings::from_env
#include <cookieseal/error.hpp>
#include <cookieseal/redis.hpp>

#include "encoding/text.hpp"  // trim, quoted, shown_path

#include <charconv>
#include <cstdlib>  // std::getenv
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace cookieseal {
namespace {

constexpr std::size_t max_password_bytes = 4096;
constexpr std::string_view url_forms =
    "expected redis://[user@]host[:port][/db] or unix:///path/to/socket[?db=N]";

// A bad value for a message (detail::quoted: escaped, cut short, never key-like text). Only
// called on text that holds no password (the userinfo part of a URL is never echoed).
std::string echo(std::string_view text) { return detail::quoted(text, 60); }

[[noreturn]] void bad_url(std::string_view url, std::string_view why) {
  throw ConfigError("Redis URL " + echo(url) + ": " + std::string(why) + "; " + std::string(url_forms));
}

std::optional<long> parse_number(std::string_view s, long max) noexcept {
  long n = 0;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, n);
  if (s.empty() || ec != std::errc{} || p != end || n < 0 || n > max) return std::nullopt;
  return n;
}

int parse_db(std::string_view url, std::string_view text) {
  const auto db = parse_number(text, 1'000'000);
  if (!db) bad_url(url, "the database must be a number from 0");
  return static_cast<int>(*db);
}

// host[:port] or [v6][:port]
void parse_host_port(std::string_view url, std::string_view hp, RedisEndpoint& e) {
  std::string_view port;
  if (hp.starts_with('[')) {
    const std::size_t close = hp.find(']');
    if (close == std::string_view::npos) bad_url(url, "unclosed '[' in the host");
    e.host = std::string(hp.substr(1, close - 1));
    hp.remove_prefix(close + 1);
    if (!hp.empty() && !hp.starts_with(':')) bad_url(url, "junk after ']'");
    if (!hp.empty()) port = hp.substr(1);
  } else {
    const std::size_t colon = hp.find(':');
    e.host = std::string(hp.substr(0, colon));
    if (colon != std::string_view::npos) port = hp.substr(colon + 1);
  }
  if (e.host.empty()) bad_url(url, "no host");
  for (char c : e.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '_';
    if (!ok) bad_url(url, "the host may hold letters, digits, '.', '-', '_' (and ':' inside [...])");
  }
  if (port.empty() && hp.find(':') != std::string_view::npos && !hp.starts_with('['))
    bad_url(url, "empty port");
  if (!port.empty()) {
    const auto p = parse_number(port, 65535);
    if (!p || *p == 0) bad_url(url, "the port must be a number from 1 to 65535");
    e.port = static_cast<std::uint16_t>(*p);
  }
}

RedisEndpoint parse_tcp(std::string_view url, std::string_view rest) {
  RedisEndpoint e;
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (rest.find('?') != std::string_view::npos)
    bad_url(url, "query parameters are not accepted in redis:// URLs");
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    if (userinfo.find(':') != std::string_view::npos) {
      // Not echoed: it holds the password.
      throw ConfigError(
          "Redis URL: a password in the URL is refused (it would show in process lists and logs); put it in "
          "a "
          "file named by COOKIESEAL_REDIS_PASSWORD_FILE and keep only the user in the URL "
          "(redis://user@host)");
    }
    if (userinfo.empty()) bad_url(url.substr(0, 8), "empty user before '@'");
    e.user = std::string(userinfo);
    authority.remove_prefix(at + 1);
  }
  parse_host_port(url, authority, e);
  if (slash != std::string_view::npos && slash + 1 < rest.size())
    e.db = parse_db(url, rest.substr(slash + 1));
  return e;
}

RedisEndpoint parse_unix(std::string_view url, std::string_view rest) {
  RedisEndpoint e;
  const std::size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (path.find('@') != std::string_view::npos && !path.starts_with('/')) {
    bad_url(url.substr(0, 7),
            "unix:// URLs take no user or password: the user comes from COOKIESEAL_REDIS_USER");
  }
  if (!path.starts_with('/') || path.size() < 2)
    bad_url(url, "the socket path must be absolute (unix:///run/redis.sock)");
  if (path.size() > 107) bad_url(url, "the socket path is longer than 107 bytes");
  e.unix_path = std::string(path);
  if (q != std::string_view::npos) {
    const std::string_view query = rest.substr(q + 1);
    if (!query.starts_with("db=")) bad_url(url, "the only query parameter is db=N");
    e.db = parse_db(url, query.substr(3));
  }
  return e;
}

std::optional<std::string> env(std::string_view var_prefix, std::string_view name) {
  const std::string var = std::string(var_prefix) + std::string(name);
  const char* v = std::getenv(var.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
  // As for every COOKIESEAL_ variable: unset, empty or only whitespace means the default.
  if (v == nullptr || detail::trim(v).empty()) return std::nullopt;
  return std::string(v);
}

std::string read_password(const std::string& var, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(var + ": cannot read the password file (" + detail::shown_path(path) + ")");
  std::string pw;
  pw.resize(max_password_bytes + 1);
  in.read(pw.data(), static_cast<std::streamsize>(pw.size()));
  pw.resize(static_cast<std::size_t>(in.gcount()));
  if (pw.size() > max_password_bytes)
    throw ConfigError(var + ": the password file is longer than 4096 bytes");
  if (pw.ends_with('\n')) pw.pop_back();
  if (pw.ends_with('\r')) pw.pop_back();
  if (pw.empty()) throw ConfigError(var + ": the password file (" + detail::shown_path(path) + ") is empty");
  for (char c : pw) {
    // Contents never echoed: say only what is wrong.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw ConfigError(var + ": the password holds a control character or a second line");
    }
  }
  return pw;
}

std::chrono::milliseconds parse_timeout(const std::string& var, std::string_view text) {
  text = detail::trim(text);
  long ms = -1;
  if (text.ends_with("ms")) {
    if (auto n = parse_number(text.substr(0, text.size() - 2), 600'000)) ms = *n;
  } else if (text.ends_with('s')) {
    if (auto n = parse_number(text.substr(0, text.size() - 1), 600)) ms = *n * 1000;
  } else if (auto n = parse_number(text, 600)) {
    ms = *n * 1000;
  }
  if (ms <= 0)
    throw ConfigError(var + ": " + echo(text) + " is not a timeout; expected 1ms to 600s (500ms, 2s, 2)");
  return std::chrono::milliseconds(ms);
}

}  // namespace

RedisEndpoint RedisEndpoint::parse(std::string_view url) {
  url = detail::trim(url);
  if (url.starts_with("redis://")) return parse_tcp(url, url.substr(8));
  if (url.starts_with("unix://")) return parse_unix(url, url.substr(7));
  if (url.starts_with("rediss://"))
    bad_url(url, "TLS (rediss://) is not supported by this build; use a unix socket or a TLS tunnel");
  bad_url(url.substr(0, url.find('@')), "unknown scheme");
}

std::string RedisEndpoint::to_string() const {
  if (!unix_path.empty()) return "unix://" + unix_path + (db != 0 ? "?db=" + std::to_string(db) : "");
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + (user.empty() ? "" : user + "@") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + "/" + std::to_string(db);
}

RedisSettings RedisSettings::from_env(std::string_view var_prefix) {
  RedisSettings s;
  const std::string p(var_prefix);
  if (auto file = env(var_prefix, "REDIS_PASSWORD_FILE"))
    s.password = read_password(p + "REDIS_PASSWORD_FILE", *file);
  if (auto user = env(var_prefix, "REDIS_USER")) s.endpoint.user = *user;
  if (auto prefix = env(var_prefix, "REDIS_PREFIX")) s.prefix = *prefix;
  if (auto t = env(var_prefix, "REDIS_TIMEOUT")) {
    s.connect_timeout = s.command_timeout = parse_timeout(p + "REDIS_TIMEOUT", *t);
  }
  try {
    s.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(p + "REDIS_PREFIX / " + p + "REDIS_USER: " + e.what());
  }
  return s;
}

void RedisSettings::validate() const {
  if (prefix.empty() || prefix.size() > 64)
    throw ConfigError("the Redis key prefix must be 1 to 64 characters");
  for (char c : prefix) {
    if (c <= 0x20 || c >= 0x7f || c == '{' || c == '}') {
      throw ConfigError(
          "the Redis key prefix " + echo(prefix) +
          " may hold printable ASCII only, without space, '{' or '}' (it goes inside a hash tag)");
    }
  }
  for (char c : endpoint.user) {
    if (c <= 0x20 || c >= 0x7f)
      throw ConfigError("the Redis user name may hold printable ASCII only, without space");
  }
  if (connect_timeout.count() <= 0 || command_timeout.count() <= 0)
    throw ConfigError("Redis timeouts must be positive");
  if (endpoint.db < 0) throw ConfigError("the Redis database number must be 0 or more");
}

}  // namespace cookieseal
