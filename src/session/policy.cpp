// cookieseal - session policy (see policy.hpp)
#include "session/policy.hpp"

#include <algorithm>
#include <cmath>

namespace cookieseal::policy {

sys_seconds at(std::uint64_t epoch) noexcept {
  return sys_seconds(seconds(static_cast<std::int64_t>(std::min(epoch, latest_time))));
}

std::uint64_t epoch_seconds(sys_seconds t) noexcept {
  const auto s = t.time_since_epoch().count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s);
}

seconds session_ttl(std::uint32_t own_ttl, const Lifetimes& lifetimes) noexcept {
  if (own_ttl == 0) return lifetimes.ttl;
  return std::min({seconds(own_ttl), max_ttl, lifetimes.max_lifetime});
}

LoadStatus check_head(const detail::SessionHead& head, sys_seconds now, const Lifetimes& lifetimes) noexcept {
  if (head.created_at > latest_time || head.issued_at > latest_time) return LoadStatus::bad_payload;
  const seconds leeway = lifetimes.effective_leeway();
  const sys_seconds created = at(head.created_at);
  if (created > now + leeway) return LoadStatus::bad_payload;
  if (now > created + lifetimes.max_lifetime + leeway) return LoadStatus::expired;
  if (head.legacy) return LoadStatus::loaded;  // a v1 head has no issue time: its expiry alone holds
  const sys_seconds issued = at(head.issued_at);
  if (issued > now + leeway || issued < created) return LoadStatus::bad_payload;
  if (now > issued + session_ttl(head.ttl, lifetimes) + leeway) return LoadStatus::expired;
  return LoadStatus::loaded;
}

sys_seconds next_expiry(sys_seconds created_at, sys_seconds now, seconds ttl,
                        const Lifetimes& lifetimes) noexcept {
  return std::min(now + ttl, created_at + lifetimes.max_lifetime);
}

bool renewal_due(sys_seconds expires_at, sys_seconds now, seconds ttl, sys_seconds next,
                 const Lifetimes& lifetimes) noexcept {
  const seconds renew_after(std::llround(static_cast<double>(ttl.count()) * lifetimes.renew_share));
  return expires_at - now <= ttl - renew_after && next > expires_at;
}

sys_seconds forget_at(sys_seconds created_at, const Lifetimes& lifetimes) noexcept {
  return created_at + lifetimes.max_lifetime + lifetimes.effective_leeway();
}

}  // namespace cookieseal::policy
