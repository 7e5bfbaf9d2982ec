// cookieseal - Sealer: bytes <-> sealed, expiring cookie value (the whole of docs/FORMAT.md)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/detail/scratch.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/keyring.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal {

/// The settings of the byte layer. A plain struct: each field says its default.
struct SealerOptions {
  /// Clock difference tolerated between the server that sealed and the one that opens:
  /// a value opens while now <= expires_at + leeway. Default is 60 seconds.
  std::chrono::seconds leeway = std::chrono::seconds(60);
  /// Longest cookie value (characters) open() accepts and seal() produces; longer is
  /// Error::too_large, checked before any decoding. Default is 4096, the most any browser
  /// keeps for one cookie.
  std::size_t max_value_bytes = 4096;
  /// Current time; tests inject a fixed clock. Default (empty) is std::chrono::system_clock.
  std::function<std::chrono::sys_seconds()> clock;
};

/// A cookie's public header, read without any key (for `cookieseal inspect` and logs).
struct CookieInfo {
  std::uint8_t version = 0;               ///< byte 0; the fields below are set only when it is 1
  KeyId key_id;                           ///< the key id in the header (not checked against any keyring)
  std::chrono::sys_seconds expires_at{};  ///< the expiry in the header (unauthenticated: anyone can write it)
  std::size_t value_bytes = 0;            ///< characters of the cookie value
  std::size_t raw_bytes = 0;              ///< after base64url decoding
  std::size_t plaintext_bytes = 0;        ///< raw_bytes - 53 (header and tag)
};

/// Reads the header of a cookie value without opening it (docs/FORMAT.md §Decoding, steps
/// 1-3). Errors: too_large (longer than max_value_bytes), malformed (not canonical base64url or
/// shorter than 53 raw bytes). Nothing here is authenticated: never trust it for a decision.
[[nodiscard]] COOKIESEAL_API Result<CookieInfo> inspect(std::string_view cookie_value,
                                                        std::size_t max_value_bytes = 4096) noexcept;

/// An opened value: the plaintext (valid while this object lives; wiped when it dies) and the
/// authenticated header fields. Move-only: it owns the buffer the plaintext sits in.
class COOKIESEAL_API Opened {
 public:
  /// The decrypted plaintext.
  [[nodiscard]] std::span<const std::uint8_t> plaintext() const noexcept {
    return {reinterpret_cast<const std::uint8_t*>(scratch_.bytes().data()) + format::header_bytes, size_};
  }
  /// When the value expires (its authenticated header), before leeway.
  [[nodiscard]] std::chrono::sys_seconds expires_at() const noexcept { return expires_at_; }
  /// The key that opened it.
  [[nodiscard]] KeyId key_id() const noexcept { return key_id_; }
  /// Opened by a non-primary key: seal it again so it moves to the primary.
  [[nodiscard]] bool needs_reseal() const noexcept { return needs_reseal_; }

  ///@{
  /// Move-only (the plaintext moves with its buffer).
  Opened(Opened&& other) noexcept = default;
  Opened& operator=(Opened&&) = delete;
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;
  ~Opened() = default;
  ///@}

 private:
  friend class Sealer;
  Opened() = default;
  detail::Scratch scratch_;  // holds the plaintext; wiped when released
  std::size_t size_ = 0;
  std::chrono::sys_seconds expires_at_{};
  KeyId key_id_;
  bool needs_reseal_ = false;
};

/// Seals bytes into cookie values and opens them: wire format v1, docs/FORMAT.md, and nothing
/// else (no serialization, no session policy). seal() and open() are const, take no lock and
/// share nothing mutable: one Sealer serves every thread. open() never throws (but
/// std::bad_alloc) and never crashes, whatever the bytes.
///
/// Example:
///   cookieseal::Sealer sealer(cookieseal::Keyring::from_env());
///   auto value = sealer.seal("flash", bytes, sealer.now() + std::chrono::minutes(5));
///   if (auto opened = sealer.open("flash", *value)) use(opened->plaintext());
class COOKIESEAL_API Sealer {
 public:
  /// Throws ConfigError for a negative leeway or max_value_bytes below the shortest possible
  /// value (72 characters).
  explicit Sealer(Keyring keyring, SealerOptions options = {});

  /// Seals `plaintext` for cookie `name` until `expires_at` (a time before the epoch is sealed
  /// as 0) under the primary key, with a fresh random nonce. Error::too_large when the value
  /// would exceed max_value_bytes.
  [[nodiscard]] Result<std::string> seal(std::string_view name, std::span<const std::uint8_t> plaintext,
                                         std::chrono::sys_seconds expires_at) const;
  /// As above for text bytes.
  [[nodiscard]] Result<std::string> seal(std::string_view name, std::string_view plaintext,
                                         std::chrono::sys_seconds expires_at) const;

  /// Opens a value sealed for cookie `name`: docs/FORMAT.md §Decoding steps 1-6 in order
  /// (too_large, malformed, unsupported_version, unknown_key, tampered, expired).
  [[nodiscard]] Result<Opened> open(std::string_view name, std::string_view cookie_value) const;

  /// seal() with a chosen nonce instead of a random one, for reproducing test vectors (such as
  /// docs/FORMAT.md's) only: a nonce used twice under one key breaks the cipher's guarantees.
  [[nodiscard]] Result<std::string> seal_with_fixed_nonce_for_test_vectors(
      std::string_view name, std::span<const std::uint8_t> plaintext, std::chrono::sys_seconds expires_at,
      std::span<const std::uint8_t, format::nonce_bytes> nonce) const;

  /// seal() of a buffer prepared by Codec: format::header_bytes of room, then the plaintext.
  /// Sealed in place (the buffer is the caller's to wipe).
  [[nodiscard]] Result<std::string> seal_prepared(std::string_view name, std::string& buffer,
                                                  std::chrono::sys_seconds expires_at) const;

  /// seal_prepared() and open() for sealed values kept server-side (a session store's records,
  /// docs/STORE.md §Record): the raw sealed bytes (header, ciphertext, tag: 53 + plaintext
  /// bytes) without base64url, under a length cap of the caller's instead of max_value_bytes.
  /// open_record's errors, in order: too_large (over max_bytes), malformed (under 53 bytes),
  /// then FORMAT.md steps 3-6: unsupported_version, unknown_key, tampered, expired.
  [[nodiscard]] Result<std::string> seal_record(std::string_view name, std::string& buffer,
                                                std::chrono::sys_seconds expires_at,
                                                std::size_t max_bytes) const;
  /// As above, for open().
  [[nodiscard]] Result<Opened> open_record(std::string_view name, std::string_view value,
                                           std::size_t max_bytes) const;

  /// The keys this sealer seals with (the primary) and opens with (all).
  [[nodiscard]] const Keyring& keyring() const noexcept { return keyring_; }
  /// The options given at construction.
  [[nodiscard]] const SealerOptions& options() const noexcept { return options_; }
  /// The sealer's clock (SealerOptions::clock, or the system clock), in whole seconds.
  [[nodiscard]] std::chrono::sys_seconds now() const;

 private:
  [[nodiscard]] Result<std::string> seal_with_nonce(std::string_view name, std::string& buffer,
                                                    std::chrono::sys_seconds expires_at,
                                                    const std::uint8_t* nonce, std::size_t max_bytes) const;
  Keyring keyring_;
  SealerOptions options_;
};

}  // namespace cookieseal
