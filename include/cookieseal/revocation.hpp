// cookieseal - revocation lists: logout that holds across a fleet and a restart
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/redis.hpp>
#include <cookieseal/session.hpp>  // SessionId

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace cookieseal {

/// What a revocation list knows; every time is whole seconds since the epoch.
struct RevocationStats {
  std::size_t revoked_ids = 0;    ///< revoked session ids in the local replica (expired ones excluded)
  std::size_t revoked_users = 0;  ///< users with a not-before in the replica
  std::optional<std::chrono::sys_seconds> all_not_before;  ///< revoke_all() cut-off, if any
  /// Time since the replica was last known complete (docs/REVOCATION.md §Staleness); nullopt
  /// for the in-memory list (always fresh) and for a Redis list that never synced.
  std::optional<std::chrono::seconds> staleness;
  bool synced = true;             ///< false until a Redis list's first full sync
  bool connected = true;          ///< the Redis follower is connected and subscribed
  std::uint64_t bad_entries = 0;  ///< garbage found in the store and ignored (since start)
  std::uint64_t resyncs = 0;      ///< full syncs done (since start)
  std::size_t replica_bytes = 0;  ///< memory of the replica's tables (approximate)
};

/// check()'s answer.
enum class RevocationVerdict : std::uint8_t {
  valid,    ///< not revoked (as far as a fresh replica knows)
  revoked,  ///< refuse the session
  stale,    ///< the replica is too old to tell (RevocationOptions::max_stale): fail closed
};

/// Options of a Redis revocation list. A plain struct; every field says its default.
struct RevocationOptions {
  /// Past this age the replica answers `stale` (docs/REVOCATION.md §Faults); nullopt: never.
  /// A list that never synced answers `stale` whatever this is. Default 5 minutes.
  std::optional<std::chrono::seconds> max_stale = std::chrono::minutes(5);
  /// Full resync period (heals a missed pub/sub message). Default 30 s.
  std::chrono::seconds resync_interval{30};
  /// How long make_redis_revocation waits for the first full sync before returning (it
  /// returns anyway, unsynced, and keeps trying). Default 3 s.
  std::chrono::milliseconds initial_sync_wait{3000};
  /// Keep a replica (a follower thread). false for write-only users such as the CLI: check()
  /// then always answers `stale`. Default true.
  bool follow = true;

  /// max_stale from `<var_prefix>REVOCATION_MAX_STALE`, e.g. COOKIESEAL_REVOCATION_MAX_STALE (a duration:
  /// 300, 5m; `0` or `off`: never stale) over the defaults. Throws ConfigError naming the variable.
  [[nodiscard]] COOKIESEAL_API static RevocationOptions from_env(std::string_view var_prefix = "COOKIESEAL_");
};

/// A revocation list: revoked session ids, per-user and global not-before times. Every
/// implementation is thread-safe. check() is the request path: memory only, no network,
/// a short shared lock, noexcept. The revoke calls record in the store (Redis) and return
/// Error::unavailable when that fails — never a silent drop. docs/REVOCATION.md.
///
/// Example:
///   auto list = cookieseal::make_revocation("redis://10.0.0.5:6379/0",
///                                           cookieseal::RedisSettings::from_env(),
///                                           cookieseal::RevocationOptions::from_env());
///   if (!list->revoke(s.id(), s.created_at() + max_lifetime + leeway)) show("logout not recorded");
///   if (list->check(s.id(), user, s.created_at(), now) != RevocationVerdict::valid) reject();
class COOKIESEAL_API Revocation {
 public:
  virtual ~Revocation();
  Revocation() = default;
  Revocation(const Revocation&) = delete;
  Revocation& operator=(const Revocation&) = delete;

  /// `user` empty = no user. revoked if: the id is revoked (and now <= its forget_at: an entry
  /// holds through that second, the last one a cookie of the session can open); or
  /// `user` is non-empty and created_at < that user's not-before; or created_at < the global
  /// not-before. stale if the replica is older than max_stale (or never synced).
  [[nodiscard]] virtual RevocationVerdict check(const SessionId& id, std::string_view user,
                                                std::chrono::sys_seconds created_at,
                                                std::chrono::sys_seconds now) const noexcept = 0;
  /// A hint that check() for this id comes shortly (load() gives it before decoding the
  /// session's data): a list may start loading the memory check() will read. Must not block,
  /// lock for long or touch the network. The default does nothing.
  virtual void prefetch(const SessionId& id) const noexcept { (void)id; }
  /// Revokes one session. forget_at: the latest moment a cookie of it could still open
  /// (created_at + max lifetime + leeway); the entry holds through that second and expires
  /// after it, in Redis and the replica.
  [[nodiscard]] virtual Result<void> revoke(const SessionId& id, std::chrono::sys_seconds forget_at) = 0;
  /// Revokes every session of `user` (1 to max_user_bytes bytes, else Error::too_large /
  /// malformed) created before `not_before`; kept until forget_at (now + max lifetime + leeway).
  [[nodiscard]] virtual Result<void> revoke_user(std::string_view user, std::chrono::sys_seconds not_before,
                                                 std::chrono::sys_seconds forget_at) = 0;
  /// Revokes every session created before `not_before`; kept until forget_at.
  [[nodiscard]] virtual Result<void> revoke_all(std::chrono::sys_seconds not_before,
                                                std::chrono::sys_seconds forget_at) = 0;
  /// Counters and sizes (not the request path: may count).
  [[nodiscard]] virtual RevocationStats stats(std::chrono::sys_seconds now) const = 0;
};

/// Longest user name revoke_user accepts: the longest a session carries (set_user).
inline constexpr std::size_t max_user_bytes = detail::max_user_bytes;

/// In-process list (one server, development, tests of the policy): lost on restart.
[[nodiscard]] COOKIESEAL_API std::unique_ptr<Revocation> make_memory_revocation();

/// A list kept in Redis and followed by a local replica (docs/REVOCATION.md). Returns once
/// synced or after options.initial_sync_wait; an unreachable Redis is not a start-up error
/// (the list answers `stale` until its first sync). Throws ConfigError for bad settings.
[[nodiscard]] COOKIESEAL_API std::unique_ptr<Revocation> make_redis_revocation(
    const RedisSettings& settings, RevocationOptions options = {});

/// The list a COOKIESEAL_REVOCATION value names: `memory`, or a `redis://` / `unix://` URL
/// (which replaces settings.endpoint). Throws ConfigError for anything else.
[[nodiscard]] COOKIESEAL_API std::unique_ptr<Revocation> make_revocation(std::string_view spec,
                                                                         RedisSettings settings,
                                                                         RevocationOptions options = {});

}  // namespace cookieseal
