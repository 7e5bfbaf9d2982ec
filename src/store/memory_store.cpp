// cookieseal - the in-process SessionStore: bounded maps under one mutex, expiry by ttl
#include <cookieseal/session_store.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace cookieseal {
namespace {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

struct Entry {
  std::string record;
  std::uint64_t version = 0;
  TimePoint expires_at{};
};

using Index = std::map<std::string, TimePoint, std::less<>>;  // member -> expiry

// Bytes an entry is charged for: its key and value, plus a fixed share for the map node, so
// a flood of tiny entries is bounded too.
constexpr std::size_t node_bytes = 64;

class MemoryStore final : public SessionStore {
 public:
  explicit MemoryStore(MemoryStoreOptions options) : options_(std::move(options)) {}

  Result<std::optional<StoredRecord>> load(std::string_view key) override {
    const std::lock_guard lock(mutex_);
    const auto it = live(key);
    if (it == records_.end()) return std::optional<StoredRecord>();
    return std::optional<StoredRecord>(StoredRecord{it->second.record, it->second.version});
  }

  Result<std::uint64_t> save(std::string_view key, std::string_view record, std::chrono::milliseconds ttl,
                             std::optional<std::uint64_t> expected) override {
    if (record.size() > options_.max_record_bytes) return Error::too_large;
    const std::lock_guard lock(mutex_);
    auto it = live(key);
    const std::uint64_t current = it == records_.end() ? 0 : it->second.version;
    if (expected && *expected != current) return Error::conflict;
    const std::size_t new_bytes = charge(key, record);
    if (!make_room(new_bytes, it == records_.end() ? 0 : charge(key, it->second.record)))
      return Error::unavailable;
    it = live(key);  // make_room may have swept
    const bool fresh = it == records_.end();
    if (fresh) it = records_.emplace(std::string(key), Entry{}).first;
    bytes_ = bytes_ - std::min(bytes_, fresh ? 0 : charge(key, it->second.record)) + new_bytes;
    it->second.record.assign(record);
    it->second.version = ++versions_;  // unique across keys: a recreated key never reuses one
    it->second.expires_at = now() + ttl;
    return it->second.version;
  }

  Result<void> remove(std::string_view key) override {
    const std::lock_guard lock(mutex_);
    if (const auto it = records_.find(std::string(key)); it != records_.end()) erase(it);
    return {};
  }

  Result<bool> touch(std::string_view key, std::chrono::milliseconds ttl) override {
    const std::lock_guard lock(mutex_);
    const auto it = live(key);
    if (it == records_.end()) return false;
    it->second.expires_at = now() + ttl;
    return true;
  }

  Result<void> index_add(std::string_view index, std::string_view member, TimePoint expires_at) override {
    const std::lock_guard lock(mutex_);
    if (const auto it = indexes_.find(index); it != indexes_.end()) {
      if (const auto found = it->second.find(member); found != it->second.end()) {
        found->second = expires_at;
        return {};
      }
    }
    if (!make_room(charge(index, member), 0)) return Error::unavailable;
    bytes_ += charge(index, member);
    indexes_[std::string(index)].emplace(std::string(member), expires_at);  // make_room may have swept
    return {};
  }

  Result<std::vector<IndexEntry>> index_list(std::string_view index, TimePoint now,
                                             std::size_t limit) override {
    const std::lock_guard lock(mutex_);
    std::vector<IndexEntry> out;
    const auto it = indexes_.find(index);
    if (it == indexes_.end()) return out;
    trim(it->first, it->second, now);
    for (const auto& [member, expires_at] : it->second) {
      if (out.size() == limit) break;
      out.push_back(IndexEntry{member, expires_at});
    }
    if (it->second.empty()) indexes_.erase(it);
    return out;
  }

  Result<void> index_remove(std::string_view index, std::string_view member) override {
    const std::lock_guard lock(mutex_);
    const auto it = indexes_.find(index);
    if (it == indexes_.end()) return {};
    if (const auto m = it->second.find(member); m != it->second.end()) {
      bytes_ -= std::min(bytes_, charge(index, member));
      it->second.erase(m);
    }
    if (it->second.empty()) indexes_.erase(it);
    return {};
  }

 private:
  using Records = std::unordered_map<std::string, Entry>;

  static std::size_t charge(std::string_view key, std::string_view value) noexcept {
    return key.size() + value.size() + node_bytes;
  }
  [[nodiscard]] TimePoint now() const { return options_.clock ? options_.clock() : Clock::now(); }

  // The entry under key if it has not expired; an expired one is dropped on the way.
  Records::iterator live(std::string_view key) {
    const auto it = records_.find(std::string(key));
    if (it == records_.end() || it->second.expires_at > now()) return it;
    erase(it);
    return records_.end();
  }
  void erase(Records::iterator it) {
    bytes_ -= std::min(bytes_, charge(it->first, it->second.record));
    records_.erase(it);
  }
  void trim(std::string_view index, Index& members, TimePoint now) {
    for (auto m = members.begin(); m != members.end();) {
      if (m->second > now) {
        ++m;
        continue;
      }
      bytes_ -= std::min(bytes_, charge(index, m->first));
      m = members.erase(m);
    }
  }
  // Whether `adding` more bytes (replacing `replacing`) fit, after a sweep of expired entries
  // if they would not: a full store refuses the write rather than evicting live sessions.
  bool make_room(std::size_t adding, std::size_t replacing) {
    if (bytes_ - std::min(bytes_, replacing) + adding <= options_.max_bytes) return true;
    const TimePoint t = now();
    for (auto it = records_.begin(); it != records_.end();) {
      const auto next = std::next(it);
      if (it->second.expires_at <= t) erase(it);
      it = next;
    }
    for (auto it = indexes_.begin(); it != indexes_.end();) {
      trim(it->first, it->second, t);
      it = it->second.empty() ? indexes_.erase(it) : std::next(it);
    }
    return bytes_ - std::min(bytes_, replacing) + adding <= options_.max_bytes;
  }

  MemoryStoreOptions options_;
  std::mutex mutex_;
  Records records_;
  std::map<std::string, Index, std::less<>> indexes_;
  std::size_t bytes_ = 0;
  std::uint64_t versions_ = 0;
};

}  // namespace

std::shared_ptr<SessionStore> make_memory_store(MemoryStoreOptions options) {
  return std::make_shared<MemoryStore>(std::move(options));
}

}  // namespace cookieseal
