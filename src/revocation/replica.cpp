// cookieseal - the revocation replica's tables
#include "revocation/replica.hpp"

#include <sodium.h>  // crypto_shorthash (SipHash-2-4), randombytes_buf

#include <algorithm>
#include <cstring>
#include <limits>
#include <mutex>

namespace cookieseal::detail {
namespace {

const std::array<unsigned char, crypto_shorthash_KEYBYTES>& hash_key() {
  static const auto key = [] {
    std::array<unsigned char, crypto_shorthash_KEYBYTES> k{};
    if (sodium_init() < 0) std::abort();  // libsodium cannot start: nothing safe to do
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  return key;
}

std::size_t sip(const void* data, std::size_t n) noexcept {
  std::array<unsigned char, crypto_shorthash_BYTES> out{};
  crypto_shorthash(out.data(), static_cast<const unsigned char*>(data), n, hash_key().data());
  std::size_t h = 0;
  std::memcpy(&h, out.data(), sizeof h);
  return h;
}

std::uint32_t clamp32(std::int64_t t) noexcept {
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(t, 1, std::numeric_limits<std::uint32_t>::max()));
}

// The 4 filter bits of an id: four 6-bit fields of the hash, from other bits than the slot
// index (the low bits) and the filter word (bits 32 and up).
std::uint64_t filter_bits(std::size_t h) noexcept {
  const std::uint64_t g = (static_cast<std::uint64_t>(h) * 0x9E3779B97F4A7C15ULL) >> 40;
  return (1ULL << (g & 63)) | (1ULL << ((g >> 6) & 63)) | (1ULL << ((g >> 12) & 63)) |
         (1ULL << ((g >> 18) & 63));
}

}  // namespace

std::size_t KeyedHash::operator()(std::string_view s) const noexcept { return sip(s.data(), s.size()); }
std::size_t KeyedHash::operator()(const SessionId& id) const noexcept {
  return sip(id.bytes.data(), id.bytes.size());
}

namespace {

// The last id this thread prefetched, with its hash: load() prefetches, then checks the same
// id, so the check need not hash it again. (The hash key is the process's: any table agrees.)
struct LastPrefetch {
  SessionId id;
  std::size_t hash = 0;
  bool set = false;
};
thread_local LastPrefetch last_prefetch;

std::size_t hash_of(const SessionId& id) noexcept {
  if (last_prefetch.set && last_prefetch.id == id) return last_prefetch.hash;
  return KeyedHash{}(id);
}

}  // namespace

bool IdTable::contains(const SessionId& id, std::int64_t now) const noexcept {
  if (used_ == 0) return false;  // the common case costs no hash
  const std::size_t h = hash_of(id);
  const std::uint64_t bits = filter_bits(h);
  if ((filter_[(h >> 32) & (filter_.size() - 1)] & bits) != bits) return false;  // surely not here
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.forget_at == 0) return false;
    if (s.id == id.bytes) return static_cast<std::int64_t>(s.forget_at) >= now;
  }
}

void IdTable::prefetch(const SessionId& id) const noexcept {
  const std::uintptr_t base = prefetch_base_.load(std::memory_order_relaxed);
  if (base == 0) return;  // no filter yet
  const std::size_t h = KeyedHash{}(id);
  last_prefetch = {id, h, true};
  const std::size_t index = (h >> 32) & prefetch_mask_.load(std::memory_order_relaxed);
  // An integer address: with a mask newer than the base it may lie past the old filter, which
  // a prefetch does not mind.
  const std::uintptr_t address = base + index * sizeof(std::uint64_t);
  __builtin_prefetch(reinterpret_cast<const void*>(address));  // NOLINT(performance-no-int-to-ptr)
}

void IdTable::insert(const SessionId& id, std::int64_t forget_at, std::int64_t now) {
  if (forget_at < now) return;
  if ((used_ + 1) * 4 > slots_.size() * 3) rebuild(now);
  place(id, clamp32(forget_at));
}

// Adds or extends an entry (the later forget_at wins); the table has room.
void IdTable::place(const SessionId& id, std::uint32_t forget_at) {
  const std::size_t h = KeyedHash{}(id);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.forget_at == 0) {
      s = Slot{id.bytes, forget_at};
      word(h) |= filter_bits(h);
      ++used_;
      return;
    }
    if (s.id == id.bytes) {
      s.forget_at = std::max(s.forget_at, forget_at);
      return;
    }
  }
}

// Doubles the table only if the live ids need the room: a full table of mostly expired ids is
// rebuilt at its size, so a long-running replica does not keep dead entries past that.
void IdTable::rebuild(std::int64_t now) {
  const std::size_t keep = live(now);
  std::vector<Slot> old = std::move(slots_);
  std::size_t cap = std::max<std::size_t>(16, old.size());
  if (keep * 4 + 4 > cap * 3 / 2) cap *= 2;
  slots_.assign(cap, Slot{{}, 0});
  filter_.assign(cap / 16, 0);  // rebuilt: expired ids leave the filter too
  prefetch_base_.store(reinterpret_cast<std::uintptr_t>(filter_.data()), std::memory_order_relaxed);
  prefetch_mask_.store(filter_.size() - 1, std::memory_order_relaxed);
  used_ = 0;
  for (const Slot& s : old) {
    if (s.forget_at != 0 && static_cast<std::int64_t>(s.forget_at) >= now)
      place(SessionId{s.id}, s.forget_at);
  }
}

bool IdTable::mostly_expired(std::int64_t now) const noexcept {
  return used_ >= 64 && (used_ - live(now)) * 2 >= used_;
}

std::size_t IdTable::live(std::int64_t now) const noexcept {
  return static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [now](const Slot& s) {
    return s.forget_at != 0 && static_cast<std::int64_t>(s.forget_at) >= now;
  }));
}

void NotBefore::merge(NotBefore other) noexcept {
  not_before = std::max(not_before, other.not_before);
  forget_at = std::max(forget_at, other.forget_at);
}

bool Replica::revoked(const SessionId& id, std::string_view user, std::int64_t created_at,
                      std::int64_t now) const noexcept {
  const std::shared_lock lock(mutex_);
  if (s_.all && created_at < s_.all->not_before && now <= s_.all->forget_at) return true;
  if (!user.empty() && !s_.users.empty()) {
    const auto it = s_.users.find(user);
    if (it != s_.users.end() && created_at < it->second.not_before && now <= it->second.forget_at)
      return true;
  }
  return s_.ids.contains(id, now);
}

void Replica::prefetch(const SessionId& id) const noexcept { s_.ids.prefetch(id); }

void Replica::add_id(const SessionId& id, std::int64_t forget_at, std::int64_t now) {
  const std::unique_lock lock(mutex_);
  s_.add_id(id, forget_at, now);
}

void Snapshot::add_user(std::string_view user, NotBefore nb, std::int64_t now) {
  if (nb.forget_at < now) return;
  auto it = users.find(user);
  if (it == users.end()) {
    users.emplace(std::string(user), nb);
  } else {
    it->second.merge(nb);
  }
}

void Snapshot::add_all(NotBefore nb, std::int64_t now) {
  if (nb.forget_at < now) return;
  if (all) {
    all->merge(nb);
  } else {
    all = nb;
  }
}

void Replica::add_user(std::string_view user, NotBefore nb, std::int64_t now) {
  const std::unique_lock lock(mutex_);
  s_.add_user(user, nb, now);
}

void Replica::add_all(NotBefore nb, std::int64_t now) {
  const std::unique_lock lock(mutex_);
  s_.add_all(nb, now);
}

// The ids are counted under the shared lock (a table of a million ids is tens of MB to read:
// check() must not wait for that) and rebuilt only when at least half of them have expired,
// so each rebuild's work is paid for by the expired ids it drops.
void Replica::purge(std::int64_t now) {
  {
    const std::unique_lock lock(mutex_);
    std::erase_if(s_.users, [now](const auto& u) { return u.second.forget_at < now; });
    if (s_.all && s_.all->forget_at < now) s_.all.reset();
  }
  bool rebuild = false;
  {
    const std::shared_lock lock(mutex_);
    rebuild = s_.ids.mostly_expired(now);
  }
  if (rebuild) {
    const std::unique_lock lock(mutex_);
    s_.ids.rebuild(now);
  }
}

// The period is the size right after the last purge, not the size now: each write adds an
// entry, so the size now would always stay ahead of the count and no purge would come.
void Replica::purge_sometimes(std::int64_t now) {
  if (writes_.fetch_add(1, std::memory_order_relaxed) + 1 < purge_every_.load(std::memory_order_relaxed))
    return;
  writes_.store(0, std::memory_order_relaxed);
  purge(now);
  purge_every_.store(std::max<std::size_t>(64, size()), std::memory_order_relaxed);
}

std::size_t Replica::size() const {
  const std::shared_lock lock(mutex_);
  return s_.ids.size() + s_.users.size();
}

void Replica::fill(RevocationStats& stats, std::int64_t now) const {
  const std::shared_lock lock(mutex_);
  stats.revoked_ids = s_.ids.live(now);
  stats.revoked_users = static_cast<std::size_t>(std::count_if(
      s_.users.begin(), s_.users.end(), [now](const auto& u) { return u.second.forget_at >= now; }));
  if (s_.all && s_.all->forget_at >= now)
    stats.all_not_before = std::chrono::sys_seconds(std::chrono::seconds(s_.all->not_before));
  std::size_t user_bytes = 0;
  for (const auto& [name, nb] : s_.users) user_bytes += name.capacity() + sizeof(nb) + 4 * sizeof(void*);
  stats.replica_bytes = s_.ids.bytes() + user_bytes + s_.users.bucket_count() * sizeof(void*);
}

}  // namespace cookieseal::detail
