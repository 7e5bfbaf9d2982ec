// cookieseal - session policy as pure functions of time and settings (docs/SESSION.md §Time)
#pragma once

#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/lifetimes.hpp>
#include <cookieseal/session.hpp>

#include <chrono>
#include <cstdint>

namespace cookieseal::policy {

using std::chrono::seconds;
using std::chrono::sys_seconds;

/// A created_at past 9999-12-31 cannot come from a real clock; refusing it keeps every sum
/// (created_at + max_lifetime + leeway) far from overflow.
inline constexpr std::uint64_t latest_time = 253402300799;

/// Seconds since the epoch as a time point (callers bound the value by latest_time first).
[[nodiscard]] sys_seconds at(std::uint64_t epoch_seconds) noexcept;
/// A time point as seconds since the epoch, 0 for anything before it.
[[nodiscard]] std::uint64_t epoch_seconds(sys_seconds t) noexcept;

/// The idle ttl of a session whose head says `own_ttl` (0 = none of its own).
[[nodiscard]] seconds session_ttl(std::uint32_t own_ttl, const Lifetimes& lifetimes) noexcept;

/// The checks only the session knows, after the cookie opened (its expires_at + leeway is
/// not past): loaded, or why not.
///  - bad_payload: created or issued after 9999, or later than now + leeway (a server whose
///    clock runs ahead sealed it: accepting it would stretch the lifetimes by that error);
///  - expired: created_at + max_lifetime + leeway is past (the absolute lifetime), or
///    issued_at + ttl + leeway is past (idle for longer than the ttl in force now, even when
///    the cookie was issued under a longer one).
[[nodiscard]] LoadStatus check_head(const detail::SessionHead& head, sys_seconds now,
                                    const Lifetimes& lifetimes) noexcept;

/// The expiry a cookie written now gets: min(now + ttl, created_at + max_lifetime).
[[nodiscard]] sys_seconds next_expiry(sys_seconds created_at, sys_seconds now, seconds ttl,
                                      const Lifetimes& lifetimes) noexcept;

/// Whether an unmodified session is re-issued: once renew_share of its ttl has passed since
/// issue (remaining <= ttl - renew_share x ttl), and only if that moves the expiry (near the
/// end of the absolute lifetime it cannot).
[[nodiscard]] bool renewal_due(sys_seconds expires_at, sys_seconds now, seconds ttl, sys_seconds next,
                               const Lifetimes& lifetimes) noexcept;

/// The latest moment a cookie of a session created at `created_at` could still open
/// (check_head calls it expired only once now is past it): a revocation of the session holds
/// through this second and can be forgotten after it.
[[nodiscard]] sys_seconds forget_at(sys_seconds created_at, const Lifetimes& lifetimes) noexcept;

}  // namespace cookieseal::policy
