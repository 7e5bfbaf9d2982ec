// cookieseal - SessionManager: Cookie header -> Session -> Set-Cookie, shared by every thread
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/config.hpp>
#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/live_keyring.hpp>
#include <cookieseal/session.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// Why commit() produced no cookie although one was needed.
struct COOKIESEAL_API CommitError {
  /// Why: too_large (the cookie, or with a store the sealed record, would be over its limit);
  /// with a store also unavailable (the store could not be reached or is full), conflict
  /// (Config::check_version: another request wrote the session since it was loaded) and
  /// expired (the record the session was loaded from is gone: logged out elsewhere).
  Error error = Error::too_large;
  /// too_large: bytes of the Set-Cookie header value (name, value and attributes) that would
  /// have been sent, or of the sealed record when stored_record is set; 0 otherwise.
  std::size_t header_bytes = 0;
  /// too_large: the limit it broke: max_set_cookie_bytes (4096), or the store's record limit.
  std::size_t limit_bytes = max_set_cookie_bytes;
  /// too_large: the record for the store was too long (not the cookie).
  bool stored_record = false;

  /// E.g. "session too large: the Set-Cookie header would be 5123 bytes, browsers keep at most
  /// 4096 (cookie \"__Host-session\"); store less in the session". No session data in it.
  [[nodiscard]] std::string message() const;
};

/// What to send back for a session: one Set-Cookie header value, or nothing, or an error.
/// Example:
///   auto out = manager.commit(session);
///   if (!out) { log(out.message()); return error_500(); }
///   if (out.set_cookie) response.add_header("Set-Cookie", *out.set_cookie);
struct COOKIESEAL_API Commit {
  /// What the header does.
  enum class Action : std::uint8_t {
    none,    ///< nothing to send (unmodified, not due for renewal) or an error
    set,     ///< stores the (new, changed, renewed or resealed) session
    remove,  ///< deletes the cookie (destroy(), or the absolute lifetime ended)
  };
  Action action = Action::none;  ///< what to do with the cookie
  /// The Set-Cookie header value to send, when action is set or remove.
  std::optional<std::string> set_cookie;
  /// Set when the session could not be written (the old cookie, if any, stays in the browser).
  std::optional<CommitError> error;

  /// True unless the session could not be written.
  [[nodiscard]] bool ok() const noexcept { return !error.has_value(); }
  /// ok(), for `if (!commit) ...`.
  explicit operator bool() const noexcept { return ok(); }
  /// error->message(), or "" when ok.
  [[nodiscard]] std::string message() const;
};

/// What SessionManager::usage() reports: per-key and per-outcome counters since start.
struct Usage {
  std::vector<KeyUsage> keys;  ///< the current keyring, in order, with the cookies each opened
  /// load() outcomes indexed by LoadStatus (e.g. by_status[size_t(LoadStatus::unknown_key)]).
  std::array<std::uint64_t, load_status_count> by_status{};
  /// The revocation list's size, staleness and counters, when one is configured.
  std::optional<RevocationStats> revocation;
  /// With a store: records that failed to open since start (tampered, a foreign key, garbage,
  /// too large, a record of another session), indexed by Error; each gave a fresh session.
  std::array<std::uint64_t, error_count> record_errors{};
  /// The number of loads that ended with `status`.
  [[nodiscard]] std::uint64_t count(LoadStatus status) const noexcept {
    return by_status[static_cast<std::size_t>(status)];
  }
};

/// Turns the request's Cookie header into a Session and the Session into the response's
/// Set-Cookie (docs/SESSION.md, docs/ARCHITECTURE.md). One manager serves every thread: load()
/// and commit() are const, take no lock and never throw for any request input (only
/// std::bad_alloc can escape). rotate() and reload_keys() swap the keyring while requests
/// run; a request keeps the keyring it started with.
///
/// Example (in main's try block: the constructor throws ConfigError, which a namespace-scope
/// static could not catch):
///   int main() try {
///     const cookieseal::SessionManager manager(cookieseal::Config::from_env());
///     // ... per request:
///     auto session = manager.load(request.header("Cookie"));
///     if (session.rejected()) log("session cookie refused: {}", to_string(session.load_status()));
///     session.set("user", "ada");
///     auto out = manager.commit(session);
///     if (out.set_cookie) response.add_header("Set-Cookie", *out.set_cookie);
///   } catch (const cookieseal::ConfigError& e) { std::cerr << e.what() << '\n'; return 1; }
class COOKIESEAL_API SessionManager {
 public:
  /// Checks everything (Config::validate: lifetimes, the cookie name and attributes, and that
  /// an empty session fits in one cookie); throws ConfigError.
  explicit SessionManager(Config config);
  ~SessionManager();
  ///@{
  /// Movable (a factory can return one); a moved-from manager may only be destroyed or
  /// assigned to.
  SessionManager(SessionManager&&) noexcept;
  SessionManager& operator=(SessionManager&&) noexcept;
  ///@}
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  /// The session in one Cookie request header, or a fresh empty one whose load_status() says
  /// why (absent, malformed, tampered, expired, unknown_key, revoked, ambiguous, ...). Several
  /// cookies of this name (a stale path, a parent domain) are each tried, up to 8: when
  /// exactly one session opens it wins; when several different sessions open (a sibling
  /// subdomain planting its own, "cookie tossing"), or a ninth cookie of the name comes, none
  /// is trusted: LoadStatus::ambiguous.
  /// Example: `auto session = manager.load(req.get_header_value("Cookie"));`
  [[nodiscard]] Session load(std::string_view cookie_header) const;
  /// As above over several Cookie headers (HTTP/2 and HTTP/3 may send one per cookie).
  [[nodiscard]] Session load(std::span<const std::string_view> cookie_headers) const;

  /// A fresh empty session (random id, created now by the manager's clock).
  [[nodiscard]] Session create() const;

  /// The typed session in the header(s), or a fresh one holding T{}. A cookie written by a
  /// Session, or for another schema name or version of T, gives LoadStatus::bad_payload.
  /// Example: `auto cart = manager.load<Cart>(cookie_header);`
  template <class T>
  [[nodiscard]] TypedSession<T> load(std::string_view cookie_header) const {
    return load<T>(std::span<const std::string_view>(&cookie_header, 1));
  }
  /// load<T>() over several Cookie headers (HTTP/2 may split them).
  template <class T>
  [[nodiscard]] TypedSession<T> load(std::span<const std::string_view> cookie_headers) const {
    TypedSession<T> session{detail::UnsetId{}};  // its id comes from the cookie, or is drawn if none opens
    T data{};  // decoded here; moved into the session only once every check passed
    detail::TypedPayloadIo<T> io(&data, nullptr);
    if (load_into(cookie_headers, session, io)) session.data_ = std::move(data);
    return session;
  }
  /// A fresh typed session holding T{}.
  template <class T>
  [[nodiscard]] TypedSession<T> create() const {
    TypedSession<T> session;
    init_fresh(session, LoadStatus::absent, false);
    return session;
  }

  /// What to send for this session (docs/SESSION.md §Commit):
  ///  - destroyed: a deleting Set-Cookie;
  ///  - modified, opened with a non-primary key, or due for renewal: a Set-Cookie with
  ///    expires_at = min(now + ttl, created_at + max_lifetime) (a deleting one if that is
  ///    already past);
  ///  - otherwise nothing (set_cookie empty), including for a fresh session left untouched;
  ///  - a Set-Cookie longer than max_set_cookie_bytes: no header, an error with the counts.
  /// Never throws for the session's content (only a T whose save() throws propagates it).
  [[nodiscard]] Commit commit(const Session& session) const;
  /// commit() for a typed session: the same rules, with T as the payload.
  template <class T>
  [[nodiscard]] Commit commit(const TypedSession<T>& session) const {
    const detail::TypedPayloadIo<T> io(nullptr, &session.data_);
    return commit_core(session, io);
  }

  /// Replaces the keyring while requests run (LiveKeyring::rotate): requests take no lock and
  /// never wait. Cookies opened by a key still present keep their usage count.
  void rotate(Keyring keyring);
  /// Re-reads the keys from where Config::from_env found them (Config::key_source): the keys
  /// file again, or the environment variable if it is set again. Throws ConfigError and keeps
  /// the old keyring on any problem, or when the keys came from code or from a variable that
  /// was removed from the environment (use a keys file for live reloading).
  void reload_keys();

  /// Ends this session everywhere: its id opens no more on any server sharing the revocation
  /// list, until the latest moment its cookie could still open (created_at + max_lifetime +
  /// leeway), when the entry is forgotten. Call it at logout, with destroy(). Error::unavailable
  /// when the list could not record it (show "logout could not be recorded"); never a silent
  /// drop. Throws std::logic_error when no revocation list is configured (Config::revocation).
  /// Example: `if (!manager.revoke(session)) return error_page("logout could not be recorded");`
  [[nodiscard]] Result<void> revoke(const SessionBase& session) const;
  /// Ends every session of `user` (as set with set_user()) created until now: "sign out
  /// everywhere", after a password change. The same errors as revoke().
  [[nodiscard]] Result<void> revoke_user(std::string_view user) const;
  /// Ends every session created until now (a key leak, an incident). The same errors.
  [[nodiscard]] Result<void> revoke_all() const;

  /// With a store (Config::store): the live sessions of `user` (as set with set_user()), at
  /// most 256, `current` marked in them: for a "your devices" page. Error::unavailable when
  /// the store cannot be reached, or when there is no store (sessions in cookies exist only in
  /// browsers, so nothing can list them).
  /// Example: `auto devices = manager.sessions_of(session.user(), &session);`
  [[nodiscard]] Result<std::vector<SessionListing>> sessions_of(std::string_view user,
                                                                const SessionBase* current = nullptr) const;
  /// With a store: ends every session of current.user() but `current` ("sign out other
  /// devices"): their records are deleted, so their cookies open nothing on any server.
  /// Returns how many ended. Error::malformed when current has no user; Error::unavailable
  /// as sessions_of(). Sessions kept in cookies (automatic mode, small sessions) are not in
  /// the store: pair it with revoke_user() (docs/STORE.md §Other sessions).
  [[nodiscard]] Result<std::size_t> end_other_sessions(const SessionBase& current) const;

  /// Per-key and per-outcome counters (see Usage), and the revocation list's state.
  [[nodiscard]] Usage usage() const;

  /// The idle ttl the next commit gives `session`: its own (set_ttl()) or the manager's, plus
  /// what extend() added, capped at 400 days and the absolute lifetime.
  /// Example: `session.extend(2h); reply("idle ttl now " + format_duration(manager.ttl_of(session)));`
  [[nodiscard]] std::chrono::seconds ttl_of(const SessionBase& session) const noexcept;

  /// The cookie name in use (e.g. "__Host-session").
  [[nodiscard]] const std::string& cookie_name() const noexcept;
  /// The configuration. Its `keys` field is empty: the keyring moved into the manager (see
  /// usage() for the key ids in use).
  [[nodiscard]] const Config& config() const noexcept;
  /// The manager's clock, in whole seconds.
  [[nodiscard]] std::chrono::sys_seconds now() const;

 private:
  struct State;  // session_manager.cpp

  // The request path, written once for every payload kind: `io` reads the payload into the
  // caller's local value. True when the session was loaded.
  bool load_into(std::span<const std::string_view> headers, SessionBase& session,
                 detail::PayloadIo& io) const;
  // `draw_id`: the session was made without an id (detail::UnsetId) and needs a random one.
  void init_fresh(SessionBase& session, LoadStatus status, bool draw_id) const;
  [[nodiscard]] Commit commit_core(const SessionBase& session, const detail::PayloadIo& io) const;
  // The session's head, under the id of the store record it was loaded from (if any): what
  // destroy, listings and "end other sessions" name it by.
  [[nodiscard]] static detail::SessionHead record_head(const SessionBase& session,
                                                       std::chrono::sys_seconds now);
  // The Set-Cookie for a sealed value, or too_large when the header would pass 4096 bytes.
  [[nodiscard]] Commit cookie_commit(const std::string& value, std::chrono::sys_seconds expires_at,
                                     std::chrono::sys_seconds now) const;

  std::unique_ptr<State> state_;
};

}  // namespace cookieseal
