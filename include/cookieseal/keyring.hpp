// cookieseal - ordered keys for rotation: the first seals, all of them open
#pragma once

#include <cookieseal/export.hpp>
#include <cookieseal/key.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// What reading keys from the environment does with `<prefix>KEYS` afterwards.
enum class KeysInEnvironment : std::uint8_t {
  remove,  ///< wipe and unset it (the default): children and /proc/<pid>/environ no longer see it
  keep,    ///< leave it (a test, or a supervisor that re-reads it)
};

/// Ordered keys: keys()[0] is the primary (it seals); every key opens. Rotation without
/// logging anyone out: put the new key first, keep the old one after it until no cookie
/// sealed under it still arrives (docs/FORMAT.md §Keys). Lookup by key id is one probe of
/// a small open-addressing table, whatever the number of keys.
///
/// Example:
///   auto ring = cookieseal::Keyring::from_env();        // COOKIESEAL_KEYS or COOKIESEAL_KEYS_FILE
///   auto ring2 = cookieseal::Keyring::parse("k1,k2");   // new primary first
class COOKIESEAL_API Keyring {
 public:
  /// Builds a keyring; throws ConfigError when empty, or on a duplicate key or key-id collision.
  explicit Keyring(std::vector<Key> keys);

  /// Parses comma-separated keys (each as Key::parse reads them). `source` names where the
  /// text came from in error messages (default "key list"); errors give the 1-based position
  /// of the bad entry and never its text. Empty entries are errors.
  [[nodiscard]] static Keyring parse(std::string_view text, std::string_view source = "key list");

  /// Parses the keys-file format: one key per line, blank lines and lines starting with '#'
  /// (after optional whitespace) ignored. Errors name `source` and the line number.
  [[nodiscard]] static Keyring parse_file_text(std::string_view text, std::string_view source);

  /// Reads `<prefix>KEYS` (comma-separated) or `<prefix>KEYS_FILE` (a path to a keys file).
  /// Exactly one must be set. Throws ConfigError naming the variable and the key's position.
  /// By default (KeysInEnvironment::remove) `<prefix>KEYS` is wiped and unset once read, so
  /// child processes and `/proc/<pid>/environ` no longer show it (call at start-up: setenv and
  /// unsetenv are not thread-safe).
  [[nodiscard]] static Keyring from_env(std::string_view prefix = "COOKIESEAL_",
                                        KeysInEnvironment keys = KeysInEnvironment::remove);

  /// Reads a keys file from disk (at most 1 MiB). Throws ConfigError naming `source` and the
  /// path, unless the path could be key text (no '/' or '.', or 43 base64url characters in a
  /// row: someone set `COOKIESEAL_KEYS_FILE=<a key>`), which messages then leave out. The
  /// file's text is read into one buffer and wiped there before this returns or throws.
  [[nodiscard]] static Keyring from_file(const std::string& path, std::string_view source = "keys file");

  ///@{
  /// Move-only, like its keys; copy with clone().
  Keyring(Keyring&&) noexcept = default;
  Keyring& operator=(Keyring&&) noexcept = default;
  ///@}
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;
  ~Keyring() = default;

  /// An explicit copy (each key's secret cloned into new guarded memory).
  [[nodiscard]] Keyring clone() const;

  /// The first key: the one that seals.
  [[nodiscard]] const Key& primary() const noexcept { return keys_.front(); }
  /// Every key, primary first, in the configured order.
  [[nodiscard]] const std::vector<Key>& keys() const noexcept { return keys_; }
  /// The number of keys (at least 1).
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

  /// The key with this id, or nullptr. O(1): one hash probe (ids are uniformly distributed).
  [[nodiscard]] const Key* find(const KeyId& id) const noexcept {
    const std::uint32_t v = id.value();
    for (std::size_t i = v & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.index == empty_slot) return nullptr;
      if (s.id == v) return &keys_[s.index];
    }
  }
  /// Position of the key with this id (0 = primary), or -1.
  [[nodiscard]] int position(const KeyId& id) const noexcept;

 private:
  static constexpr std::uint32_t empty_slot = 0xffffffffu;
  struct Slot {
    std::uint32_t id = 0;
    std::uint32_t index = empty_slot;
  };
  std::vector<Key> keys_;
  std::vector<Slot> slots_;  // power-of-two size, at least twice the key count: always a free slot
  std::size_t mask_ = 0;
};

}  // namespace cookieseal
