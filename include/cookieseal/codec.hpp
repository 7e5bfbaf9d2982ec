// cookieseal - Codec: any cereal-serializable value <-> sealed, expiring cookie value
#pragma once

#include <cookieseal/detail/archive.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/lifetimes.hpp>
#include <cookieseal/sealer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal {

/// Codec settings. A plain struct: each field says its default.
struct Options {
  /// Lifetime given to values by encode(name, value). Positive, at most max_ttl (400 days,
  /// the longest cookie lifetime browsers keep). Default is 24 hours.
  std::chrono::seconds ttl = std::chrono::hours(24);
  /// Clock difference tolerated between the server that sealed and the one that opens:
  /// a value opens while now <= expires_at + leeway. Shorter than ttl. Default (nullopt) is
  /// min(60 s, ttl / 10), as Lifetimes::effective_leeway().
  std::optional<std::chrono::seconds> leeway;
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

/// Serializes `value` with cereal and seals it with `sealer` for cookie `name` until
/// `expires_at`: Codec::encode over any Sealer (e.g. one pinned from a LiveKeyring).
/// Error::too_large when the value would not fit. Exceptions thrown by the value's own save()
/// propagate (a programming error).
template <class T>
[[nodiscard]] Result<std::string> seal_value(const Sealer& sealer, std::string_view name, const T& value,
                                             std::chrono::sys_seconds expires_at) {
  detail::Scratch scratch;
  std::string& buf = scratch.bytes();
  buf.assign(format::header_bytes, '\0');  // the header is written in front by the sealer
  {
    detail::BufferOutputArchive archive(buf);
    archive(value);
  }
  return sealer.seal_prepared(name, buf, expires_at);
}

/// Reads an opened plaintext as T (docs/FORMAT.md §Decoding step 7): bad_payload for bytes that
/// do not deserialize as T, bytes left over, or a T whose own load() throws. Only
/// std::bad_alloc propagates.
template <class T>
[[nodiscard]] Result<T> read_payload(std::span<const std::uint8_t> plaintext) {
  try {
    T value{};
    detail::BoundedInputArchive archive(plaintext.data(), plaintext.size());
    archive(value);
    if (archive.remaining() != 0) return Error::bad_payload;  // trailing bytes: not this type
    return value;
  } catch (const std::bad_alloc&) {
    throw;         // out of memory is not the cookie's fault: the caller's handler decides
  } catch (...) {  // cereal::Exception, or anything a user load() throws
    return Error::bad_payload;
  }
}

/// Opens a value sealed for cookie `name` with `sealer` and deserializes it as T:
/// Codec::decode over any Sealer.
template <class T>
[[nodiscard]] Result<Decoded<T>> open_value(const Sealer& sealer, std::string_view name,
                                            std::string_view cookie_value) {
  Result<Opened> opened = sealer.open(name, cookie_value);
  if (!opened) return opened.error();
  Result<T> value = read_payload<T>(opened->plaintext());
  if (!value) return value.error();
  return Decoded<T>{std::move(*value), opened->expires_at(), opened->key_id(), opened->needs_reseal()};
}

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
  /// Throws ConfigError for a ttl that is not positive or above max_ttl, a leeway that is
  /// negative or not shorter than ttl (Lifetimes::validate), or max_value_bytes below the
  /// shortest possible cookie (72).
  explicit Codec(Keyring keyring, Options options = {});

  /// Serializes `value` with cereal, seals it for cookie `name` until now + ttl, encodes it
  /// as base64url. Error::too_large when the result would exceed max_value_bytes.
  /// Exceptions thrown by the value's own save() propagate (a programming error).
  template <class T>
  [[nodiscard]] Result<std::string> encode(std::string_view name, const T& value) const {
    return seal_value(sealer_, name, value, now() + options_.ttl);
  }

  /// As above with an explicit expiry (a time before the epoch is sealed as 0).
  template <class T>
  [[nodiscard]] Result<std::string> encode(std::string_view name, const T& value,
                                           std::chrono::sys_seconds expires_at) const {
    return seal_value(sealer_, name, value, expires_at);
  }

  /// Opens a cookie value sealed for cookie `name` and deserializes it as T. Checks, in
  /// order: too_large, malformed, unsupported_version, unknown_key, tampered, expired,
  /// bad_payload (including bytes left over after the value, or a T whose load() throws).
  /// T must be default-constructible. Never throws but std::bad_alloc.
  template <class T>
  [[nodiscard]] Result<Decoded<T>> decode(std::string_view name, std::string_view cookie_value) const {
    return open_value<T>(sealer_, name, cookie_value);
  }

  /// The byte layer underneath (seal/open of raw bytes, same keys and options).
  [[nodiscard]] const Sealer& sealer() const noexcept { return sealer_; }
  /// The keys this codec seals with (the primary) and opens with (all).
  [[nodiscard]] const Keyring& keyring() const noexcept { return sealer_.keyring(); }
  /// The options given at construction.
  [[nodiscard]] const Options& options() const noexcept { return options_; }
  /// The codec's clock (Options::clock, or the system clock), in whole seconds.
  [[nodiscard]] std::chrono::sys_seconds now() const { return sealer_.now(); }

 private:
  Options options_;
  Sealer sealer_;
};

}  // namespace cookieseal
