// cookieseal - errors: values on the request path, exceptions only for start-up mistakes
#pragma once

#include <cookieseal/export.hpp>

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cookieseal {

/// Why a cookie was rejected (or could not be made). Every value is an expected outcome of
/// hostile or stale input: the caller treats the request as carrying no session.
enum class Error : std::uint8_t {
  malformed = 1,        ///< not canonical base64url, or shorter than header + tag: ignore the cookie
  unsupported_version,  ///< a format version this build does not know: ignore the cookie
  unknown_key,          ///< sealed under a key not in the keyring (retired or foreign): ignore
  tampered,             ///< authentication failed (modified, truncated, or another cookie name)
  expired,              ///< authentic but past expires_at + leeway: start a new session
  bad_payload,          ///< authentic but the payload does not deserialize as the asked type
  too_large,            ///< longer than Options::max_value_bytes (decode) or would be (encode)
  unavailable,  ///< a server-side store or revocation list could not be reached: retry, or tell the user
  conflict,     ///< a versioned write lost to a concurrent one: reload and try again
  stale,        ///< the revocation replica is older than its allowed staleness: fail closed
};

/// Number of Error values plus one (values start at 1), for tables indexed by Error.
inline constexpr std::size_t error_count = 11;

/// The error's name as written in docs and logs, e.g. "tampered". Never contains input bytes.
/// Example: `log("session rejected: {}", cookieseal::to_string(r.error()));`
[[nodiscard]] COOKIESEAL_API std::string_view to_string(Error error) noexcept;
/// Prints to_string(error).
COOKIESEAL_API std::ostream& operator<<(std::ostream& os, Error error);

/// A configuration or programming mistake found at start-up (bad key text, bad option,
/// bad environment variable). The message names the setting and never contains key material.
class COOKIESEAL_API ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown by Result::value() when the result holds an Error: a programming mistake.
class COOKIESEAL_API BadResultAccess : public std::logic_error {
 public:
  /// For the Result that held `error`; the message names it.
  explicit BadResultAccess(Error error)
      : std::logic_error("cookieseal: value() called on a Result holding error " +
                         std::string(to_string(error))),
        error_(error) {}
  /// The Error the Result held.
  [[nodiscard]] Error error() const noexcept { return error_; }

 private:
  Error error_;
};

/// A value or an Error, as returned on the request path (a small std::expected).
/// Example:
///   auto r = codec.decode<Cart>("cart", value);
///   if (!r) return fresh_cart(cookieseal::to_string(r.error()));
///   use(r->value);
template <class T>
class Result {
 public:
  /// A success holding `value`, so that `return value;` works in a function returning Result.
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  /// A failure, so that `return Error::malformed;` works.
  Result(Error error) : v_(std::in_place_index<1>, error) {}  // NOLINT: implicit by design

  /// True when the result holds a value.
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  /// ok(), for `if (!result) ...`.
  explicit operator bool() const noexcept { return ok(); }

  /// The error. Calling it on a successful result is a programming mistake: it throws
  /// std::logic_error (as value() on a failed one throws BadResultAccess).
  [[nodiscard]] Error error() const {
    if (ok()) throw std::logic_error("cookieseal: error() called on a successful Result");
    return *std::get_if<1>(&v_);
  }

  ///@{
  /// The value; throws BadResultAccess when the result holds an Error (a programming mistake:
  /// test ok() first).
  [[nodiscard]] T& value() & {
    check();
    return *std::get_if<0>(&v_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return *std::get_if<0>(&v_);
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::move(*std::get_if<0>(&v_));
  }
  ///@}
  ///@{
  /// value(), as for std::optional and std::expected.
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  ///@}

 private:
  void check() const {
    if (!ok()) throw BadResultAccess(*std::get_if<1>(&v_));
  }
  std::variant<T, Error> v_;
};

/// The outcome of an operation that returns nothing but can fail (a store write, a
/// revocation): `Result<void>{}` is success, `return Error::unavailable;` a failure.
/// Example:
///   if (auto r = manager.revoke(session); !r) show("logout could not be recorded");
template <>
class Result<void> {
 public:
  /// Success.
  Result() noexcept = default;
  /// A failure, so that `return Error::unavailable;` works.
  Result(Error error) noexcept : error_(error), failed_(true) {}  // NOLINT: implicit by design
  /// True on success.
  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  /// ok(), for `if (!result) ...`.
  explicit operator bool() const noexcept { return ok(); }
  /// The error; throws std::logic_error on success (a programming mistake).
  [[nodiscard]] Error error() const {
    if (!failed_) throw std::logic_error("cookieseal: error() called on a successful Result");
    return error_;
  }

 private:
  Error error_ = Error::malformed;
  bool failed_ = false;
};

}  // namespace cookieseal
