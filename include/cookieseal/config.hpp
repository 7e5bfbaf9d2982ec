// cookieseal - Config: everything a SessionManager needs, from code or from the environment
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/lifetimes.hpp>
#include <cookieseal/revocation.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_store.hpp>
#include <cookieseal/set_cookie.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// Reads a boolean: `true`/`false`, `yes`/`no`, `1`/`0`, any letter case, ASCII whitespace
/// around ignored; nullopt for anything else.
/// Example: `cookieseal::parse_bool("Yes")  // true`
[[nodiscard]] COOKIESEAL_API std::optional<bool> parse_bool(std::string_view text) noexcept;

/// Reads a share between 0 and 1 inclusive: a decimal such as `0.5` or `.25`, or a
/// percentage such as `50%` or `12.5%` (0-100). ASCII whitespace around ignored.
/// Example: `cookieseal::parse_share("75%")  // 0.75`
[[nodiscard]] COOKIESEAL_API std::optional<double> parse_share(std::string_view text) noexcept;

/// Where a Config's keys came from (SessionManager::reload_keys() reads them there again).
struct KeySource {
  /// The kind of place.
  enum class Kind : std::uint8_t {
    code,      ///< set in code: nothing to reload
    variable,  ///< `where` names the environment variable (e.g. COOKIESEAL_KEYS)
    file,      ///< `where` is the keys file's path (from e.g. COOKIESEAL_KEYS_FILE)
  };
  Kind kind = Kind::code;  ///< the kind; default is code
  std::string where;       ///< the variable or path
  std::string variable;    ///< the variable it was named by (KEYS_FILE's name for a file)

  /// Reads the keys from there again. Throws ConfigError for code (nothing to read), for a
  /// variable no longer in the environment (from_env removes it by default: use a keys file
  /// to reload keys live), or for anything Keyring::from_file / Keyring::parse refuse.
  [[nodiscard]] Keyring read() const;
};

/// The safest cookie name the attributes allow: `__Host-session` when Secure with no Domain
/// and Path=/, `__Secure-session` when Secure otherwise, `session` only without Secure.
/// Example: `cookieseal::default_cookie_name({})  // "__Host-session"`
[[nodiscard]] COOKIESEAL_API std::string default_cookie_name(const CookieAttributes& attributes);

/// Called on every load of an authentic, unexpired cookie; returning true rejects the session
/// (LoadStatus::revoked, a fresh session is given instead). It runs on the request path, from
/// every thread at once: make it fast and thread-safe (say, a lookup in an immutable set
/// swapped atomically). An exception counts as true: revocation fails closed.
using RevocationCheck = std::function<bool(const SessionId& id, std::chrono::sys_seconds created_at)>;

/// Everything a SessionManager needs. A plain struct; each field says its default.
/// SessionManager's constructor checks it all and throws ConfigError (naming the field) for
/// anything wrong, so no half-configured manager exists.
///
/// Example:
///   cookieseal::Config config;
///   config.keys = cookieseal::Keyring::parse(secret_text);
///   config.ttl = std::chrono::hours(8);
///   cookieseal::SessionManager manager(std::move(config));
/// or, from COOKIESEAL_* variables (docs/CONFIGURATION.md):
///   cookieseal::SessionManager manager(cookieseal::Config::from_env());
struct COOKIESEAL_API Config {
  /// The keys: the first seals, every one opens. Required (no default).
  std::optional<Keyring> keys;
  /// Where `keys` came from, for SessionManager::reload_keys(). Set by from_env; default is
  /// KeySource::code (reload_keys() then refuses: rotate() instead).
  KeySource key_source;
  /// The cookie name. Default is empty: `__Host-session`, which needs Secure, Path=/ and no
  /// Domain. With any other attributes a name must be chosen explicitly (validate() says why:
  /// without `__Host-` a sibling subdomain can plant a cookie of the same name).
  std::string cookie_name;
  /// Path, Domain, Secure, HttpOnly, SameSite, Partitioned. Default is CookieAttributes{}:
  /// Path=/, no Domain, Secure, HttpOnly, SameSite=Lax, not Partitioned.
  CookieAttributes cookie;
  /// Idle ttl, absolute lifetime, leeway and renewal share (see Lifetimes for the defaults:
  /// 24h, 7d, min(60s, ttl / 10), 0.5).
  Lifetimes lifetimes;
  /// True: the Set-Cookie carries Max-Age and Expires (the remaining ttl), so the browser drops
  /// the cookie when the server would refuse it. False: a browser-session cookie, forgotten
  /// when the browser closes; the sealed expiry still enforces the ttl. Default is true.
  bool persistent = true;
  /// Current time; tests inject a ManualClock. Default (empty) is std::chrono::system_clock.
  std::function<std::chrono::sys_seconds()> clock;
  /// The revocation list (docs/REVOCATION.md): SessionManager::revoke(), revoke_user() and
  /// revoke_all() write to it, and every load checks its in-memory replica (never the network).
  /// from_env makes one from `<prefix>REVOCATION` (`memory`, `redis://…`, `unix://…`). Shared,
  /// so an admin path or a second manager can use the same list. Default is none.
  std::shared_ptr<Revocation> revocation;
  /// An extra check of the application's own (see RevocationCheck), after the list. Default is
  /// empty.
  RevocationCheck is_revoked;
  /// Where session data lives (docs/STORE.md). Empty: in the cookie only, the server keeps
  /// nothing. Set: the store keeps the sessions store_mode says, sealed at rest under the same
  /// keys; the cookie then carries a sealed reference, destroy() deletes the record (logout is
  /// real without a revocation list) and sessions_of() lists a user's sessions. from_env makes
  /// one from `<prefix>STORE` (`cookie`, `memory`, `redis://…`, `unix://…`). Default is none.
  std::shared_ptr<SessionStore> store;
  /// With a store: automatic keeps a session in its cookie while the Set-Cookie fits 4096
  /// bytes and in the store when it grows past that (and back when it shrinks), so no commit
  /// fails with too_large; server keeps every session in the store. `<prefix>STORE_MODE`
  /// (`auto`, `server`). Default is automatic.
  StoreMode store_mode = StoreMode::automatic;
  /// With a store: commit() writes a stored session only if no other request wrote it since
  /// it was loaded, else CommitError with Error::conflict (a lost update detected). False:
  /// the last write wins. `<prefix>STORE_CHECK_VERSION`. Default is false.
  bool check_version = false;
  /// The prefix SessionManager::reload_keys() reads `<prefix>KEYS`/`<prefix>KEYS_FILE` with.
  /// Set by from_env. Default is "COOKIESEAL_".
  std::string env_prefix = "COOKIESEAL_";

  /// Reads every `<prefix>*` variable of docs/CONFIGURATION.md (keys through
  /// Keyring::from_env(prefix, remove_keys_from_environment)). An unset or empty (all
  /// whitespace) variable takes its default. Throws ConfigError naming the variable and the
  /// accepted forms for a bad value (never echoing a key; other values are echoed escaped and
  /// cut to 40 bytes), and validates the cookie name and attributes together, so a Config it
  /// returns always builds a SessionManager. Call it at start-up (getenv is not thread-safe
  /// against setenv).
  /// Example: `auto config = cookieseal::Config::from_env("MYAPP_SESSION_");`
  [[nodiscard]] static Config from_env(std::string_view prefix = "COOKIESEAL_",
                                       KeysInEnvironment keys = KeysInEnvironment::remove);

  /// The effective cookie name: cookie_name, or `__Host-session` when empty (validate() then
  /// refuses attributes that rule the prefix out, instead of renaming the cookie).
  [[nodiscard]] std::string effective_cookie_name() const;

  /// Throws ConfigError naming the first bad field (what SessionManager's constructor calls).
  void validate() const;

  /// One line per setting, for start-up logs and `cookieseal config`: key ids only, never key
  /// material. Example line: "ttl = 24h".
  [[nodiscard]] std::string summary() const;
};

}  // namespace cookieseal
