// cookieseal - Lifetimes: idle ttl, absolute lifetime, clock leeway and renewal share, checked once
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/export.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// The longest idle ttl: 400 days, the longest Max-Age browsers keep (RFC 6265bis §5.6.2
/// caps cookie lifetimes there), so a longer ttl would expire in the browser anyway.
inline constexpr std::chrono::seconds max_ttl = std::chrono::hours(24) * 400;
/// The longest duration anywhere else (absolute lifetime, leeway, parse_duration): 36500 days,
/// so that `now + duration` never overflows and stays a four-digit year.
inline constexpr std::chrono::seconds max_duration = std::chrono::hours(24) * 36500;
/// The leeway used when none is set: a minute, or a tenth of the ttl when that is shorter (a
/// 30 s ttl gets 3 s), so a short ttl is not stretched by the clock allowance.
inline constexpr std::chrono::seconds default_leeway = std::chrono::seconds(60);

/// Reads a duration: a whole number of seconds (`3600`) or a number with one unit `s`, `m`,
/// `h` or `d` (`90s`, `30m`, `24h`, `7d`), lower-case. ASCII whitespace around the text is
/// ignored; nothing else (no sign, no space inside, no fraction, no combination like `1h30m`).
/// Zero is accepted (callers that need a positive value check it); above max_duration,
/// or an overflow, is nullopt.
/// Example: `cookieseal::parse_duration("30m")  // 1800s`
[[nodiscard]] COOKIESEAL_API std::optional<std::chrono::seconds> parse_duration(
    std::string_view text) noexcept;

/// Writes a duration in the largest unit that divides it exactly, e.g. "7d", "90m", "45s"
/// (parse_duration reads it back).
/// Example: `cookieseal::format_duration(std::chrono::hours(48))  // "2d"`
[[nodiscard]] COOKIESEAL_API std::string format_duration(std::chrono::seconds duration);

/// How long sessions and cookies live. A plain struct: each field says its default. One
/// validator (validate()) serves Codec, Config and SessionManager alike.
struct COOKIESEAL_API Lifetimes {
  /// Idle expiry: a session unused this long is over. Positive, at most max_ttl (400 days).
  /// Default is 24 hours.
  std::chrono::seconds ttl = std::chrono::hours(24);
  /// Absolute lifetime from the session's creation, whatever the activity. Positive, at most
  /// max_duration. Default is 7 days.
  std::chrono::seconds max_lifetime = std::chrono::hours(24 * 7);
  /// Clock difference tolerated between servers: a cookie opens while now <= expires_at +
  /// leeway. At least 0 and shorter than ttl. Default (nullopt) is min(60 s, ttl / 10).
  std::optional<std::chrono::seconds> leeway;
  /// Sliding renewal: an unmodified session is re-issued once this share of its ttl has passed
  /// since it was issued. 0 re-issues on every request; 1 never slides. Default is 0.5.
  double renew_share = 0.5;

  /// The leeway in force: `leeway`, or min(default_leeway, ttl / 10) when unset.
  [[nodiscard]] std::chrono::seconds effective_leeway() const noexcept {
    return leeway ? *leeway : std::min(default_leeway, ttl / 10);
  }
  /// Throws ConfigError naming the first bad field, prefixed by `context` (e.g. "cookieseal
  /// config"), with the value and the allowed range.
  void validate(std::string_view context) const;
};

}  // namespace cookieseal
