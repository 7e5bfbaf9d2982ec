// Tests for SessionManager::revoke, revoke_user and revoke_all: logout that holds on every
// server sharing the list (memory, and a real redis-server), and the replica's staleness
#include <cookieseal/revocation.hpp>
#include <cookieseal/session_manager.hpp>

#include "redis_server.hpp"  // tests/support
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

using cookieseal::Config;
using cookieseal::Error;
using cookieseal::LoadStatus;
using cookieseal::Session;
using cookieseal::SessionManager;
using test_support::key_a_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;

namespace {

Config fleet_config(std::shared_ptr<cookieseal::Revocation> list, const ManualClock* clock = nullptr) {
  Config c;
  c.keys = ring({key_a_text});
  c.revocation = std::move(list);
  if (clock != nullptr) c.clock = clock->fn();
  return c;
}

std::string cookie_of(const cookieseal::Commit& commit) {
  REQUIRE(commit.set_cookie.has_value());
  return commit.set_cookie->substr(0, commit.set_cookie->find(';'));
}

// A signed-in session of `user`, as the Cookie header the browser sends back.
std::string signed_in(const SessionManager& m, std::string_view user) {
  Session s = m.create();
  s.set_user(user);
  s.set("name", std::string(user));
  return cookie_of(m.commit(s));
}

cookieseal::RevocationOptions fast() {
  cookieseal::RevocationOptions o;
  o.resync_interval = 1s;
  o.initial_sync_wait = 5000ms;
  return o;
}

// Polls (bounded) until `done`, for what another server learns through pub/sub.
template <class Done>
bool within(std::chrono::milliseconds limit, Done done) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

// The lists forget entries by the system clock, so these tests run on it too.
TEST_CASE("revoke ends one session on every manager sharing the list; others stay signed in") {
  auto list = std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation());
  const SessionManager a(fleet_config(list));
  const SessionManager b(fleet_config(list));
  const std::string ada = signed_in(a, "ada");
  const std::string bob = signed_in(a, "bob");
  Session s = a.load(ada);
  REQUIRE(s.load_status() == LoadStatus::loaded);
  REQUIRE(a.revoke(s));
  s.destroy();
  CHECK(b.load(ada).load_status() == LoadStatus::revoked);
  CHECK(a.load(ada).load_status() == LoadStatus::revoked);
  CHECK(b.load(bob).load_status() == LoadStatus::loaded);
  CHECK(a.usage().revocation->revoked_ids == 1);
  CHECK(a.usage().count(LoadStatus::revoked) == 1);
}

// Sleeps into the next whole second (created_at has whole seconds; the cut-off is now + 1 s).
void next_second() {
  const auto now = std::chrono::system_clock::now();
  std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(now) + 1s + 10ms);
}

TEST_CASE("revoke_user signs a user out everywhere; a session made afterwards opens") {
  auto list = std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation());
  const SessionManager m(fleet_config(list));
  const std::string phone = signed_in(m, "42");
  const std::string laptop = signed_in(m, "42");
  const std::string other = signed_in(m, "7");
  REQUIRE(m.revoke_user("42"));
  CHECK(m.load(phone).load_status() == LoadStatus::revoked);
  CHECK(m.load(laptop).load_status() == LoadStatus::revoked);
  CHECK(m.load(other).load_status() == LoadStatus::loaded);
  next_second();  // the next login, after the cut-off second
  CHECK(m.load(signed_in(m, "42")).load_status() == LoadStatus::loaded);
}

TEST_CASE("revoke_all ends every session created until now") {
  auto list = std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation());
  const SessionManager m(fleet_config(list));
  const std::string ada = signed_in(m, "ada");
  REQUIRE(m.revoke_all());
  CHECK(m.load(ada).load_status() == LoadStatus::revoked);
  next_second();
  CHECK(m.load(signed_in(m, "bob")).load_status() == LoadStatus::loaded);
}

TEST_CASE("revoking without a configured list is a programming error, not a silent success") {
  ManualClock clock;
  const SessionManager m(fleet_config(nullptr, &clock));
  CHECK_THROWS_AS((void)m.revoke(m.create()), std::logic_error);
  CHECK_THROWS_AS((void)m.revoke_user("42"), std::logic_error);
  CHECK_FALSE(m.usage().revocation.has_value());
}

TEST_CASE(
    "two managers on one redis-server: a logout on A is refused on B within 1 s, and after a restart of A") {
  cookieseal::test::RedisServer server;
  auto on_a =
      std::shared_ptr<cookieseal::Revocation>(cookieseal::make_redis_revocation(server.settings(), fast()));
  auto on_b =
      std::shared_ptr<cookieseal::Revocation>(cookieseal::make_redis_revocation(server.settings(), fast()));
  auto a = std::make_unique<SessionManager>(fleet_config(on_a));
  const SessionManager b(fleet_config(on_b));
  const std::string ada = signed_in(*a, "ada");
  const std::string bob = signed_in(*a, "bob");
  REQUIRE(b.load(ada).load_status() == LoadStatus::loaded);
  REQUIRE(a->revoke(a->load(ada)));
  CHECK(within(1000ms, [&] { return b.load(ada).load_status() == LoadStatus::revoked; }));
  // A restarts: a new list syncs from Redis before it serves.
  a.reset();
  on_a.reset();
  on_a =
      std::shared_ptr<cookieseal::Revocation>(cookieseal::make_redis_revocation(server.settings(), fast()));
  a = std::make_unique<SessionManager>(fleet_config(on_a));
  CHECK(a->load(ada).load_status() == LoadStatus::revoked);
  // Sign out everywhere from B reaches A.
  REQUIRE(b.revoke_user("bob"));
  CHECK(within(1000ms, [&] { return a->load(bob).load_status() == LoadStatus::revoked; }));
  // redis-server restarts (no persistence: the entries are gone there); the replicas keep them.
  server.restart();
  CHECK(a->load(ada).load_status() == LoadStatus::revoked);
  CHECK(b.load(bob).load_status() == LoadStatus::revoked);
  const std::string eve = signed_in(b, "eve");
  CHECK(a->load(eve).load_status() == LoadStatus::loaded);
}

TEST_CASE("a logout that cannot be recorded is an error the caller sees; an old replica fails closed") {
  cookieseal::test::RedisServer server;
  cookieseal::RevocationOptions options = fast();
  options.max_stale = 2s;
  auto list =
      std::shared_ptr<cookieseal::Revocation>(cookieseal::make_redis_revocation(server.settings(), options));
  const SessionManager m(fleet_config(list));
  const std::string ada = signed_in(m, "ada");
  server.stop();
  const auto r = m.revoke(m.load(ada));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == Error::unavailable);
  CHECK(within(6000ms, [&] { return m.load(ada).load_status() == LoadStatus::stale; }));
  CHECK(m.usage().revocation->staleness.value_or(0s) >= 2s);
}
