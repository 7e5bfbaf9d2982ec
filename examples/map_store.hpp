// cookieseal - a SessionStore of your own: a map under a shared mutex, with ttl and versions
//
// Everything a store needs (docs/STORE.md §Writing a store): seven calls, thread-safe, never
// throwing, a version that changes on every write, Error::conflict for a lost version check.
// A database-backed store has the same shape: each call one statement, Error::unavailable
// when the database cannot be reached. The records it is given are already sealed.
// Used by examples/custom_store.cpp and examples/jobs/go_mizu.cpp.
#pragma once
#include <cookieseal/session_store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace example {

class MapStore final : public cookieseal::SessionStore {
 public:
  using Clock = std::chrono::system_clock;
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

  /// Records live now (the example servers show it, so a test sees the store in use).
  std::size_t live_records() {
    const std::shared_lock lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, entry] : records_) n += entry.expires_at > Clock::now() ? 1 : 0;
    return n;
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

}  // namespace example
