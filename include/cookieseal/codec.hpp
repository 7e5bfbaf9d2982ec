// cookieseal - Codec: any cereal-serializable value <-> sealed, expiring cookie value
#pragma once

#include <cookieseal/detail/archive.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/keyring.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cookieseal {

/// Codec settings. A plain struct: each field says its default.
struct Options {
  /// Lifetime given to cookies by encode(name, value). Default is 24 hours.
  std::chrono::seconds ttl = std::chrono::hours(24);
  /// Clock difference tolerated between the server that sealed and the one that opens:
  /// a cookie opens while now <= expires_at + leeway. Default is 60 seconds.
  std::chrono::seconds leeway = std::chrono::seconds(60);
  /// Longest cookie value (characters) decode accepts and encode produces; longer is
  /// Error::too_large, checked before any decoding. Default is 4096, the most any browser
  /// keeps for one cookie (its name, '=' and value together must fit 4096).
  std::size_t max_value_bytes = 4096;
  /// Current time; tests inject a fixed clock. Default (empty) is std::chrono::system_clock.
  std::function<std::chrono::sys_seconds()> clock;
};

/// What decode gives back besides the value.
template <class T>
struct Decoded {
  T value;                              ///< the decoded value
  std::chrono::sys_seconds expires_at;  ///< when the cookie expires (its authenticated header), before leeway
  KeyId key_id;                         ///< the key that opened the cookie
  bool needs_reseal;  ///< opened by a non-primary key: encode again so it moves to the primary
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

/// Reads the header of a cookie value without opening it. Errors: too_large (longer than
/// max_value_bytes), malformed (not canonical base64url or shorter than 53 raw bytes).
/// Nothing here is authenticated: never trust these fields for a decision.
[[nodiscard]] COOKIESEAL_API Result<CookieInfo> inspect(std::string_view cookie_value,
                                                        std::size_t max_value_bytes = 4096) noexcept;

/// Seals values into cookie values and opens them (wire format v1, docs/FORMAT.md).
/// encode and decode are const, take no lock and share nothing mutable: one Codec serves
/// every thread. decode never throws and never crashes, whatever the bytes.
///
/// Example:
///   cookieseal::Codec codec(cookieseal::Keyring::from_env());
///   auto cookie = codec.encode("cart", cart);              // Result<std::string>
///   auto back = codec.decode<Cart>("cart", *cookie);       // Result<Decoded<Cart>>
///   if (back) use(back->value); else log(to_string(back.error()));
class COOKIESEAL_API Codec {
 public:
  /// Throws ConfigError for a ttl <= 0, a negative leeway, or max_value_bytes below the
  /// shortest possible cookie (72).
  explicit Codec(Keyring keyring, Options options = {});

  /// Serializes `value` with cereal, seals it for cookie `name` until now + ttl, encodes it
  /// as base64url. Error::too_large when the result would exceed max_value_bytes.
  /// Exceptions thrown by the value's own save() propagate (a programming error).
  template <class T>
  [[nodiscard]] Result<std::string> encode(std::string_view name, const T& value) const {
    return encode(name, value, now() + options_.ttl);
  }

  /// As above with an explicit expiry (a time before the epoch is sealed as 0).
  template <class T>
  [[nodiscard]] Result<std::string> encode(std::string_view name, const T& value,
                                           std::chrono::sys_seconds expires_at) const {
    Scratch scratch;
    std::string& buf = scratch.bytes();
    buf.assign(format::header_bytes, '\0');  // the header is written in front by seal()
    {
      detail::BufferOutputArchive archive(buf);
      archive(value);
    }
    return seal(name, buf, expires_at);
  }

  /// Opens a cookie value sealed for cookie `name` and deserializes it as T. Checks, in
  /// order: too_large, malformed, unsupported_version, unknown_key, tampered, expired,
  /// bad_payload (including bytes left over after the value). T must be default-constructible.
  template <class T>
  [[nodiscard]] Result<Decoded<T>> decode(std::string_view name,
                                          std::string_view cookie_value) const noexcept {
    // Before the scratch buffer: an oversized value touches no memory at all.
    if (cookie_value.size() > options_.max_value_bytes) return Error::too_large;
    try {
      Scratch scratch;
      Result<Opened> opened = open(name, cookie_value, scratch.bytes());
      if (!opened) return opened.error();
      const Opened& o = *opened;
      Decoded<T> out{T{}, o.expires_at, o.key_id, o.needs_reseal};
      detail::BoundedInputArchive archive(o.plaintext, o.plaintext_bytes);
      archive(out.value);
      if (archive.remaining() != 0) return Error::bad_payload;  // trailing bytes: not this type
      return out;
    } catch (...) {  // cereal::Exception, bad_alloc, or anything a user load() throws
      return Error::bad_payload;
    }
  }

  /// The keys this codec seals with (the primary) and opens with (all).
  [[nodiscard]] const Keyring& keyring() const noexcept { return keyring_; }
  /// The options given at construction.
  [[nodiscard]] const Options& options() const noexcept { return options_; }
  /// The codec's clock (Options::clock, or the system clock), in whole seconds.
  [[nodiscard]] std::chrono::sys_seconds now() const;

 private:
  struct Opened {
    const std::uint8_t* plaintext;
    std::size_t plaintext_bytes;
    std::chrono::sys_seconds expires_at;
    KeyId key_id;
    bool needs_reseal;
  };

  // A per-thread buffer reused across calls (no allocation in the steady state), wiped
  // when released so no plaintext lingers. A nested call on the same thread (a value whose
  // save() itself encodes) gets a fresh buffer instead.
  class COOKIESEAL_API Scratch {
   public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    std::string& bytes() noexcept { return *bytes_; }

   private:
    std::string* bytes_;
    std::string own_;
    bool borrowed_;
  };

  // buf = 37 bytes of room for the header, then the plaintext. Seals in place.
  [[nodiscard]] Result<std::string> seal(std::string_view name, std::string& buf,
                                         std::chrono::sys_seconds expires_at) const;
  [[nodiscard]] Result<Opened> open(std::string_view name, std::string_view cookie_value,
                                    std::string& buf) const;

  Keyring keyring_;
  Options options_;
};

}  // namespace cookieseal
