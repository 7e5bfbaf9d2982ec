// cookieseal - a 32-byte secret key in guarded memory, and its public 4-byte id
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/format.hpp>

#include <array>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal {

/// The public 4-byte id of a key (docs/FORMAT.md §Key id). Safe to print and log.
struct KeyId {
  std::array<std::uint8_t, format::key_id_bytes> bytes{};  ///< the first 4 bytes of the keyed BLAKE2b digest

  /// Lower-case hex, e.g. "1a2b3c4d".
  [[nodiscard]] COOKIESEAL_API std::string hex() const;
  /// The id as a big-endian integer (for hashing and tables).
  [[nodiscard]] constexpr std::uint32_t value() const noexcept {
    return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 |
           std::uint32_t{bytes[3]};
  }
  friend constexpr bool operator==(const KeyId&, const KeyId&) = default;
};

COOKIESEAL_API std::ostream& operator<<(std::ostream& os, const KeyId& id);

/// A 32-byte XChaCha20-Poly1305 key kept in libsodium guarded memory (sodium_malloc: guard
/// pages, read-only after creation, wiped on destruction). Move-only: copies of secrets are
/// explicit (clone()). Printing a key shows only its id: `Key(id=1a2b3c4d)`.
///
/// Example:
///   auto key = cookieseal::Key::parse(std::getenv("MY_KEY"));  // throws ConfigError if bad
///   std::cout << key;                                          // Key(id=1a2b3c4d)
class COOKIESEAL_API Key {
 public:
  /// A new random key from the OS generator (drawn again in the < 2^-45 case that it looks weak).
  [[nodiscard]] static Key generate();

  /// Parses 43 characters of unpadded base64url or 64 hex digits (either case); ASCII
  /// whitespace around the text is ignored. Throws ConfigError for anything else, and for key
  /// bytes no random generator gives (docs/SECURITY.md §Keys): all zero, fewer than 12
  /// distinct byte values (a random key has about 30), or all 32 bytes printable ASCII (a
  /// password). The message says to use `cookieseal keygen` and never contains the text.
  /// `what` names the key in the message, e.g. "COOKIESEAL_KEYS: key 2".
  [[nodiscard]] static Key parse(std::string_view text, std::string_view what = "key");

  /// A key from raw bytes; ConfigError for the weak keys parse() refuses.
  [[nodiscard]] static Key from_bytes(std::span<const std::uint8_t, format::key_bytes> bytes);

  ///@{
  /// Move-only: the secret moves with its guarded memory; `other` is left empty. Copy with clone().
  Key(Key&& other) noexcept;
  Key& operator=(Key&& other) noexcept;
  ///@}
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key();

  /// An explicit copy of the secret into new guarded memory.
  [[nodiscard]] Key clone() const;

  /// The key's public id: first 4 bytes of BLAKE2b-256 keyed with the key over "cookieseal-key-id".
  [[nodiscard]] const KeyId& id() const noexcept { return id_; }

  /// The secret bytes, for the sealing code and for `cookieseal keygen`. Do not log them.
  [[nodiscard]] std::span<const std::uint8_t, format::key_bytes> secret() const noexcept {
    return std::span<const std::uint8_t, format::key_bytes>(bytes_, format::key_bytes);
  }

  /// The key as 43 characters of unpadded base64url (the form Key::parse reads).
  [[nodiscard]] std::string to_base64url() const;
  /// The key as 64 lower-case hex digits.
  [[nodiscard]] std::string to_hex() const;

  /// Constant-time comparison of the secrets (sodium_memcmp).
  [[nodiscard]] bool same_secret(const Key& other) const noexcept;

 private:
  Key();          // allocates guarded memory
  void finish();  // computes the id and makes the memory read-only
  std::uint8_t* bytes_ = nullptr;
  KeyId id_{};
};

COOKIESEAL_API std::ostream& operator<<(std::ostream& os, const Key& key);

}  // namespace cookieseal
