// cookieseal - Session: the key/value (or typed) state carried in one sealed cookie
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/detail/placement.hpp>
#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/key.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace cookieseal {

class SessionManager;

/// A random 128-bit session id, made with the session (docs/SESSION.md §Id). It is sealed
/// inside the cookie, so it is never visible to the client; use it for logs, revocation lists
/// and server-side rate limits. Compare with ==, print with hex() (32 lower-case hex digits).
///
/// Example:
///   log("session {} logged in", session.id().hex());
struct SessionId {
  static constexpr std::size_t size = 16;  ///< bytes in an id
  std::array<std::uint8_t, size> bytes{};  ///< the id, from the OS random generator

  /// A new id from the OS random generator (libsodium randombytes_buf).
  [[nodiscard]] COOKIESEAL_API static SessionId generate();
  /// Reads 32 hex digits (either case, nothing around them); nullopt for anything else.
  /// Example: `auto id = cookieseal::SessionId::from_hex(line);  // e.g. a revocation list`
  [[nodiscard]] COOKIESEAL_API static std::optional<SessionId> from_hex(std::string_view text) noexcept;
  /// 32 lower-case hex digits.
  [[nodiscard]] COOKIESEAL_API std::string hex() const;

  friend bool operator==(const SessionId&, const SessionId&) = default;
  friend auto operator<=>(const SessionId&, const SessionId&) = default;
};

/// Prints id.hex().
COOKIESEAL_API std::ostream& operator<<(std::ostream& os, const SessionId& id);

/// Where a session came from: the cookie it was opened from, or why it is a fresh one.
/// Every value but `loaded` means "fresh, empty session"; the reason is for logs and metrics.
enum class LoadStatus : std::uint8_t {
  absent = 0,           ///< no cookie of that name (or an empty value), or made by create()
  loaded,               ///< opened and accepted: the session carries the cookie's state
  malformed,            ///< Error::malformed: not a cookie this library wrote
  unsupported_version,  ///< Error::unsupported_version: written by a newer format
  unknown_key,          ///< Error::unknown_key: sealed under a key not in the keyring (retired?)
  tampered,             ///< Error::tampered: authentication failed
  expired,              ///< Error::expired: idle ttl passed, or the absolute lifetime is over
  bad_payload,          ///< Error::bad_payload: authentic but not such a session (or made after now + leeway)
  too_large,            ///< Error::too_large: longer than any cookie a browser keeps
  revoked,              ///< revoked (the session, its user or everything before a time), or the hook said so
  unavailable,          ///< Error::unavailable: the server-side store could not be reached
  stale,                ///< Error::stale: the revocation replica is too old to trust (fails closed)
  ambiguous,  ///< several cookies of the name opened as different sessions (cookie tossing?): none is trusted
};

/// Number of LoadStatus values (for tables of counters indexed by status).
inline constexpr std::size_t load_status_count = 13;

/// The status name as written in docs and logs, e.g. "tampered". Never contains input bytes.
/// Example: `log("session: {}", cookieseal::to_string(session.load_status()));`
[[nodiscard]] COOKIESEAL_API std::string_view to_string(LoadStatus status) noexcept;
/// Prints to_string(status).
COOKIESEAL_API std::ostream& operator<<(std::ostream& os, LoadStatus status);

/// The LoadStatus for a codec error (Error::malformed -> LoadStatus::malformed, ...).
[[nodiscard]] COOKIESEAL_API LoadStatus load_status_of(Error error) noexcept;

/// What every session has, whatever it stores: its id, creation time, where it came from and
/// what the response must do (docs/SESSION.md §Behaviour). Session and TypedSession<T> derive
/// from it; SessionManager reads and fills it. Not thread-safe: a session belongs to one
/// request (the manager that makes it is what is shared).
class COOKIESEAL_API SessionBase {
 public:
  /// The session id (random, 128 bits).
  [[nodiscard]] const SessionId& id() const noexcept { return id_; }
  /// Gives the session a new random id and marks it modified. Call it when privileges change
  /// (login, sudo) so an id an attacker planted before login is worth nothing afterwards
  /// (session fixation). The data and created_at stay.
  /// Example: `if (password_ok) { session.regenerate_id(); session.set("user", name); }`
  void regenerate_id();

  /// When the session was first made (kept across renewals; the absolute lifetime counts
  /// from it). Whole seconds.
  [[nodiscard]] std::chrono::sys_seconds created_at() const noexcept { return created_at_; }
  /// The expiry of the cookie the session was opened from; nullopt for a fresh session.
  [[nodiscard]] std::optional<std::chrono::sys_seconds> expires_at() const noexcept { return expires_at_; }
  /// The key that opened the cookie; nullopt for a fresh session.
  [[nodiscard]] std::optional<KeyId> key_id() const noexcept { return key_id_; }

  /// Where the session came from; anything but LoadStatus::loaded is a fresh, empty session.
  [[nodiscard]] LoadStatus load_status() const noexcept { return status_; }
  /// True when the session was not opened from a cookie (load_status() != loaded).
  [[nodiscard]] bool is_new() const noexcept { return status_ != LoadStatus::loaded; }
  /// True when a cookie was sent but refused (neither absent nor loaded): worth a log line.
  [[nodiscard]] bool rejected() const noexcept {
    return status_ != LoadStatus::loaded && status_ != LoadStatus::absent;
  }

  /// True once the data or the id changed: commit() then sends a Set-Cookie.
  [[nodiscard]] bool modified() const noexcept { return modified_; }
  /// Forces a Set-Cookie on commit (e.g. after changing a TypedSession through a pointer
  /// taken earlier).
  void mark_modified() noexcept { modified_ = true; }

  /// Ends the session: commit() returns a Set-Cookie that deletes the cookie (Max-Age=0 and
  /// an Expires in the past, same Path and Domain), whatever else happened to the session.
  /// Example: `session.destroy(); res.set_header("Set-Cookie", *manager.commit(session).set_cookie);`
  void destroy() noexcept { destroyed_ = true; }
  /// True after destroy().
  [[nodiscard]] bool destroyed() const noexcept { return destroyed_; }

  /// True when the cookie was opened by a non-primary key (or written in an older payload
  /// layout): commit() re-issues it under the primary even if nothing changed, so rotation
  /// moves live sessions to the new key.
  [[nodiscard]] bool needs_reseal() const noexcept { return needs_reseal_; }

  /// Records who is signed in (sealed in the session's head, docs/SESSION.md), so that
  /// SessionManager::revoke_user() can end every session of this user without any lookup.
  /// Call it at login, after regenerate_id(). At most 256 bytes: a longer id throws
  /// std::length_error (a programming mistake). An empty id means nobody.
  /// Example: `session.regenerate_id(); session.set_user(std::to_string(user.id));`
  void set_user(std::string_view user);
  /// The user set with set_user(), or empty.
  [[nodiscard]] std::string_view user() const noexcept { return user_; }

  /// Gives this session its own idle ttl instead of the manager's (a "remember me" session, a
  /// short-lived admin one), kept across requests in the sealed head. Capped on commit at the
  /// absolute lifetime, which no session outlives. Throws std::invalid_argument for a ttl that
  /// is not positive or is over 400 days (max_ttl: browsers keep no cookie longer).
  /// Example: `if (remember_me) session.set_ttl(std::chrono::days(30));`
  void set_ttl(std::chrono::seconds ttl);
  /// This session's own ttl, or nullopt when it uses the manager's.
  [[nodiscard]] std::optional<std::chrono::seconds> ttl() const noexcept {
    if (own_ttl_ == 0) return std::nullopt;
    return std::chrono::seconds(own_ttl_);
  }
  /// Lengthens this session's life by `by`: from this commit on its idle ttl is the ttl in
  /// force (its own, or the manager's) plus `by`, as Tideway's extend(). Several calls add up.
  /// The ttl is capped at 400 days and never reaches past created_at + max_lifetime, in
  /// cookie and store mode alike. Throws std::invalid_argument for a duration that is not
  /// positive.
  /// Example: `session.extend(std::chrono::hours(1));  // an hour more before it idles out`
  void extend(std::chrono::seconds by);

  /// True when the session's data was read from a server-side store record (the cookie held
  /// only a reference); false for a session carried in its cookie, and for a fresh one.
  [[nodiscard]] bool stored() const noexcept { return placement_.stored; }

 protected:
  /// A fresh session: random id, created now (system clock), LoadStatus::absent.
  SessionBase();
  /// A session whose id SessionManager sets (detail::UnsetId).
  explicit SessionBase(detail::UnsetId) noexcept {}
  ~SessionBase() = default;
  ///@{
  /// Copyable and movable, as its derived sessions are.
  SessionBase(const SessionBase&) = default;
  SessionBase(SessionBase&&) noexcept = default;
  SessionBase& operator=(const SessionBase&) = default;
  SessionBase& operator=(SessionBase&&) noexcept = default;
  ///@}

 private:
  friend class SessionManager;

  SessionId id_;
  std::chrono::sys_seconds created_at_{};
  std::optional<std::chrono::sys_seconds> expires_at_;
  std::optional<KeyId> key_id_;
  LoadStatus status_ = LoadStatus::absent;
  bool modified_ = false;
  bool destroyed_ = false;
  bool needs_reseal_ = false;
  std::string user_;
  std::uint32_t own_ttl_ = 0;    // seconds; 0 = the manager's ttl
  std::uint32_t extend_by_ = 0;  // seconds extend() added, resolved against the ttl on commit
  detail::Placement placement_;  // where load() found the data (a store record, or the cookie)
};

/// A session as a small map: string keys to values of bool, 64-bit integer, double or string.
/// Entries are kept sorted by key (byte order), so the same state always encodes to the same
/// payload (docs/SESSION.md §Payload). Reading a missing key or a value of another type gives
/// nullopt, never an exception.
///
/// Example:
///   auto session = manager.load(request.header("Cookie"));
///   session.set("user", "ada");                     // a string, not a bool
///   session.set("visits", session.get<int>("visits").value_or(0) + 1);
///   if (auto s = manager.commit(session); s.set_cookie) response.add("Set-Cookie", *s.set_cookie);
class COOKIESEAL_API Session : public SessionBase {
 public:
  /// The value types; the index is the tag written in the payload (0 bool, 1 int64,
  /// 2 double, 3 string).
  using Value = std::variant<bool, std::int64_t, double, std::string>;
  /// Sorted by key bytes; std::less<> so lookups take a string_view without a copy.
  using Entries = std::map<std::string, Value, std::less<>>;

  /// A fresh, empty session (random id, created now). Prefer SessionManager::create(),
  /// which uses the manager's clock.
  Session() = default;

  // --- writing: each marks the session modified unless the stored value is already equal --
  /// Stores any Value.
  void set(std::string_view key, Value value);
  /// Stores a bool. Only an actual bool: nothing converts to it implicitly here, so a
  /// string literal or a pointer can never become `true`.
  template <class B>
  requires std::same_as<B, bool>
  void set(std::string_view key, B value) { set(key, Value(std::in_place_index<0>, value)); }
  /// Stores an integer as int64.
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char> &&
           std::numeric_limits<I>::max() <=
               std::numeric_limits<std::int64_t>::max()) void set(std::string_view key, I value) {
    set(key, Value(std::in_place_index<1>, static_cast<std::int64_t>(value)));
  }
  /// Integer types that may not fit int64 (uint64_t, size_t, unsigned long) are refused at
  /// compile time: convert explicitly, so no value is silently wrapped.
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char> &&
           (std::numeric_limits<I>::max() >
            std::numeric_limits<std::int64_t>::max())) void set(std::string_view key, I value) = delete;
  /// Stores a float or double as double.
  template <std::floating_point F>
  void set(std::string_view key, F value) {
    set(key, Value(std::in_place_index<2>, static_cast<double>(value)));
  }
  /// Stores a string.
  void set(std::string_view key, std::string value) {
    set(key, Value(std::in_place_index<3>, std::move(value)));
  }
  ///@{
  /// Stores a string (a copy of the text).
  void set(std::string_view key, std::string_view value) { set(key, std::string(value)); }
  void set(std::string_view key, const char* value) { set(key, std::string(value)); }
  ///@}
  /// A char is ambiguous (a letter or a number?): store a string or an integer explicitly.
  void set(std::string_view key, char value) = delete;
  void set(std::string_view key, std::nullptr_t) = delete;

  /// Removes the entry; returns whether there was one (and then marks the session modified).
  bool erase(std::string_view key);
  /// Removes every entry (marks the session modified if there were any). Id and created_at stay.
  void clear() noexcept;

  // --- reading -----------------------------------------------------------------------------
  /// The value as T, or nullopt when the key is missing or holds another type.
  /// T is bool, std::string, double, float (from a double), or any integer type (from an
  /// int64 that fits T, else nullopt).
  /// Example: `int n = session.get<int>("visits").value_or(0);`
  template <class T>
  [[nodiscard]] std::optional<T> get(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if constexpr (std::is_same_v<T, bool>) {
      if (const bool* b = std::get_if<0>(v)) return *b;
    } else if constexpr (std::is_integral_v<T>) {
      if (const std::int64_t* i = std::get_if<1>(v)) {
        if (std::in_range<T>(*i)) return static_cast<T>(*i);
      }
    } else if constexpr (std::is_floating_point_v<T>) {
      if (const double* d = std::get_if<2>(v)) return static_cast<T>(*d);
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (const std::string* s = std::get_if<3>(v)) return *s;
    } else {
      static_assert(sizeof(T) == 0,
                    "Session::get<T>: T must be bool, an integer, a floating type or std::string");
    }
    return std::nullopt;
  }
  /// The stored value, or nullptr. The pointer is valid until the entry is changed.
  [[nodiscard]] const Value* find(std::string_view key) const noexcept;
  /// True when an entry named `key` exists.
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  /// Every entry, sorted by key (e.g. for the CLI's JSON output).
  [[nodiscard]] const Entries& entries() const noexcept { return entries_; }
  /// The number of entries.
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  /// True when there are no entries.
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

 private:
  friend class SessionManager;
  // For SessionManager::load(): the id is set there.
  explicit Session(detail::UnsetId tag) : SessionBase(tag) {}
  Entries entries_;
};

/// A session whose data is the application's own cereal-serializable struct T (default-
/// constructible), with the same id, lifetime, renewal and destroy machinery as Session.
/// The payload holds T where Session holds its entries (docs/SESSION.md §Typed payload).
/// T declares its schema identity, a name and a version sealed with the data: a cookie
/// written for another name or version opens as bad_payload, never as a T. Change the version
/// whenever the members change; to migrate, read the old version under its own type and
/// write the new one (docs/SESSION.md §Schema changes).
///
/// Example:
///   struct Cart {
///     static constexpr std::string_view session_schema = "cart";
///     static constexpr std::uint32_t session_schema_version = 1;
///     std::vector<int> items;
///     template \<class A\> void serialize(A& a) { a(items); }
///   };
///   auto cart = manager.load<Cart>(cookie_header);
///   cart.data().items.push_back(42);           // non-const data() marks the session modified
///   auto out = manager.commit(cart);
template <class T>
class TypedSession : public SessionBase {
  static_assert(
      detail::DeclaresSessionSchema<T>,
      "TypedSession<T>: T must declare its schema identity, e.g. "
      "`static constexpr std::string_view session_schema = \"cart\"; "
      "static constexpr std::uint32_t session_schema_version = 1;` (docs/SESSION.md, Typed payload)");

 public:
  /// A fresh session holding T{}.
  TypedSession() = default;

  /// Mutable access; marks the session modified (so commit() writes a cookie).
  [[nodiscard]] T& data() noexcept {
    mark_modified();
    return data_;
  }
  /// Read-only access; does not mark the session modified.
  [[nodiscard]] const T& data() const noexcept { return data_; }
  /// Read-only access from a non-const session, without marking it modified.
  [[nodiscard]] const T& view() const noexcept { return data_; }

 private:
  friend class SessionManager;
  // For SessionManager::load(): the id is set there.
  explicit TypedSession(detail::UnsetId tag) : SessionBase(tag) {}  // T{} may throw
  T data_{};
};

}  // namespace cookieseal

/// \cond
// std::hash of a SessionId, for unordered containers (e.g. a revocation set).
template <>
struct std::hash<cookieseal::SessionId> {
  std::size_t operator()(const cookieseal::SessionId& id) const noexcept {
    std::size_t h = 0;  // the id is uniformly random: its first bytes are a fine hash
    static_assert(cookieseal::SessionId::size >= sizeof(std::size_t));
    for (std::size_t i = 0; i < sizeof(std::size_t); ++i) h = (h << 8) | id.bytes[i];
    return h;
  }
};
/// \endcond
