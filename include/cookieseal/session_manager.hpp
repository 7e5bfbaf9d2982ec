// cookieseal - SessionManager: Cookie header -> Session -> Set-Cookie, shared by every thread
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/config.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// Why commit() produced no cookie although one was needed.
struct COOKIESEAL_API CommitError {
  Error error = Error::too_large;  ///< why: too_large, the only error commit() reports today
  /// Bytes of the Set-Cookie header value (name, value and attributes) that would have been sent.
  std::size_t header_bytes = 0;
  /// The limit it broke: max_set_cookie_bytes (4096).
  std::size_t limit_bytes = max_set_cookie_bytes;

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

/// Cookies opened per key (for deciding when a retired key can go) and loads per outcome.
/// Counters are relaxed atomics: exact when quiet, approximate while requests run.
struct KeyUsage {
  KeyId key_id;              ///< the key's public id
  std::size_t position = 0;  ///< 0 = the primary
  std::uint64_t opened = 0;  ///< cookies this key opened since the manager (or key) was added
};
/// What SessionManager::usage() reports: per-key and per-outcome counters since start.
struct Usage {
  std::vector<KeyUsage> keys;  ///< the current keyring, in order
  /// load() outcomes indexed by LoadStatus (e.g. by_status[size_t(LoadStatus::unknown_key)]).
  std::array<std::uint64_t, load_status_count> by_status{};
  /// The number of loads that ended with `status`.
  [[nodiscard]] std::uint64_t count(LoadStatus status) const noexcept {
    return by_status[static_cast<std::size_t>(status)];
  }
};

namespace detail {
/// The payload's first byte after cereal's endianness flag (docs/SESSION.md §Payload).
inline constexpr std::uint8_t session_layout_map = 1;    ///< Session: sorted entries
inline constexpr std::uint8_t session_layout_typed = 2;  ///< TypedSession<T>: the user's T

/// What every session payload starts with.
struct SessionHead {
  SessionId id;
  std::uint64_t created_at = 0;  ///< seconds since the Unix epoch
};

template <class Archive>
void save_session_head(Archive& ar, std::uint8_t layout, const SessionHead& head) {
  ar(layout);
  for (std::uint8_t b : head.id.bytes) ar(b);
  ar(head.created_at);
}

template <class Archive>
void load_session_head(Archive& ar, std::uint8_t expected_layout, SessionHead& head) {
  std::uint8_t layout = 0;
  ar(layout);
  if (layout != expected_layout) throw cereal::Exception("session: another payload layout");
  for (std::uint8_t& b : head.id.bytes) ar(b);
  ar(head.created_at);
}

/// A TypedSession<T> payload being written (refers to the session's data).
template <class T>
struct TypedPayloadOut {
  SessionHead head;
  const T* data;
  template <class Archive>
  void save(Archive& ar) const {
    save_session_head(ar, session_layout_typed, head);
    ar(*data);
  }
};

/// A TypedSession<T> payload being read.
template <class T>
struct TypedPayloadIn {
  SessionHead head;
  T data{};
  template <class Archive>
  void load(Archive& ar) {
    load_session_head(ar, session_layout_typed, head);
    ar(data);
  }
};
}  // namespace detail

/// Turns the request's Cookie header into a Session and the Session into the response's
/// Set-Cookie (docs/SESSION.md). One manager serves every thread: load() and commit() are
/// const, take no lock and never throw for any request input (only std::bad_alloc can
/// escape). rotate() and reload_keys() swap the keyring while requests run; a request keeps
/// the keyring it started with.
///
/// Example:
///   static const cookieseal::SessionManager manager(cookieseal::Config::from_env());
///   auto session = manager.load(request.header("Cookie"));
///   if (session.rejected()) log("session cookie refused: {}", to_string(session.load_status()));
///   session.set("user", "ada");
///   auto out = manager.commit(session);
///   if (out.set_cookie) response.add_header("Set-Cookie", *out.set_cookie);
class COOKIESEAL_API SessionManager {
 public:
  /// Checks everything (Config::validate, the cookie name and attributes with
  /// validate_cookie, and that an empty session fits in one cookie); throws ConfigError.
  explicit SessionManager(Config config);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  /// The session in one Cookie request header, or a fresh empty one whose load_status() says
  /// why (absent, malformed, tampered, expired, unknown_key, revoked, ...). Several cookies of
  /// this name (a stale path, a parent domain) are tried in order, at most 8; the first that
  /// opens wins, else the first one's reason is reported.
  /// Example: `auto session = manager.load(req.get_header_value("Cookie"));`
  [[nodiscard]] Session load(std::string_view cookie_header) const;
  /// As above over several Cookie headers (HTTP/2 and HTTP/3 may send one per cookie).
  [[nodiscard]] Session load(std::span<const std::string_view> cookie_headers) const;

  /// A fresh empty session (random id, created now by the manager's clock).
  [[nodiscard]] Session create() const;

  /// The typed session in the header(s), or a fresh one holding T{}. A cookie written by a
  /// Session (or another layout) gives LoadStatus::bad_payload. Use a distinct cookie name
  /// per T if one application keeps several kinds.
  /// Example: `auto cart = manager.load<Cart>(cookie_header);`
  template <class T>
  [[nodiscard]] TypedSession<T> load(std::string_view cookie_header) const {
    return load<T>(std::span<const std::string_view>(&cookie_header, 1));
  }
  /// load<T>() over several Cookie headers (HTTP/2 may split them): the first of our cookies
  /// that opens wins.
  template <class T>
  [[nodiscard]] TypedSession<T> load(std::span<const std::string_view> cookie_headers) const {
    TypedSession<T> session;
    load_into(cookie_headers, session, &open_typed<T>, &reset_typed<T>, &session);
    return session;
  }
  /// A fresh typed session holding T{}.
  template <class T>
  [[nodiscard]] TypedSession<T> create() const {
    TypedSession<T> session;
    init_fresh(session, LoadStatus::absent);
    return session;
  }

  /// What to send for this session (docs/SESSION.md §Behaviour):
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
    return commit_core(session, &seal_typed<T>, &session);
  }

  /// Replaces the keyring while requests run: requests take no lock and never wait; rotate()
  /// waits (microseconds) for the requests still using the old keyring, then frees it.
  /// Cookies opened by a key still present keep their usage count. Calls are serialized.
  void rotate(Keyring keyring);
  /// rotate(Keyring::from_env(config.env_prefix)): re-reads `<prefix>KEYS_FILE` (or KEYS).
  /// Throws ConfigError and keeps the old keyring on any problem.
  void reload_keys();

  /// Per-key and per-outcome counters (see Usage).
  [[nodiscard]] Usage usage() const;

  /// The cookie name in use (e.g. "__Host-session").
  [[nodiscard]] const std::string& cookie_name() const noexcept { return name_; }
  /// The configuration. Its `keys` field is empty: the keyring moved into the manager (see
  /// usage() for the key ids in use).
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  /// The manager's clock, in whole seconds.
  [[nodiscard]] std::chrono::sys_seconds now() const;

 private:
  struct Generation;  // a Codec over one keyring, plus its per-key counters (session_manager.cpp)

  // The data-specific steps, as plain function pointers so the request path stays out of
  // templates and std::function: `open` decodes one cookie value into the session behind
  // `target` and returns its head; `reset` empties the data again after a later rejection;
  // `seal` encodes the session's data with the given head and expiry.
  struct Opened {
    detail::SessionHead head;
    std::chrono::sys_seconds expires_at;
    KeyId key_id;
    bool needs_reseal;
  };
  using OpenFn = Result<Opened> (*)(const Codec&, std::string_view name, std::string_view value,
                                    void* target);
  using ResetFn = void (*)(void* target);
  // On Error::too_large, `seal` also stores the plaintext size in *plaintext_bytes (for the
  // message's byte counts; measured only on that path).
  using SealFn = Result<std::string> (*)(const Codec&, std::string_view name, const detail::SessionHead& head,
                                         std::chrono::sys_seconds expires_at, const void* source,
                                         std::size_t* plaintext_bytes);

  template <class T>
  static Result<Opened> open_typed(const Codec& codec, std::string_view name, std::string_view value,
                                   void* target) {
    auto r = codec.decode<detail::TypedPayloadIn<T>>(name, value);
    if (!r) return r.error();
    auto& d = r.value();
    static_cast<TypedSession<T>*>(target)->data_ = std::move(d.value.data);
    return Opened{d.value.head, d.expires_at, d.key_id, d.needs_reseal};
  }
  template <class T>
  static void reset_typed(void* target) {
    static_cast<TypedSession<T>*>(target)->data_ = T{};
  }
  template <class T>
  static Result<std::string> seal_typed(const Codec& codec, std::string_view name,
                                        const detail::SessionHead& head, std::chrono::sys_seconds expires_at,
                                        const void* source, std::size_t* plaintext_bytes) {
    const auto* s = static_cast<const TypedSession<T>*>(source);
    const detail::TypedPayloadOut<T> payload{head, &s->data_};
    auto r = codec.encode(name, payload, expires_at);
    if (!r && r.error() == Error::too_large) {
      std::string bytes;
      {
        detail::BufferOutputArchive ar(bytes);
        ar(payload);
      }
      *plaintext_bytes = bytes.size();
    }
    return r;
  }

  void load_into(std::span<const std::string_view> headers, SessionBase& session, OpenFn open, ResetFn reset,
                 void* target) const;
  void init_fresh(SessionBase& session, LoadStatus status) const;
  [[nodiscard]] Commit commit_core(const SessionBase& session, SealFn seal, const void* source) const;
  class Reader;  // pins the current Generation for one load() or commit() (session_manager.cpp)
  [[nodiscard]] std::unique_ptr<Generation> make_generation(Keyring keyring) const;

  Config config_;
  std::string name_;
  std::chrono::seconds renew_after_{};  // ttl * renew_share, rounded
  // RCU-like publication, lock-free for readers: a reader counts itself in readers_[epoch & 1]
  // (re-checking the epoch) before it reads generation_; rotate() publishes the new generation,
  // flips the epoch and waits for the old side to drain before it frees the old one.
  // (std::atomic<std::shared_ptr> would do, but libstdc++ 12's load races formally with store:
  // google/sanitizers#1558.)
  std::atomic<const Generation*> generation_{nullptr};
  std::atomic<std::uint64_t> epoch_{0};
  mutable std::array<std::atomic<std::uint64_t>, 2> readers_{};
  mutable std::array<std::atomic<std::uint64_t>, load_status_count> status_counts_{};
  std::mutex rotate_mutex_;  // serializes rotate() calls only; load() and commit() never take it
};

}  // namespace cookieseal
