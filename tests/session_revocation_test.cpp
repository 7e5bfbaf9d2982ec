// Tests for SessionManager::revoke, revoke_user and revoke_all: logout that holds on every
// server sharing the list (memory, and a real redis-server), and the replica's staleness
#include <cookieseal/revocation.hpp>
#include <cookieseal/session_manager.hpp>

#include "redis_server.hpp"  // tests/support
#include "test_support.hpp"

#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using cookieseal::Config;
using cookieseal::Error;
using cookieseal::LoadStatus;
using cookieseal::RevocationVerdict;
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

TEST_CASE("revoke_user reaches only sessions that carry the user; revoke by id reaches the rest") {
  auto list = std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation());
  const SessionManager m(fleet_config(list));
  Session anonymous = m.create();  // the user "42" logged in, but set_user() was never called
  anonymous.set("user", std::string("42"));
  const std::string cookie = cookie_of(m.commit(anonymous));
  REQUIRE(m.revoke_user("42"));
  CHECK(m.load(cookie).load_status() == LoadStatus::loaded);  // nothing in its head names the user
  Session s = m.load(cookie);
  REQUIRE(m.revoke(s));
  CHECK(m.load(cookie).load_status() == LoadStatus::revoked);
}

namespace {
// A typed session whose load() appends (as a user's may): a refused cookie's value must not
// leak into the one that loads after it.
struct Appending {
  static constexpr std::string_view session_schema = "appending";
  static constexpr std::uint32_t session_schema_version = 1;
  std::vector<int> items;
  template <class Archive>
  void save(Archive& ar) const {
    ar(items);
  }
  template <class Archive>
  void load(Archive& ar) {
    std::vector<int> more;
    ar(more);
    items.insert(items.end(), more.begin(), more.end());
  }
};
}  // namespace

TEST_CASE("a revoked typed cookie ahead of a valid one leaves nothing of its data in the session") {
  auto list = std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation());
  const SessionManager m(fleet_config(list));
  auto revoked = m.create<Appending>();
  revoked.data().items = {1};
  const std::string first = cookie_of(m.commit(revoked));
  REQUIRE(m.revoke(revoked));
  auto valid = m.create<Appending>();
  valid.data().items = {2};
  const std::string second = cookie_of(m.commit(valid));
  const auto loaded = m.load<Appending>(first + "; " + second);
  REQUIRE(loaded.load_status() == LoadStatus::loaded);
  CHECK(loaded.view().items == std::vector<int>{2});
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

// The cut-off is now + 1 s (created_at has whole seconds): a session made in the same second,
// even after the call, is refused too; the user logs in again from the next second on.
TEST_CASE("sign out everywhere also refuses a login in the same second; one in the next second opens") {
  ManualClock clock;
  // The memory list skips entries already over by the system clock: run near it.
  *clock.now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const SessionManager m(
      fleet_config(std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation()), &clock));
  const std::string before = signed_in(m, "42");
  REQUIRE(m.revoke_user("42"));
  const std::string same_second = signed_in(m, "42");
  CHECK(m.load(before).load_status() == LoadStatus::revoked);
  CHECK(m.load(same_second).load_status() == LoadStatus::revoked);
  clock.advance(1s);
  CHECK(m.load(signed_in(m, "42")).load_status() == LoadStatus::loaded);
  REQUIRE(m.revoke_all());
  const std::string anyone = signed_in(m, "7");
  CHECK(m.load(anyone).load_status() == LoadStatus::revoked);
  clock.advance(1s);
  CHECK(m.load(signed_in(m, "7")).load_status() == LoadStatus::loaded);
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

// forget_at is created_at + max lifetime + leeway, the last second the policy lets the cookie
// open (expired only once now is past it): the revocation must still hold in that second.
TEST_CASE("a revoked session stays refused through the last second its cookie opens") {
  ManualClock clock;
  // The memory list skips entries already over by the system clock: run near it.
  *clock.now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto make = [&](std::shared_ptr<cookieseal::Revocation> list) {
    Config c = fleet_config(std::move(list), &clock);
    c.lifetimes.ttl = 1h;  // the cookie's expiry is then the end of the absolute lifetime
    c.lifetimes.max_lifetime = 1h;
    c.lifetimes.leeway = 60s;
    return c;
  };
  const SessionManager m(make(std::shared_ptr<cookieseal::Revocation>(cookieseal::make_memory_revocation())));
  const SessionManager plain(make(nullptr));  // same keys, no list
  const std::string ada = signed_in(m, "ada");
  REQUIRE(m.revoke(m.load(ada)));
  clock.advance(1h + 60s);
  REQUIRE(plain.load(ada).load_status() == LoadStatus::loaded);  // the cookie does open then
  CHECK(m.load(ada).load_status() == LoadStatus::revoked);
  clock.advance(1s);
  CHECK(plain.load(ada).load_status() == LoadStatus::expired);
  CHECK(m.load(ada).load_status() == LoadStatus::expired);
}

namespace {

// An application's own backend (docs/REVOCATION.md §Writing your own): ids and per-user
// cut-offs in maps behind a mutex, and a switch standing for its store being down.
class OwnList final : public cookieseal::Revocation {
 public:
  RevocationVerdict check(const cookieseal::SessionId& id, std::string_view user,
                          std::chrono::sys_seconds created_at,
                          std::chrono::sys_seconds now) const noexcept override {
    const std::lock_guard lock(mutex_);
    if (const auto it = ids_.find(id.bytes); it != ids_.end() && now <= it->second)
      return RevocationVerdict::revoked;
    if (const auto it = users_.find(user); !user.empty() && it != users_.end() && created_at < it->second)
      return RevocationVerdict::revoked;
    return RevocationVerdict::valid;
  }
  cookieseal::Result<void> revoke(const cookieseal::SessionId& id,
                                  std::chrono::sys_seconds forget_at) override {
    if (down) return Error::unavailable;
    const std::lock_guard lock(mutex_);
    ids_[id.bytes] = std::max(ids_[id.bytes], forget_at);
    return {};
  }
  cookieseal::Result<void> revoke_user(std::string_view user, std::chrono::sys_seconds not_before,
                                       std::chrono::sys_seconds /*forget_at*/) override {
    if (down) return Error::unavailable;
    const std::lock_guard lock(mutex_);
    auto& cut = users_[std::string(user)];
    cut = std::max(cut, not_before);
    return {};
  }
  cookieseal::Result<void> revoke_all(std::chrono::sys_seconds, std::chrono::sys_seconds) override {
    return Error::unavailable;  // not offered by this backend: an error, never a silent success
  }
  cookieseal::RevocationStats stats(std::chrono::sys_seconds) const override {
    const std::lock_guard lock(mutex_);
    cookieseal::RevocationStats s;
    s.revoked_ids = ids_.size();
    s.revoked_users = users_.size();
    return s;
  }
  std::atomic<bool> down{false};

 private:
  mutable std::mutex mutex_;
  std::map<std::array<std::uint8_t, cookieseal::SessionId::size>, std::chrono::sys_seconds> ids_;
  std::map<std::string, std::chrono::sys_seconds, std::less<>> users_;
};

}  // namespace

TEST_CASE(
    "a backend of the application's own in Config::revocation: load refuses what it revoked, and its "
    "errors reach the caller of revoke") {
  ManualClock clock;
  auto own = std::make_shared<OwnList>();
  const SessionManager m(fleet_config(own, &clock));
  const std::string ada = signed_in(m, "ada");
  const std::string bob = signed_in(m, "bob");
  const std::string eve = signed_in(m, "eve");
  REQUIRE(m.revoke(m.load(ada)));
  CHECK(m.load(ada).load_status() == LoadStatus::revoked);
  CHECK(m.load(bob).load_status() == LoadStatus::loaded);
  REQUIRE(m.revoke_user("bob"));
  CHECK(m.load(bob).load_status() == LoadStatus::revoked);
  CHECK(m.usage().revocation->revoked_ids == 1);
  CHECK(m.usage().revocation->revoked_users == 1);
  own->down = true;
  const auto r = m.revoke(m.load(eve));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == Error::unavailable);
  const auto ru = m.revoke_user("eve");
  REQUIRE_FALSE(ru.ok());
  CHECK(ru.error() == Error::unavailable);
  const auto ra = m.revoke_all();
  REQUIRE_FALSE(ra.ok());
  CHECK(ra.error() == Error::unavailable);
  CHECK(m.load(eve).load_status() == LoadStatus::loaded);  // not recorded, and the caller was told
  CHECK(m.usage().count(LoadStatus::revoked) == 2);
}
