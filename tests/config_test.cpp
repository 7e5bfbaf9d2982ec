// Tests for include/cookieseal/config.hpp: the parsers, Config::from_env (every variable,
// every bad value), default cookie names, and validation
#include <cookieseal/config.hpp>
#include <cookieseal/session_manager.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using cookieseal::Config;
using cookieseal::parse_bool;
using cookieseal::parse_duration;
using cookieseal::parse_share;
using cookieseal::SameSite;
using test_support::config_error_of;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ScopedEnv;
using namespace std::chrono_literals;

namespace {

// Reads the environment and leaves the keys there, for tests that read it more than once
// (from_env removes them by default: see "from_env removes the keys from the environment").
Config keep_env() { return Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::keep); }

using Vars = std::vector<std::pair<std::string, std::optional<std::string>>>;

const char* const variables[] = {"KEYS",        "KEYS_FILE", "COOKIE_NAME", "TTL",        "MAX_LIFETIME",
                                 "RENEW_SHARE", "LEEWAY",    "SECURE",      "HTTP_ONLY",  "SAME_SITE",
                                 "PARTITIONED", "PATH",      "DOMAIN",      "PERSISTENT", "IGNORE"};

// Every variable of `prefix` unset, then KEYS = key A, then the given ones, for the scope.
class Env {
 public:
  explicit Env(std::vector<std::pair<std::string, std::optional<std::string>>> set = {},
               std::string prefix = "COOKIESEAL_") {
    for (const char* v : variables) scoped_.push_back(std::make_unique<ScopedEnv>(prefix + v, std::nullopt));
    scoped_.push_back(std::make_unique<ScopedEnv>(prefix + "KEYS", std::string(key_a_text)));
    for (auto& [name, value] : set) scoped_.push_back(std::make_unique<ScopedEnv>(prefix + name, value));
  }

 private:
  std::vector<std::unique_ptr<ScopedEnv>> scoped_;
};

void write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

std::string env_error(std::vector<std::pair<std::string, std::optional<std::string>>> set) {
  const Env env(std::move(set));
  return config_error_of([] { (void)keep_env(); });
}

}  // namespace

TEST_CASE("parse_duration reads seconds and s, m, h, d units, and nothing else") {
  CHECK(parse_duration("3600") == 3600s);
  CHECK(parse_duration("90s") == 90s);
  CHECK(parse_duration("30m") == 30min);
  CHECK(parse_duration("24h") == 24h);
  CHECK(parse_duration("7d") == 7 * 24h);
  CHECK(parse_duration("0") == 0s);
  CHECK(parse_duration(" \t12h\n") == 12h);
  CHECK(parse_duration("007s") == 7s);
  CHECK(parse_duration("36500d") == cookieseal::max_duration);
  for (std::string_view bad : {"", " ", "h", "-5", "+5", "1.5h", "1h30m", "10 s", "5ms", "5S", "5H", "1w",
                               "36501d", "3153600001", "99999999999999999999999", "0x10", "5s ", "s5"}) {
    CAPTURE(bad);
    if (bad == "5s ") {
      CHECK(parse_duration(bad) == 5s);  // whitespace around is trimmed
      continue;
    }
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("format_duration writes the largest exact unit, and parse_duration reads it back") {
  CHECK(cookieseal::format_duration(0s) == "0s");
  CHECK(cookieseal::format_duration(45s) == "45s");
  CHECK(cookieseal::format_duration(90min) == "90m");
  CHECK(cookieseal::format_duration(48h) == "2d");
  CHECK(cookieseal::format_duration(25h) == "25h");
  for (auto d : {1s, 61s, 3600s, 86400s, 86401s}) CHECK(parse_duration(cookieseal::format_duration(d)) == d);
}

TEST_CASE("parse_bool reads true/false, yes/no, 1/0 in any letter case") {
  for (std::string_view t : {"true", "TRUE", "True", "yes", "YES", "1", " yes "})
    CHECK(parse_bool(t) == true);
  for (std::string_view f : {"false", "False", "no", "No", "0", "\tfalse"}) CHECK(parse_bool(f) == false);
  for (std::string_view bad : {"", "on", "off", "y", "n", "2", "truee", "t", "yes!", "01"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_bool(bad).has_value());
  }
}

TEST_CASE("parse_share reads a decimal from 0 to 1 or a percentage") {
  CHECK(parse_share("0.5") == 0.5);
  CHECK(parse_share(".25") == 0.25);
  CHECK(parse_share("1") == 1.0);
  CHECK(parse_share("0") == 0.0);
  CHECK(parse_share("50%") == 0.5);
  CHECK(parse_share("12.5%") == 0.125);
  CHECK(parse_share("100%") == 1.0);
  for (std::string_view bad :
       {"", "%", ".", "1.5", "101%", "-0.1", "+0.5", "1e-1", "inf", "nan", "0.5.1", "50 %", "half"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_share(bad).has_value());
  }
}

TEST_CASE("the default cookie name is the safest the attributes allow") {
  cookieseal::CookieAttributes a;
  CHECK(cookieseal::default_cookie_name(a) == "__Host-session");
  a.domain = "example.com";
  CHECK(cookieseal::default_cookie_name(a) == "__Secure-session");
  a.domain.reset();
  a.path = "/app";
  CHECK(cookieseal::default_cookie_name(a) == "__Secure-session");
  a.secure = false;
  CHECK(cookieseal::default_cookie_name(a) == "session");
  a.domain = "example.com";
  CHECK(cookieseal::default_cookie_name(a) == "session");
}

TEST_CASE("from_env with only the keys set gives every default") {
  const Env env;
  const Config c = keep_env();
  REQUIRE(c.keys);
  CHECK(c.keys->size() == 1);
  CHECK(c.effective_cookie_name() == "__Host-session");
  CHECK(c.lifetimes.ttl == 24h);
  CHECK(c.lifetimes.max_lifetime == 7 * 24h);
  CHECK(c.lifetimes.renew_share == 0.5);
  CHECK_FALSE(c.lifetimes.leeway.has_value());
  CHECK(c.lifetimes.effective_leeway() == 60s);
  CHECK(c.cookie.secure);
  CHECK(c.cookie.http_only);
  CHECK(c.cookie.same_site == SameSite::lax);
  CHECK_FALSE(c.cookie.partitioned);
  CHECK(c.cookie.path == "/");
  CHECK_FALSE(c.cookie.domain.has_value());
  CHECK(c.env_prefix == "COOKIESEAL_");
}

TEST_CASE("from_env reads every variable") {
  const Env env(Vars{{"KEYS", std::string(key_b_text) + "," + key_a_text},
                     {"COOKIE_NAME", "sid"},
                     {"TTL", "2h"},
                     {"MAX_LIFETIME", "3d"},
                     {"RENEW_SHARE", "75%"},
                     {"LEEWAY", "30s"},
                     {"SECURE", "no"},
                     {"HTTP_ONLY", "FALSE"},
                     {"SAME_SITE", "strict"},
                     {"PARTITIONED", "0"},
                     {"PATH", "/app"},
                     {"DOMAIN", "example.com"}});
  const Config c = keep_env();
  CHECK(c.keys->size() == 2);
  CHECK(c.keys->primary().id() == test_support::ring({key_b_text}).primary().id());
  CHECK(c.effective_cookie_name() == "sid");
  CHECK(c.lifetimes.ttl == 2h);
  CHECK(c.lifetimes.max_lifetime == 72h);
  CHECK(c.lifetimes.renew_share == 0.75);
  CHECK(c.lifetimes.leeway == 30s);
  CHECK_FALSE(c.cookie.secure);
  CHECK_FALSE(c.cookie.http_only);
  CHECK(c.cookie.same_site == SameSite::strict);
  CHECK_FALSE(c.cookie.partitioned);
  CHECK(c.cookie.path == "/app");
  CHECK(c.cookie.domain == "example.com");
  const cookieseal::SessionManager m(keep_env());  // what from_env returns always builds
  CHECK(m.cookie_name() == "sid");
}

TEST_CASE("from_env reads KEYS_FILE, and PARTITIONED and SameSite=None with Secure") {
  const std::string path = "/tmp/cookieseal_config_test_keys_" + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("# primary\n", f);
    std::fputs(key_b_text, f);
    std::fputs("\n", f);
    std::fclose(f);
  }
  const Env env(
      Vars{{"KEYS", std::nullopt}, {"KEYS_FILE", path}, {"PARTITIONED", "yes"}, {"SAME_SITE", "None"}});
  const Config c = keep_env();
  std::remove(path.c_str());
  CHECK(c.keys->primary().id() == test_support::ring({key_b_text}).primary().id());
  CHECK(c.cookie.partitioned);
  CHECK(c.cookie.same_site == SameSite::none);
}

TEST_CASE("unset, empty and all-whitespace variables take their defaults") {
  const Env env(Vars{{"TTL", ""}, {"SECURE", "   "}, {"DOMAIN", ""}, {"COOKIE_NAME", "\t"}});
  const Config c = keep_env();
  CHECK(c.lifetimes.ttl == 24h);
  CHECK(c.cookie.secure);
  CHECK_FALSE(c.cookie.domain);
  CHECK(c.effective_cookie_name() == "__Host-session");
}

TEST_CASE(
    "attributes that rule out __Host- need an explicitly chosen cookie name, never a silent downgrade") {
  for (const Vars& vars : {Vars{{"DOMAIN", "example.com"}}, Vars{{"SECURE", "false"}},
                           Vars{{"SECURE", "false"}, {"DOMAIN", "example.com"}}, Vars{{"PATH", "/app"}}}) {
    const Env env(vars);
    const std::string message = config_error_of([] { (void)keep_env(); });
    CHECK(message.find("COOKIESEAL_COOKIE_NAME") != std::string::npos);
    CHECK(message.find("cookie tossing") != std::string::npos);
  }
  {
    const Env env(Vars{{"DOMAIN", "example.com"}, {"COOKIE_NAME", "__Secure-session"}});
    CHECK(keep_env().effective_cookie_name() == "__Secure-session");
  }
  {
    const Env env(Vars{{"SECURE", "false"}, {"COOKIE_NAME", "session"}});
    CHECK(keep_env().effective_cookie_name() == "session");
  }
  CHECK(cookieseal::default_cookie_name({}) == "__Host-session");
}

TEST_CASE("every bad value is a ConfigError naming the variable and the accepted forms") {
  struct Case {
    std::string variable;
    std::string value;
    std::string forms;  // a part of the accepted forms the message must give
  };
  const std::vector<Case> cases = {
      {"TTL", "abc", "24h"},
      {"TTL", "0", "must be positive"},
      {"TTL", "-5", "3600"},
      {"TTL", "1h30m", "7d"},
      {"TTL", "36501d", "at most 36500d"},
      {"MAX_LIFETIME", "forever", "30m"},
      {"MAX_LIFETIME", "0d", "must be positive"},
      {"LEEWAY", "1 m", "90s"},
      {"RENEW_SHARE", "2", "50%"},
      {"RENEW_SHARE", "half", "0.5"},
      {"SECURE", "maybe", "true/false, yes/no or 1/0"},
      {"HTTP_ONLY", "2", "yes/no"},
      {"PARTITIONED", "on", "true/false"},
      {"SAME_SITE", "sometimes", "Strict, Lax or None"},
      {"PATH", "app", "starting with '/'"},
      {"PATH", "/a;b", "without ';'"},
      {"DOMAIN", "bad_domain.com", "host name"},
      {"DOMAIN", "example.com:8080", "host name"},
      {"COOKIE_NAME", "my session", "printable ASCII"},
      {"COOKIE_NAME", "a=b", "without spaces"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.variable);
    CAPTURE(c.value);
    const std::string message = env_error(Vars{{c.variable, c.value}});
    CHECK(message.find("COOKIESEAL_" + c.variable) != std::string::npos);
    CHECK(message.find(c.forms) != std::string::npos);
  }
}

TEST_CASE("settings that do not go together name every variable involved") {
  const std::string leeway = env_error(Vars{{"TTL", "60s"}, {"LEEWAY", "1m"}});
  CHECK(leeway.find("COOKIESEAL_LEEWAY") != std::string::npos);
  CHECK(leeway.find("COOKIESEAL_TTL") != std::string::npos);

  const std::string host = env_error(Vars{{"COOKIE_NAME", "__Host-sid"}, {"DOMAIN", "example.com"}});
  CHECK(host.find("COOKIESEAL_COOKIE_NAME") != std::string::npos);
  CHECK(host.find("COOKIESEAL_DOMAIN") != std::string::npos);
  CHECK(host.find("__Host-") != std::string::npos);

  const std::string none = env_error(Vars{{"SECURE", "false"}, {"SAME_SITE", "none"}});
  CHECK(none.find("COOKIESEAL_SAME_SITE") != std::string::npos);
  CHECK(none.find("Secure") != std::string::npos);

  const std::string secure = env_error(Vars{{"COOKIE_NAME", "__Secure-sid"}, {"SECURE", "0"}});
  CHECK(secure.find("COOKIESEAL_SECURE") != std::string::npos);

  const std::string big = env_error(Vars{{"COOKIE_NAME", std::string(4000, 'n')}});
  CHECK(big.find("COOKIESEAL_COOKIE_NAME") != std::string::npos);
  CHECK(big.find("4096") != std::string::npos);
}

TEST_CASE("missing or bad keys name the variable and never echo the key") {
  {
    const Env env(Vars{{"KEYS", std::nullopt}});
    CHECK(config_error_of([] { (void)keep_env(); }).find("COOKIESEAL_KEYS") != std::string::npos);
  }
  const std::string secretish = "ZZZZsecretZZZZ";
  const std::string message = env_error(Vars{{"KEYS", std::string(key_a_text) + "," + secretish}});
  CHECK(message.find("COOKIESEAL_KEYS") != std::string::npos);
  CHECK(message.find(secretish) == std::string::npos);
  CHECK(message.find(key_a_text) == std::string::npos);
}

TEST_CASE("a bad value is echoed escaped and cut to 40 bytes") {
  // Dots: a run of 20 key characters (letters, digits, - _ + =) would not be shown at all.
  const std::string message = env_error(Vars{{"TTL", "\x01\"" + std::string(100, '.')}});
  CHECK(message.find("\\x01") != std::string::npos);
  CHECK(message.find("\\\"") != std::string::npos);
  CHECK(message.find(std::string(38, '.') + "\"...") != std::string::npos);
  CHECK(message.find(std::string(39, '.')) == std::string::npos);
}

TEST_CASE("a bad setting is found before the keys are wiped from the environment") {
  const Env env(Vars{{"TTL", "soon"}});
  CHECK_FALSE(config_error_of([] {
                (void)Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::remove);
              }).empty());
  CHECK(std::getenv("COOKIESEAL_KEYS") != nullptr);
}

TEST_CASE("from_env removes the keys from the environment by default, and says how to reload them") {
  const Env env;
  const Config c = Config::from_env();
  CHECK(c.keys);
  CHECK(std::getenv("COOKIESEAL_KEYS") == nullptr);
  CHECK(c.key_source.kind == cookieseal::KeySource::Kind::variable);
  const std::string message = config_error_of([&] { (void)c.key_source.read(); });
  CHECK(message.find("COOKIESEAL_KEYS was removed from the environment") != std::string::npos);
  CHECK(message.find("KEYS_FILE") != std::string::npos);
}

TEST_CASE("keys read from a file are read from it again, though the variable is gone") {
  const std::string path = "/tmp/cookieseal_config_test_reload_" + std::to_string(::getpid());
  write_file(path, std::string(key_a_text) + "\n");
  const Env env(Vars{{"KEYS", std::nullopt}, {"KEYS_FILE", path}});
  const Config c = Config::from_env();
  CHECK(c.key_source.kind == cookieseal::KeySource::Kind::file);
  CHECK(c.key_source.where == path);
  write_file(path, std::string(key_b_text) + "\n" + key_a_text + "\n");
  CHECK(c.key_source.read().size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("a mistyped or unknown variable is refused with the name it was probably meant as") {
  const std::pair<const char*, const char*> typos[] = {{"COOKIE_PATH", "COOKIESEAL_PATH"},
                                                       {"HTTPONLY", "COOKIESEAL_HTTP_ONLY"},
                                                       {"TTl", "COOKIESEAL_TTL"},
                                                       {"KEY", "COOKIESEAL_KEYS"}};
  for (const auto& entry : typos) {
    const char* typo = entry.first;  // not a structured binding: clang 14 cannot capture one
    const char* meant = entry.second;
    CAPTURE(typo);
    const Env env(Vars{{typo, "1"}});
    const std::string message = config_error_of([] { (void)keep_env(); });
    CHECK(message.find(std::string("unknown variable \"COOKIESEAL_") + typo + "\"") != std::string::npos);
    CHECK(message.find(std::string("did you mean ") + meant + "?") != std::string::npos);
  }
  const Env env(Vars{{"APP_MODE", "x"}, {"IGNORE", "APP_MODE, COOKIESEAL_OTHER"}, {"OTHER", "y"}});
  CHECK(keep_env().keys);  // listed in COOKIESEAL_IGNORE: the application's own
}

TEST_CASE("an empty or odd prefix is refused rather than reading unrelated variables such as PATH") {
  for (const char* prefix : {"", "X", "cookieseal_", "A-B_"}) {
    CAPTURE(prefix);
    CHECK(config_error_of([&] { (void)Config::from_env(prefix); }).find("prefix") != std::string::npos);
  }
}

TEST_CASE("the default leeway fits a short ttl, and a ttl beyond 400 days is refused") {
  {
    const Env env(Vars{{"TTL", "30s"}});
    const Config c = keep_env();
    CHECK(c.lifetimes.effective_leeway() == 3s);  // a tenth of the ttl, below the usual minute
  }
  {
    const Env env(Vars{{"TTL", "401d"}});
    const std::string message = config_error_of([] { (void)keep_env(); });
    CHECK(message.find("COOKIESEAL_TTL") != std::string::npos);
    CHECK(message.find("400d") != std::string::npos);
  }
}

TEST_CASE("PERSISTENT chooses between a persistent and a browser-session cookie; persistent by default") {
  {
    const Env env;
    CHECK(keep_env().persistent);
  }
  const Env env(Vars{{"PERSISTENT", "false"}});
  CHECK_FALSE(keep_env().persistent);
}

TEST_CASE("a value that could be a key is never echoed in a message") {
  const std::string key(key_b_text);
  struct Case {
    Vars vars;
    std::string variable;
  };
  // Before: TTL echoed 40 of the key's 43 characters, a key list or a "base64:" prefix the
  // first key's, and the Redis variables the whole key.
  const std::vector<Case> cases = {
      {{{"TTL", key}}, "COOKIESEAL_TTL"},
      {{{"TTL", key + "," + std::string(key_a_text)}}, "COOKIESEAL_TTL"},
      {{{"TTL", "base64:" + key}}, "COOKIESEAL_TTL"},
      {{{"TTL", key.substr(0, 24)}}, "COOKIESEAL_TTL"},
      {{{"STORE", "memory"}, {"REDIS_TIMEOUT", key}}, "COOKIESEAL_REDIS_TIMEOUT"},
      {{{"STORE", "memory"}, {"REDIS_PASSWORD_FILE", key}}, "COOKIESEAL_REDIS_PASSWORD_FILE"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.variable);
    const std::string message = env_error(c.vars);
    CHECK(message.find(c.variable) != std::string::npos);
    CHECK(message.find(key.substr(0, 12)) == std::string::npos);
    CHECK(message.find(key.substr(12, 12)) == std::string::npos);
  }
}

TEST_CASE("the prefix can be changed") {
  const Env defaults(Vars{{"TTL", "not read"}});  // COOKIESEAL_ variables are ignored
  const Env env(Vars{{"TTL", "15m"}, {"COOKIE_NAME", "app"}, {"SECURE", "no"}}, "MYAPP_");
  const Config c = Config::from_env("MYAPP_");
  CHECK(c.lifetimes.ttl == 15min);
  CHECK(c.effective_cookie_name() == "app");
  CHECK(c.env_prefix == "MYAPP_");
  const Env bad(Vars{{"LEEWAY", "x"}}, "MYAPP_");
  CHECK(config_error_of([] { (void)Config::from_env("MYAPP_"); }).find("MYAPP_LEEWAY") != std::string::npos);
}

TEST_CASE("summary lists every setting and only key ids") {
  const Env env(Vars{{"KEYS", std::string(key_b_text) + "," + key_a_text}});
  const Config c = keep_env();
  const std::string s = c.summary();
  for (const char* field :
       {"cookie_name = __Host-session", "ttl = 1d", "max_lifetime = 7d", "renew_share = 0.5", "leeway = 1m",
        "same_site = Lax", "secure = true", "path = /", "revocation = none"}) {
    CAPTURE(field);
    CHECK(s.find(field) != std::string::npos);
  }
  CHECK(s.find(c.keys->primary().id().hex() + " (primary)") != std::string::npos);
  CHECK(s.find(key_a_text) == std::string::npos);
  CHECK(s.find(key_b_text) == std::string::npos);
}
