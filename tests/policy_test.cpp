// Tests for src/session/policy.hpp: the session's time rules as pure functions, no crypto
#include "session/policy.hpp"

#include <doctest/doctest.h>

#include <chrono>

using cookieseal::Lifetimes;
using cookieseal::LoadStatus;
using cookieseal::detail::SessionHead;
using namespace std::chrono_literals;
namespace policy = cookieseal::policy;

namespace {

constexpr std::uint64_t t0 = 1767225600;  // 2026-01-01
const std::chrono::sys_seconds now0{std::chrono::seconds(t0)};

SessionHead head(std::uint64_t created, std::uint64_t issued, std::uint32_t ttl = 0) {
  SessionHead h;
  h.created_at = created;
  h.issued_at = issued;
  h.ttl = ttl;
  return h;
}

}  // namespace

TEST_CASE("check_head accepts a fresh head and refuses one from the future beyond the leeway") {
  const Lifetimes l;  // ttl 24h, lifetime 7d, leeway 60s
  CHECK(policy::check_head(head(t0, t0), now0, l) == LoadStatus::loaded);
  CHECK(policy::check_head(head(t0 + 60, t0 + 60), now0, l) == LoadStatus::loaded);
  CHECK(policy::check_head(head(t0 + 61, t0 + 61), now0, l) == LoadStatus::bad_payload);
  CHECK(policy::check_head(head(t0, t0 + 61), now0, l) == LoadStatus::bad_payload);
  CHECK(policy::check_head(head(t0, t0 - 1), now0, l) == LoadStatus::bad_payload);  // issued before created
  CHECK(policy::check_head(head(policy::latest_time + 1, t0), now0, l) == LoadStatus::bad_payload);
}

TEST_CASE("check_head ends a session after its absolute lifetime, whatever the activity") {
  const Lifetimes l;
  const auto created = t0 - 7 * 86400;
  CHECK(policy::check_head(head(created, t0), now0, l) == LoadStatus::loaded);
  CHECK(policy::check_head(head(created, t0), now0 + 60s, l) == LoadStatus::loaded);
  CHECK(policy::check_head(head(created, t0), now0 + 61s, l) == LoadStatus::expired);
}

TEST_CASE(
    "check_head applies the ttl in force now to the issue time, not the ttl the cookie was issued under") {
  Lifetimes l;
  l.ttl = 1h;
  const auto issued = t0 - 10 * 86400;  // issued under a 30-day ttl, idle for 10 days
  CHECK(policy::check_head(head(issued, issued), now0, l) == LoadStatus::expired);
  CHECK(policy::check_head(head(t0 - 3660, t0 - 3660), now0, l) == LoadStatus::loaded);  // 1h + 60 s leeway
  CHECK(policy::check_head(head(t0 - 3661, t0 - 3661), now0, l) == LoadStatus::expired);
  // A session with its own ttl keeps it (bounded by the absolute lifetime).
  CHECK(policy::check_head(head(t0 - 86400, t0 - 86400, 2 * 86400), now0, l) == LoadStatus::loaded);
}

TEST_CASE("check_head lets a v1 head rely on its cookie's expiry alone") {
  SessionHead h = head(t0 - 86400 * 3, 0);
  h.legacy = true;
  Lifetimes l;
  l.ttl = 1h;
  CHECK(policy::check_head(h, now0, l) == LoadStatus::loaded);
}

TEST_CASE("session_ttl is the session's own, capped at 400 days and the absolute lifetime") {
  const Lifetimes l;
  CHECK(policy::session_ttl(0, l) == 24h);
  CHECK(policy::session_ttl(3600, l) == 1h);
  CHECK(policy::session_ttl(30 * 86400, l) == l.max_lifetime);
  Lifetimes long_life;
  long_life.max_lifetime = std::chrono::hours(24) * 1000;
  CHECK(policy::session_ttl(900 * 86400, long_life) == cookieseal::max_ttl);
}

TEST_CASE("next_expiry is min(now + ttl, created + max_lifetime)") {
  const Lifetimes l;
  CHECK(policy::next_expiry(now0, now0, 24h, l) == now0 + 24h);
  CHECK(policy::next_expiry(now0 - 24h * 7 + 1h, now0, 24h, l) == now0 + 1h);
}

TEST_CASE("renewal_due once renew_share of the ttl has passed, and only if the expiry moves") {
  const Lifetimes l;  // renew_share 0.5
  const auto next = now0 + 24h;
  CHECK_FALSE(policy::renewal_due(now0 + 13h, now0, 24h, next, l));
  CHECK(policy::renewal_due(now0 + 12h, now0, 24h, next, l));
  CHECK_FALSE(policy::renewal_due(now0 + 12h, now0, 24h, now0 + 12h, l));  // capped by the lifetime
  Lifetimes every;
  every.renew_share = 0;
  CHECK(policy::renewal_due(now0 + 24h - 1s, now0, 24h, next, every));
}

TEST_CASE("forget_at is the latest moment a cookie of the session could open") {
  const Lifetimes l;
  CHECK(policy::forget_at(now0, l) == now0 + 24h * 7 + 60s);
}

TEST_CASE(
    "Lifetimes::validate refuses each bad field with its name and a short ttl gets a short default leeway") {
  auto message = [](Lifetimes l) {
    try {
      l.validate("ctx");
    } catch (const cookieseal::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  Lifetimes l;
  CHECK(message(l).empty());
  l.ttl = 0s;
  CHECK(message(l).find("ttl") != std::string::npos);
  l.ttl = cookieseal::max_ttl + 1s;
  CHECK(message(l).find("400d") != std::string::npos);
  l = {};
  l.max_lifetime = cookieseal::max_duration + 1s;
  CHECK(message(l).find("max_lifetime") != std::string::npos);
  l = {};
  l.renew_share = 2;
  CHECK(message(l).find("renew_share") != std::string::npos);
  l = {};
  l.leeway = 24h;
  CHECK(message(l).find("leeway") != std::string::npos);
  l = {};
  l.ttl = 5s;
  CHECK(l.effective_leeway() == 0s);  // a 5 s ttl is not stretched to 65 s
  CHECK(message(l).empty());
}
