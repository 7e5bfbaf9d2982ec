// cookieseal - the in-memory revocation replica: revoked ids, per-user and global not-before
#pragma once

#include <cookieseal/revocation.hpp>
#include <cookieseal/session.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cookieseal::detail {

/// A keyed hash (SipHash, libsodium crypto_shorthash) with a per-process random key: entries
/// come from Redis, and whoever can write there must not be able to pick colliding ids or
/// users and turn every check() into a long probe.
struct KeyedHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept;
  std::size_t operator()(const SessionId& id) const noexcept;
};

/// Open-addressing table of revoked ids with their forget_at (seconds, 32 bits: until 2106),
/// behind a blocked Bloom filter (one 64-bit word per 16 slots, 4 bits per id) so that the
/// common lookup, a session that is not revoked, reads one word that stays in cache instead
/// of a slot in a table of tens of megabytes. 20.5 bytes a slot, load kept between 3/8 and
/// 3/4: 28 to 55 bytes per id.
class IdTable {
 public:
  /// An entry holds through its forget_at second (the latest second a cookie of the session
  /// can open, policy::forget_at) and has expired once now > forget_at.
  [[nodiscard]] bool contains(const SessionId& id, std::int64_t now) const noexcept;
  /// Starts loading the filter word contains() will read for this id (a hint; no effect on
  /// the result). Takes no lock: it reads the filter's address from atomics that a rebuild
  /// updates, and a prefetch of an address since freed is harmless (it never faults). The
  /// id's hash is kept for this thread's next contains().
  void prefetch(const SessionId& id) const noexcept;
  /// Adds (or extends: the later forget_at wins). Entries already expired at `now` are skipped.
  void insert(const SessionId& id, std::int64_t forget_at, std::int64_t now);
  /// Ids held, expired or not (expired ones leave at the next rebuild).
  [[nodiscard]] std::size_t size() const noexcept { return used_; }
  [[nodiscard]] std::size_t live(std::int64_t now) const noexcept;
  /// At least 64 ids held, and half of them or more expired: worth a rebuild.
  [[nodiscard]] bool mostly_expired(std::int64_t now) const noexcept;
  /// Rebuilds the table without the expired ids; doubles it only if the live ones need room.
  void rebuild(std::int64_t now);
  [[nodiscard]] std::size_t bytes() const noexcept {
    return slots_.capacity() * sizeof(Slot) + filter_.capacity() * sizeof(std::uint64_t);
  }

 private:
  struct Slot {
    std::array<std::uint8_t, SessionId::size> id;
    std::uint32_t forget_at;  // 0: empty
  };
  static_assert(sizeof(Slot) == 20);
  void place(const SessionId& id, std::uint32_t forget_at);
  std::uint64_t& word(std::size_t h) noexcept { return filter_[(h >> 32) & (filter_.size() - 1)]; }
  std::vector<Slot> slots_;
  std::vector<std::uint64_t> filter_;
  std::size_t used_ = 0;
  // filter_'s address and index mask for prefetch(), which runs without the lock; the mask
  // only grows (a rebuild never shrinks the table).
  std::atomic<std::uintptr_t> prefetch_base_{0};
  std::atomic<std::size_t> prefetch_mask_{0};
};

/// A user's or everyone's cut-off: sessions created before not_before are revoked, through
/// the second forget_at (expired once now > forget_at, as an id).
struct NotBefore {
  std::int64_t not_before = 0;
  std::int64_t forget_at = 0;
  /// Merges another entry: the later cut-off wins, kept as long as either needs.
  void merge(NotBefore other) noexcept;
};

/// The replica's tables. Entries that have expired by `now` are not added.
struct Snapshot {
  void add_id(const SessionId& id, std::int64_t forget_at, std::int64_t now) {
    ids.insert(id, forget_at, now);
  }
  void add_user(std::string_view user, NotBefore nb, std::int64_t now);
  void add_all(NotBefore nb, std::int64_t now);

  IdTable ids;
  std::unordered_map<std::string, NotBefore, KeyedHash, std::equal_to<>> users;
  std::optional<NotBefore> all;
};

/// The replica: a Snapshot behind a shared lock. check() takes the shared lock; updates (one
/// pub/sub message, or a whole sync) the exclusive one, briefly.
class Replica {
 public:
  [[nodiscard]] bool revoked(const SessionId& id, std::string_view user, std::int64_t created_at,
                             std::int64_t now) const noexcept;
  /// Revocation::prefetch: the id table's filter word (IdTable::prefetch, without the lock).
  void prefetch(const SessionId& id) const noexcept;
  void add_id(const SessionId& id, std::int64_t forget_at, std::int64_t now);
  void add_user(std::string_view user, NotBefore nb, std::int64_t now);
  void add_all(NotBefore nb, std::int64_t now);
  /// Drops expired users and cut-offs, and the expired ids when at least half have expired
  /// (otherwise they leave when the table next fills up and is rebuilt).
  void purge(std::int64_t now);
  /// Counts one write and purges once as many writes as the replica held after the last
  /// purge (at least 64) have come: amortized O(1) per write, and what has expired stays within
  /// a small multiple of what is live. For a list whose replica no full sync purges (the in-memory list).
  void purge_sometimes(std::int64_t now);
  /// Entries held (ids, expired or not, and users).
  [[nodiscard]] std::size_t size() const;
  /// Fills the counting fields of `stats`.
  void fill(RevocationStats& stats, std::int64_t now) const;

 private:
  mutable std::shared_mutex mutex_;
  Snapshot s_;
  std::atomic<std::size_t> writes_{0};        // since the last purge_sometimes() purge
  std::atomic<std::size_t> purge_every_{64};  // writes between two of them
};

[[nodiscard]] inline std::int64_t seconds(std::chrono::sys_seconds t) noexcept {
  return t.time_since_epoch().count();
}

}  // namespace cookieseal::detail
