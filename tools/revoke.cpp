// cookieseal - the `revoke` subcommand: record a revocation in the fleet's Redis list
#include "cli.hpp"
#include "commands.hpp"

#include <cookieseal/error.hpp>
#include <cookieseal/lifetimes.hpp>   // parse_duration, format_duration
#include <cookieseal/redis.hpp>       // RedisSettings::from_env
#include <cookieseal/revocation.hpp>  // make_revocation
#include <cookieseal/session.hpp>     // SessionId::from_hex

#include <chrono>
#include <cstdlib>  // std::getenv
#include <iostream>
#include <optional>
#include <string>

namespace cookieseal::cli {
namespace {

constexpr std::string_view revoke_help = R"(Usage: cookieseal revoke (--session HEX | --user ID | --all)

Records a revocation in the Redis list named by COOKIESEAL_REVOCATION (redis://host:port/db or
unix:///path?db=N), where every server of the fleet refuses it within a second:
  --session HEX   one session, by its 32-hex-digit id (as servers log it)
  --user ID       every session of that user created until now
  --all           every session created until now
The entry is kept in Redis until the last moment a revoked cookie could still open: now +
COOKIESEAL_MAX_LIFETIME (default 7d) + COOKIESEAL_LEEWAY (default 60s), then expires by itself.
Also read: COOKIESEAL_REDIS_PASSWORD_FILE, COOKIESEAL_REDIS_USER, COOKIESEAL_REDIS_PREFIX,
COOKIESEAL_REDIS_TIMEOUT. `memory` is refused: it lives only inside one server's process.

Exit status: 0 recorded, 1 Redis could not record it (error: unavailable), 2 usage or
configuration error.
)";

std::chrono::seconds env_duration(const char* name, std::chrono::seconds fallback) {
  const char* text = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): one thread
  if (text == nullptr) return fallback;
  const auto d = parse_duration(text);
  if (!d) throw UsageError(std::string(name) + ": not a duration (3600, 90s, 30m, 24h, 7d)");
  return *d;
}

std::unique_ptr<Revocation> open_list() {
  const char* spec = std::getenv("COOKIESEAL_REVOCATION");  // NOLINT(concurrency-mt-unsafe): one thread
  if (spec == nullptr || *spec == '\0') {
    throw UsageError("COOKIESEAL_REVOCATION is not set: name the fleet's Redis (redis://host:port/db)");
  }
  if (std::string_view(spec) == "memory") {
    throw UsageError(
        "COOKIESEAL_REVOCATION=memory lives inside one server's process: the CLI cannot reach it; "
        "use a redis:// or unix:// URL");
  }
  RevocationOptions options;
  options.follow = false;                                            // writes only: no replica, no subscriber
  return make_revocation(spec, RedisSettings::from_env(), options);  // ConfigError: exit 2
}

}  // namespace

int run_revoke(int argc, char** argv) {
  const Args args =
      parse_args(argc, argv, 2, "revoke", {{"--session", true}, {"--user", true}, {"--all", false}}, 0);
  if (args.help) {
    std::cout << revoke_help;
    return exit_ok;
  }
  if (args.has("--session") + args.has("--user") + args.has("--all") != 1) {
    throw UsageError(
        "revoke wants exactly one of --session HEX, --user ID, --all (see: cookieseal revoke --help)");
  }
  std::optional<SessionId> id;
  if (auto hex = args.get("--session")) {
    id = SessionId::from_hex(*hex);
    if (!id) throw UsageError("--session wants a session id of 32 hex digits");
  }
  const auto user = args.get("--user");
  if (user && (user->empty() || user->size() > max_user_bytes)) {
    throw UsageError("--user wants 1 to " + std::to_string(max_user_bytes) + " bytes");
  }
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto forget_at = now + env_duration("COOKIESEAL_MAX_LIFETIME", std::chrono::hours(24 * 7)) +
                         env_duration("COOKIESEAL_LEEWAY", std::chrono::seconds(60));
  const auto not_before = now + std::chrono::seconds(1);  // covers sessions created in this very second
  const std::unique_ptr<Revocation> list = open_list();
  const Result<void> done = id     ? list->revoke(*id, forget_at)
                            : user ? list->revoke_user(*user, not_before, forget_at)
                                   : list->revoke_all(not_before, forget_at);
  if (!done) {
    std::cerr << "error: " << to_string(done.error())
              << ": the revocation was not recorded (is Redis reachable?)\n";
    return exit_rejected;
  }
  std::cout << (id     ? "revoked session " + id->hex()
                : user ? "revoked user " + *user
                       : std::string("revoked all"))
            << (id ? "" : " (sessions created before " + format_utc(not_before) + ")") << "; kept until "
            << format_utc(forget_at) << '\n';
  return exit_ok;
}

}  // namespace cookieseal::cli
