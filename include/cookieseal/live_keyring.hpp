// cookieseal - LiveKeyring: keys that rotate while requests run, with per-key usage counters
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/sealer.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace cookieseal {

/// Cookies opened per key, for deciding when a retired key can go. Counters are relaxed
/// atomics: exact when quiet, approximate while requests run.
struct KeyUsage {
  KeyId key_id;              ///< the key's public id
  std::size_t position = 0;  ///< 0 = the primary
  std::uint64_t opened = 0;  ///< values this key opened since it was added
};

/// A Sealer over the current keyring, replaced whole by rotate() while requests run. Readers
/// take no lock and never wait: pin() counts the reader in one of two counters (chosen by an
/// epoch it re-checks) and reads an atomic pointer, so a request keeps one keyring from start
/// to end; rotate() publishes the new sealer, flips the epoch, waits (microseconds) for the
/// readers still counted on the old side, then frees the old one. SessionManager uses one;
/// Codec users can too (seal_value / open_value over pin().sealer()).
///
/// Example:
///   cookieseal::LiveKeyring keys(cookieseal::Keyring::from_env());
///   { auto pin = keys.pin(); auto v = cookieseal::open_value<Cart>(pin.sealer(), "cart", text);
///     if (v) pin.count_open(v->key_id); }
///   keys.rotate(cookieseal::Keyring::from_file(path));   // from an admin endpoint or SIGHUP
class COOKIESEAL_API LiveKeyring {
  struct Generation;

 public:
  /// Throws ConfigError for bad options (as Sealer does).
  explicit LiveKeyring(Keyring keyring, SealerOptions options = {});
  ~LiveKeyring();
  LiveKeyring(const LiveKeyring&) = delete;
  LiveKeyring& operator=(const LiveKeyring&) = delete;

  /// One reader's hold on the current generation; keep it for one request, on one thread.
  class COOKIESEAL_API Pin {
   public:
    /// The sealer of the generation this pin holds.
    [[nodiscard]] const Sealer& sealer() const noexcept;
    /// Counts a value opened by key `id` (a no-op for an id not in this keyring).
    void count_open(const KeyId& id) const noexcept;
    ~Pin();
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    friend class LiveKeyring;
    explicit Pin(const LiveKeyring& keys) noexcept;
    std::atomic<std::uint64_t>* counter_ = nullptr;
    const Generation* generation_ = nullptr;
  };

  /// Pins the current generation.
  [[nodiscard]] Pin pin() const noexcept { return Pin(*this); }

  /// Replaces the keyring; keys that stay keep their counts. Calls are serialized. Do not call
  /// it while holding a Pin on the same thread (it would wait for itself).
  void rotate(Keyring keyring);

  /// The current keys with their counts, primary first.
  [[nodiscard]] std::vector<KeyUsage> usage() const;

 private:
  SealerOptions options_;
  std::atomic<const Generation*> generation_{nullptr};
  std::atomic<std::uint64_t> epoch_{0};
  mutable std::array<std::atomic<std::uint64_t>, 2> readers_{};
  std::mutex rotate_mutex_;  // serializes rotate() calls only; readers never take it
};

}  // namespace cookieseal
