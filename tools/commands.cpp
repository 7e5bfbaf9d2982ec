// cookieseal - the command-line tool's subcommands: keygen, encode, decode, inspect, keys
#include "commands.hpp"

#include "cli.hpp"
#include "session_json.hpp"

#include <cookieseal/codec.hpp>          // inspect, CookieInfo
#include <cookieseal/config.hpp>         // Config::from_env, parse_duration
#include <cookieseal/cookie_header.hpp>  // find_cookie
#include <cookieseal/error.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>  // SessionManager: encode and decode go through it

#include <chrono>
#include <cstdlib>  // std::getenv
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal::cli {
namespace {

constexpr std::string_view keygen_help = R"(Usage: cookieseal keygen [--hex]

Prints one new random key (32 bytes from the OS generator): 43 characters of base64url, or
64 hex digits with --hex. Both are what COOKIESEAL_KEYS and keys files accept.
Put the new key first in COOKIESEAL_KEYS to make it the primary; keep the old ones after it.
)";

constexpr std::string_view encode_help = R"(Usage: cookieseal encode [--name NAME] [--ttl DURATION]

Reads a JSON object from standard input and prints the cookie value of a new session holding
it, sealed under the primary key, as the SessionManager with the same environment writes it
(so one with the same cookie name and keys opens it). Strings, integers, floats and booleans
become the session's values; null, arrays, objects and integers beyond int64 are refused.
`decode`'s whole output is accepted too: its "session" object is used, "meta" is ignored
(the new session gets a new id, is created now, and expires now + ttl).

Options:
  --name NAME       the cookie name the value is sealed for (default: COOKIESEAL_COOKIE_NAME,
                    else the library's default, e.g. __Host-session)
  --ttl DURATION    lifetime: 3600, 90s, 30m, 24h, 7d (default: COOKIESEAL_TTL, else 24h);
                    the absolute lifetime (COOKIESEAL_MAX_LIFETIME) still caps it

Example: echo '{"user":"ada","admin":false}' | cookieseal encode --ttl 1h
Exit status: 0 printed, 2 bad JSON, a value a session cannot hold, or bad configuration.
)";

constexpr std::string_view decode_help = R"(Usage: cookieseal decode [--name NAME] [--now SECONDS] [COOKIE]

Opens a cookie as the SessionManager with the same environment does (same keys, name, ttl,
absolute lifetime and leeway) and prints it as JSON:
  {"session": {...values...}, "meta": {"cookie_name", "id", "created_at", "expires_at",
   "key_id", "needs_reseal"}}
Times are ISO 8601 UTC. `cookieseal encode` reads this output back.
COOKIE is the argument, or standard input when absent or '-', trimmed; it may also be a
`Cookie:` header or NAME=VALUE pairs, from which the cookie called NAME is taken.

Options:
  --name NAME      the cookie name it was sealed for (default: as `encode`)
  --now SECONDS    judge expiry at this time, in seconds since the Unix epoch (default: now)

Exit status: 0 opened, 1 rejected (`error: <reason>` on standard error: malformed,
unsupported_version, unknown_key, tampered, expired, bad_payload, too_large),
2 usage or configuration error.
)";

constexpr std::string_view inspect_help = R"(Usage: cookieseal inspect [--name NAME] [--now SECONDS] [COOKIE]

Shows a cookie's public header without any key: format version, key id, expiry (and whether
it is past), and sizes. Nothing shown is authenticated: `decode` is what checks the cookie.
COOKIE is the argument, or standard input when absent or '-', trimmed; it may also be a
`Cookie:` header or NAME=VALUE pairs, from which the cookie called NAME is taken.

Options:
  --name NAME      the cookie to take from a header (default: as `decode`)
  --now SECONDS    the time "past" is judged at, in seconds since the Unix epoch (default: now)

Exit status: 0 a well-formed cookie, 1 not one (error: <reason> says why), 2 usage error.
)";

constexpr std::string_view keys_help = R"(Usage: cookieseal keys

Lists the configured key ids in order, primary (the one that seals) first, and where the keys
came from: COOKIESEAL_KEYS, or the file COOKIESEAL_KEYS_FILE names. Never prints key material.

Exit status: 0 listed, 2 no keys or bad keys (the message names the variable and position).
)";

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const std::size_t b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

// The operand (or standard input), trimmed. Text holding '=' or ';' (never in a cookie value)
// is a Cookie header, with or without "Cookie:" in front.
struct Operand {
  std::string text;
  bool is_header = false;
};

Operand operand(const Args& args) {
  std::string text;
  if (args.positional.empty() || args.positional[0] == "-") {
    text = read_all(std::cin, "standard input");
  } else {
    text = args.positional[0];
  }
  std::string_view value = trim(text);
  const bool is_header = value.find_first_of("=;") != std::string_view::npos;
  if (is_header && value.size() >= 7 &&
      (value.substr(0, 7) == "Cookie:" || value.substr(0, 7) == "cookie:")) {
    value.remove_prefix(7);
  }
  if (value.empty()) throw UsageError("no cookie given (an argument, or standard input)");
  return Operand{std::string(value), is_header};
}

// The cookie value from the operand: the first cookie called `name` when it is a header.
template <class Name>
std::string cookie_operand(const Args& args, Name&& name) {
  const Operand in = operand(args);
  if (!in.is_header) return in.text;
  const std::string cookie_name = name();
  const std::optional<std::string_view> found = find_cookie(in.text, cookie_name);
  if (!found || found->empty()) throw UsageError("no cookie named '" + cookie_name + "' in the given header");
  return std::string(*found);
}

std::chrono::sys_seconds now_from(const Args& args) {
  if (auto now = args.get("--now"))
    return std::chrono::sys_seconds(std::chrono::seconds(parse_unix_seconds(*now, "--now")));
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// --name, else the name a SessionManager would use with this environment.
std::string cookie_name(const Args& args) {
  if (auto name = args.get("--name")) return *name;
  return Config::from_env().effective_cookie_name();
}

int rejected(Error error, std::string_view why = {}) {
  std::cerr << "error: " << to_string(error);
  if (!why.empty()) std::cerr << ": " << why;
  std::cerr << '\n';
  return exit_rejected;
}

}  // namespace

int run_keygen(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, "keygen", {{"--hex", false}}, 0);
  if (args.help) {
    std::cout << keygen_help;
    return exit_ok;
  }
  const Key key = Key::generate();
  std::cout << (args.has("--hex") ? key.to_hex() : key.to_base64url()) << '\n';
  return exit_ok;
}

int run_inspect(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, "inspect", {{"--name", true}, {"--now", true}}, 1);
  if (args.help) {
    std::cout << inspect_help;
    return exit_ok;
  }
  const auto now = now_from(args);
  const std::string cookie = cookie_operand(args, [&] { return cookie_name(args); });
  // No cap beyond the 1 MiB input limit: an operator may be asking why a cookie is too large.
  const Result<CookieInfo> info = inspect(cookie, cookie.size());
  if (!info) {
    return rejected(info.error(), "not canonical base64url, or shorter than the " +
                                      std::to_string(format::min_raw_bytes) +
                                      " bytes of header and tag once decoded");
  }
  std::cout << "version          " << int{info->version} << '\n';
  if (info->version != format::version) {
    return rejected(Error::unsupported_version,
                    "this build reads version " + std::to_string(int{format::version}));
  }
  std::cout << "key_id           " << info->key_id.hex() << '\n'
            << "expires_at       " << format_utc(info->expires_at)
            << (info->expires_at < now ? " (past)" : " (not past)") << '\n'
            << "value_bytes      " << info->value_bytes << '\n'
            << "raw_bytes        " << info->raw_bytes << '\n'
            << "plaintext_bytes  " << info->plaintext_bytes << '\n';
  return exit_ok;
}

int run_keys(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, "keys", {}, 0);
  if (args.help) {
    std::cout << keys_help;
    return exit_ok;
  }
  const Keyring ring = Keyring::from_env();  // throws ConfigError naming the variable
  // from_env accepts exactly one of the two variables, so whichever is set is the source.
  if (const char* file = std::getenv("COOKIESEAL_KEYS_FILE")) {  // NOLINT(concurrency-mt-unsafe): one thread
    std::cout << "source  COOKIESEAL_KEYS_FILE (" << file << ")\n";
  } else {
    std::cout << "source  COOKIESEAL_KEYS\n";
  }
  for (std::size_t i = 0; i < ring.size(); ++i) {
    std::cout << i + 1 << "  " << ring.keys()[i].id().hex() << (i == 0 ? "  primary" : "") << '\n';
  }
  return exit_ok;
}

int run_encode(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, "encode", {{"--name", true}, {"--ttl", true}}, 0);
  if (args.help) {
    std::cout << encode_help;
    return exit_ok;
  }
  Config config = Config::from_env();
  if (auto name = args.get("--name")) config.cookie_name = *name;
  if (auto ttl = args.get("--ttl")) {
    const std::optional<std::chrono::seconds> d = parse_duration(*ttl);
    if (!d || d->count() <= 0) {
      throw UsageError("--ttl wants a positive duration such as 3600, 90s, 30m, 24h or 7d");
    }
    config.lifetimes.ttl = *d;
    // Name what the user can change: the flag and the variables it is checked against.
    config.lifetimes.validate("--ttl " + *ttl + " (with COOKIESEAL_LEEWAY and COOKIESEAL_MAX_LIFETIME)");
  }
  if (config.lifetimes.ttl >
      config.lifetimes.max_lifetime) {  // commit() caps the expiry at created + max_lifetime
    std::cerr << "warning: the expiry is capped by the absolute lifetime (COOKIESEAL_MAX_LIFETIME = "
              << format_duration(config.lifetimes.max_lifetime) << ")\n";
  }
  const nlohmann::json input = parse_json(read_all(std::cin, "standard input"));
  const SessionManager manager(std::move(config));  // validates: throws ConfigError
  Session session = manager.create();
  json_to_session(input, session);
  session.mark_modified();  // so even an empty session gets a cookie
  const Commit out = manager.commit(session);
  if (!out) throw UsageError(out.message());
  // The library's own Cookie-header reader takes the value out of `name=value; Path=/; ...`.
  const std::optional<std::string_view> value =
      out.set_cookie ? find_cookie(*out.set_cookie, manager.cookie_name()) : std::nullopt;
  if (out.action != Commit::Action::set || !value) {
    throw UsageError("the session manager wrote no cookie (is the session past its absolute lifetime?)");
  }
  std::cout << *value << '\n';
  return exit_ok;
}

int run_decode(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, "decode", {{"--name", true}, {"--now", true}}, 1);
  if (args.help) {
    std::cout << decode_help;
    return exit_ok;
  }
  Config config = Config::from_env();
  if (auto name = args.get("--name")) config.cookie_name = *name;
  if (args.has("--now")) config.clock = [now = now_from(args)] { return now; };
  const SessionManager manager(std::move(config));  // validates: throws ConfigError
  // A header goes to the manager whole, so the CLI tries every cookie of the name as a server
  // does (several, a stale one first); a bare value is handed over as one pair.
  const Operand in = operand(args);
  const Session session = manager.load(in.is_header ? in.text : manager.cookie_name() + "=" + in.text);
  if (in.is_header && session.load_status() == LoadStatus::absent) {
    throw UsageError("no cookie named '" + manager.cookie_name() + "' in the given header");
  }
  if (session.load_status() != LoadStatus::loaded) {
    // absent: the value was not one cookie-value (e.g. held a space or a quote)
    const LoadStatus status = session.load_status();
    std::cerr << "error: " << (status == LoadStatus::absent ? "malformed" : to_string(status)) << '\n';
    if (status == LoadStatus::bad_payload && !manager.config().store) {
      std::cerr << "hint: a server-side session's cookie is only a reference to its record: set "
                   "COOKIESEAL_STORE to the application's store to decode it\n";
    }
    return exit_rejected;
  }
  std::cout << session_to_json(session, manager.cookie_name())
                   .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
            << '\n';
  return exit_ok;
}

}  // namespace cookieseal::cli
