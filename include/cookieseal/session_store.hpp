// cookieseal - SessionStore: where server-side session records live (memory, Redis, your own)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/redis.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// A record as a store keeps it: opaque bytes (already sealed, docs/STORE.md §Record) and the
/// version the store gave it when it was written.
struct StoredRecord {
  std::string record;         ///< the bytes save() was given
  std::uint64_t version = 0;  ///< changes on every save(); never 0 for a record that exists
};

/// One member of a per-user index: a record key and when the session it names ends.
struct IndexEntry {
  std::string member;                                  ///< what index_add() was given (a record key)
  std::chrono::system_clock::time_point expires_at{};  ///< after it, the member is gone
};

/// Where a SessionManager with a store keeps each session (Config::store_mode, docs/STORE.md).
enum class StoreMode : std::uint8_t {
  server,     ///< always in the store; the cookie carries only a sealed reference
  automatic,  ///< in the cookie while its Set-Cookie fits 4096 bytes, in the store when it does not
};

/// A live session of a user, as SessionManager::sessions_of() lists it. No id: a handle cannot
/// be made into a cookie.
struct SessionListing {
  std::string handle;            ///< hex of the record's store key: stable, not a credential
  std::uint64_t created_at = 0;  ///< seconds since the epoch
  std::uint64_t issued_at = 0;   ///< when the record was last written
  std::chrono::sys_seconds
      expires_at;  ///< the latest it can last (created_at + max_lifetime); it ends sooner if it idles out
  bool current = false;  ///< the session the listing was asked from
};

/// An entry of a per-user index to write together with a record (save_indexed).
struct IndexUpdate {
  std::string_view index;                              ///< the index (a user's)
  std::string_view member;                             ///< the member (a record key)
  std::chrono::system_clock::time_point expires_at{};  ///< as index_add()'s
};

/// The storage verbs below the session policy, as express-session's Store and ASP.NET's
/// ITicketStore: keys in, opaque records out. Expiry, renewal, sealing and cookies live above
/// it (docs/STORE.md), so an implementation only stores bytes with a time to live.
///
/// Contract for every implementation:
///  - thread-safe: one store serves every thread (no lock held across a network round trip;
///    connections pooled);
///  - never throws on these calls (but std::bad_alloc): an unreachable store is
///    Error::unavailable, a lost version check Error::conflict, a record over the store's
///    limit Error::too_large;
///  - keys and members are binary-safe byte strings of at most 256 bytes; records are at
///    most what the store documents.
///
/// Example (a store of your own, see examples/custom_store.cpp):
///   class MyStore final : public cookieseal::SessionStore { ... };
///   auto store = std::make_shared<MyStore>();
class COOKIESEAL_API SessionStore {
 public:
  virtual ~SessionStore() = default;

  /// The record under `key`, or nullopt when there is none (never written, removed, or its
  /// ttl passed).
  [[nodiscard]] virtual Result<std::optional<StoredRecord>> load(std::string_view key) = 0;
  /// Writes `record` under `key` for `ttl` (> 0) and returns its new version. With
  /// `expected_version`, writes only if the stored version is still that (0: only if there is
  /// no record), else Error::conflict and nothing changes. Without it the last write wins.
  [[nodiscard]] virtual Result<std::uint64_t> save(std::string_view key, std::string_view record,
                                                   std::chrono::milliseconds ttl,
                                                   std::optional<std::uint64_t> expected_version) = 0;
  /// Deletes the record (no record is success).
  [[nodiscard]] virtual Result<void> remove(std::string_view key) = 0;
  /// Gives the record a new ttl without rewriting it: false when there is no record.
  [[nodiscard]] virtual Result<bool> touch(std::string_view key, std::chrono::milliseconds ttl) = 0;

  /// Adds (or moves) `member` in the set `index`, until `expires_at`; the index itself lives as
  /// long as its latest member.
  [[nodiscard]] virtual Result<void> index_add(std::string_view index, std::string_view member,
                                               std::chrono::system_clock::time_point expires_at) = 0;
  /// The members of `index` whose expiry is after `now` (expired ones are dropped), in no
  /// particular order; at most `limit` of them.
  [[nodiscard]] virtual Result<std::vector<IndexEntry>> index_list(std::string_view index,
                                                                   std::chrono::system_clock::time_point now,
                                                                   std::size_t limit) = 0;
  /// Removes `member` from `index` (absent is success).
  [[nodiscard]] virtual Result<void> index_remove(std::string_view index, std::string_view member) = 0;

  /// save() and index_add(update) as one call, so that a store can do both in one round trip
  /// (the Redis store pipelines them): a signed-in session's commit is then one network wait.
  /// The result is save()'s; an index failure after a successful save is its error. The index
  /// entry may be written even when the save is a conflict (listings check every entry against
  /// its record). Default: the two calls, one after the other.
  [[nodiscard]] virtual Result<std::uint64_t> save_indexed(std::string_view key, std::string_view record,
                                                           std::chrono::milliseconds ttl,
                                                           std::optional<std::uint64_t> expected_version,
                                                           const IndexUpdate& update) {
    Result<std::uint64_t> saved = save(key, record, ttl, expected_version);
    if (!saved) return saved;
    if (Result<void> indexed = index_add(update.index, update.member, update.expires_at); !indexed) {
      return indexed.error();
    }
    return saved;
  }

 protected:
  ///@{
  /// For implementations only: a store is used through a pointer to this interface.
  SessionStore() = default;
  SessionStore(const SessionStore&) = default;
  SessionStore& operator=(const SessionStore&) = default;
  ///@}
};

/// The settings of the in-process store. A plain struct: each field says its default.
struct MemoryStoreOptions {
  /// Most bytes all records, keys and index members may take together; a save that would
  /// pass it (after expired entries are dropped) is Error::unavailable ("store full").
  /// Default is 64 MiB.
  std::size_t max_bytes = std::size_t{64} << 20;
  /// Longest record one save() accepts; longer is Error::too_large. Default is 1 MiB.
  std::size_t max_record_bytes = std::size_t{1} << 20;
  /// Current time; tests inject one. Default (empty) is std::chrono::system_clock.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// A store in this process's memory: for one process, tests and development. Entries expire
/// by their ttl (dropped when touched and by a sweep when the store is full); every call takes
/// one mutex for a few map operations (no I/O under it).
/// Example: `auto store = cookieseal::make_memory_store({.max_bytes = 16 << 20});`
[[nodiscard]] COOKIESEAL_API std::shared_ptr<SessionStore> make_memory_store(MemoryStoreOptions options = {});

/// A store in Redis (docs/STORE.md §Redis): connections pooled (redis::Pool, reconnect with
/// backoff), GET / SET PX / PEXPIRE / DEL, the per-user index a ZSET scored by expiry, the
/// version check one EVAL. Keys are `<prefix>{<backend key>}`. Throws ConfigError for bad
/// settings, or in a build without hiredis.
/// Example: `auto store = cookieseal::make_redis_store(settings);`
[[nodiscard]] COOKIESEAL_API std::shared_ptr<SessionStore> make_redis_store(const RedisSettings& settings);

/// The store a specification names, as `COOKIESEAL_STORE` takes it: `cookie` (nullptr: no
/// store, sessions live in cookies), `memory` (make_memory_store()), or a `redis://host:port/db`
/// / `unix:///path?db=N` URL (make_redis_store() with `settings` and that endpoint; a user in
/// the URL wins over settings.endpoint.user). Throws ConfigError for anything else.
/// Example: `config.store = cookieseal::make_session_store(std::getenv("APP_STORE"), {});`
[[nodiscard]] COOKIESEAL_API std::shared_ptr<SessionStore> make_session_store(std::string_view spec,
                                                                              RedisSettings settings);

}  // namespace cookieseal
