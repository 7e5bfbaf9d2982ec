// cookieseal - a SessionStore of your own: a map under a shared mutex, with ttl and versions
//
// Everything a store needs (docs/STORE.md §Writing a store): seven calls, thread-safe, never
// throwing, a version that changes on every write, Error::conflict for a lost version check.
// A database-backed store has the same shape: each call one statement, Error::unavailable
// when the database cannot be reached. The records it is given are already sealed.
#include <cookieseal/session_store.hpp>

#include <iostream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace {

using Clock = std::chrono::system_clock;

class MapStore final : public cookieseal::SessionStore {
 public:
  using Result64 = cookieseal::Result<std::uint64_t>;

  cookieseal::Result<std::optional<cookieseal::StoredRecord>> load(std::string_view key) override {
    const std::shared_lock lock(mutex_);  // readers share
    const auto it = records_.find(key);
    if (it == records_.end() || it->second.expires_at <= Clock::now()) {
      return std::optional<cookieseal::StoredRecord>();
    }
    return std::optional<cookieseal::StoredRecord>(
        cookieseal::StoredRecord{it->second.record, it->second.version});
  }

  Result64 save(std::string_view key, std::string_view record, std::chrono::milliseconds ttl,
                std::optional<std::uint64_t> expected) override {
    const std::unique_lock lock(mutex_);
    auto it = records_.find(key);
    const bool live = it != records_.end() && it->second.expires_at > Clock::now();
    if (expected && *expected != (live ? it->second.version : 0)) return cookieseal::Error::conflict;
    if (it == records_.end()) it = records_.emplace(std::string(key), Entry{}).first;
    it->second = Entry{std::string(record), ++writes_, Clock::now() + ttl};
    return it->second.version;
  }

  cookieseal::Result<void> remove(std::string_view key) override {
    const std::unique_lock lock(mutex_);
    if (const auto it = records_.find(key); it != records_.end()) records_.erase(it);
    return {};
  }

  cookieseal::Result<bool> touch(std::string_view key, std::chrono::milliseconds ttl) override {
    const std::unique_lock lock(mutex_);
    const auto it = records_.find(key);
    if (it == records_.end() || it->second.expires_at <= Clock::now()) return false;
    it->second.expires_at = Clock::now() + ttl;
    return true;
  }

  cookieseal::Result<void> index_add(std::string_view index, std::string_view member,
                                     Clock::time_point expires_at) override {
    const std::unique_lock lock(mutex_);
    indexes_[std::string(index)][std::string(member)] = expires_at;
    return {};
  }

  cookieseal::Result<std::vector<cookieseal::IndexEntry>> index_list(std::string_view index,
                                                                     Clock::time_point now,
                                                                     std::size_t limit) override {
    const std::shared_lock lock(mutex_);
    std::vector<cookieseal::IndexEntry> out;
    const auto it = indexes_.find(index);
    if (it == indexes_.end()) return out;
    for (const auto& [member, expires_at] : it->second) {
      if (out.size() == limit) break;
      if (expires_at > now) out.push_back(cookieseal::IndexEntry{member, expires_at});
    }
    return out;
  }

  cookieseal::Result<void> index_remove(std::string_view index, std::string_view member) override {
    const std::unique_lock lock(mutex_);
    if (const auto it = indexes_.find(index); it != indexes_.end()) it->second.erase(std::string(member));
    return {};
  }

 private:
  struct Entry {
    std::string record;
    std::uint64_t version = 0;
    Clock::time_point expires_at{};
  };
  // A real store also bounds its size and drops expired entries (see make_memory_store).
  std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> records_;
  std::map<std::string, std::map<std::string, Clock::time_point>, std::less<>> indexes_;
  std::uint64_t writes_ = 0;
};

}  // namespace

int main() {
  MapStore store;
  // What the store backend does on a commit, a renewal and a concurrent commit:
  const auto v1 = store.save("s:4f2a", "sealed-record-1", std::chrono::minutes(30), std::nullopt);
  if (!v1) return 1;
  const auto touched = store.touch("s:4f2a", std::chrono::minutes(30));
  const auto v2 = store.save("s:4f2a", "sealed-record-2", std::chrono::minutes(30), *v1);
  const auto lost = store.save("s:4f2a", "sealed-record-3", std::chrono::minutes(30), *v1);
  const auto loaded = store.load("s:4f2a");
  if (!touched || !*touched || !v2 || lost || !loaded || !*loaded) return 1;
  std::cout << "version " << *v1 << " -> " << *v2 << ", stale write: " << lost.error()
            << ", stored: " << (*loaded)->record << '\n';
  return 0;
}
