// Tests for SessionManager over a server-side store (docs/STORE.md): the same Session and
// TypedSession API in server and automatic mode, real logout, renewal by ttl touch, extend(),
// a user's other sessions, version checks, bad records and an unreachable store. Each case
// runs against the memory store, and (with hiredis) the Redis ones against a real redis-server.
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include "store/store_backend.hpp"  // record_key: to reach a record as a store dump would
#include "test_support.hpp"

#if defined(COOKIESEAL_TEST_REDIS)
#include "redis_server.hpp"  // tests/support
#endif

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

using cookieseal::Commit;
using cookieseal::Config;
using cookieseal::Error;
using cookieseal::LoadStatus;
using cookieseal::Session;
using cookieseal::SessionManager;
using cookieseal::StoreMode;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;

namespace {

// A test clock that starts at the real time: Redis keeps the per-user index until an absolute
// time (PEXPIREAT), which must not lie in Redis's past.
ManualClock starting_now() {
  ManualClock clock;
  *clock.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return clock;
}

// A memory store on the test's clock, so that its ttls pass when the test moves time.
std::shared_ptr<cookieseal::SessionStore> memory_store(const ManualClock& clock) {
  cookieseal::MemoryStoreOptions o;
  auto now = clock.now;
  o.clock = [now] { return std::chrono::system_clock::time_point(*now); };
  return cookieseal::make_memory_store(o);
}

Config store_config(std::shared_ptr<cookieseal::SessionStore> store, StoreMode mode,
                    const ManualClock& clock) {
  Config c;
  c.keys = ring({key_a_text});
  c.store = std::move(store);
  c.store_mode = mode;
  c.clock = clock.fn();
  c.lifetimes.ttl = 1h;
  return c;
}

// The Cookie header a browser sends back after this commit.
std::string cookie_of(const Commit& commit) {
  REQUIRE(commit.ok());
  REQUIRE(commit.set_cookie.has_value());
  return commit.set_cookie->substr(0, commit.set_cookie->find(';'));
}

// The Max-Age attribute of a Set-Cookie, in seconds (-1 when there is none).
long max_age_of(const Commit& commit) {
  REQUIRE(commit.set_cookie.has_value());
  const std::string& h = *commit.set_cookie;
  const auto at = h.find("Max-Age=");
  if (at == std::string::npos) return -1;
  return std::stol(h.substr(at + 8));
}

std::string bytes_of(std::size_t n, char c) { return std::string(n, c); }

// The store key of the record a cookie's session lives under, as a store dump shows it.
std::string record_key_of(const SessionManager& m, const Session& s) {
  cookieseal::StoreBackend keys(m.config().store, {});
  return keys.record_key(s.id().bytes);
}

struct Cart {
  static constexpr std::string_view session_schema = "cart";
  static constexpr std::uint32_t session_schema_version = 1;
  std::vector<int> items;
  std::string note;
  template <class A>
  void serialize(A& a) {
    a(items, note);
  }
};

// --- the cases, each against a store made by `make` ----------------------------------------

using MakeStore = std::function<std::shared_ptr<cookieseal::SessionStore>(const ManualClock&)>;

void a_session_round_trips_through_the_store_in_server_mode(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  Session s = m.create();
  s.set("user", "ada");
  s.set("visits", 3);
  const Commit out = m.commit(s);
  const std::string cookie = cookie_of(out);
  // The cookie is only a reference: the data is not in it, whatever its size.
  CHECK(out.set_cookie->size() < 300);
  Session back = m.load(cookie);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.stored());
  CHECK(back.id() == s.id());
  CHECK(back.get<std::string>("user") == "ada");
  CHECK(back.get<int>("visits") == 3);
  // Unmodified and not due for renewal: one read, no write, nothing to send.
  CHECK(m.commit(back).action == Commit::Action::none);
}

void a_typed_session_round_trips_through_the_store(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  auto cart = m.create<Cart>();
  cart.data().items = {1, 2, 3};
  cart.data().note = bytes_of(10000, 'n');
  const std::string cookie = cookie_of(m.commit(cart));
  auto back = m.load<Cart>(cookie);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.stored());
  CHECK(back.view().items == std::vector<int>{1, 2, 3});
  CHECK(back.view().note.size() == 10000);
  // A record written for a Cart is not a Session map (and the reverse).
  CHECK(m.load(cookie).load_status() == LoadStatus::bad_payload);
}

void automatic_mode_moves_a_session_to_the_store_when_it_outgrows_the_cookie_and_back(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::automatic, clock));
  // Small: the cookie carries it, the store is not used.
  Session s = m.create();
  s.set("user", "ada");
  const std::string small_cookie = cookie_of(m.commit(s));
  Session small = m.load(small_cookie);
  REQUIRE(small.load_status() == LoadStatus::loaded);
  CHECK_FALSE(small.stored());
  // 20 KB: no too_large, the cookie is a reference, the data round-trips.
  small.set("blob", bytes_of(20 * 1024, 'x'));
  const Commit big_commit = m.commit(small);
  REQUIRE(big_commit.ok());
  CHECK(big_commit.set_cookie->size() < cookieseal::max_set_cookie_bytes);
  const std::string big_cookie = cookie_of(big_commit);
  Session big = m.load(big_cookie);
  REQUIRE(big.load_status() == LoadStatus::loaded);
  CHECK(big.stored());
  CHECK(big.get<std::string>("blob")->size() == 20 * 1024);
  CHECK(big.get<std::string>("user") == "ada");
  // Shrinks again: back in the cookie, and the record is gone (the reference opens nothing).
  big.erase("blob");
  const std::string shrunk_cookie = cookie_of(m.commit(big));
  Session shrunk = m.load(shrunk_cookie);
  REQUIRE(shrunk.load_status() == LoadStatus::loaded);
  CHECK_FALSE(shrunk.stored());
  CHECK(shrunk.get<std::string>("user") == "ada");
  CHECK(m.load(big_cookie).load_status() == LoadStatus::expired);
}

void destroy_deletes_the_record_so_the_old_cookie_opens_nothing_on_any_manager(const MakeStore& make) {
  const ManualClock clock = starting_now();
  auto store = make(clock);
  const SessionManager a(store_config(store, StoreMode::server, clock));
  const SessionManager b(store_config(store, StoreMode::server, clock));  // another server, same store
  Session s = a.create();
  s.set("user", "ada");
  const std::string cookie = cookie_of(a.commit(s));
  Session on_b = b.load(cookie);
  REQUIRE(on_b.load_status() == LoadStatus::loaded);
  on_b.destroy();
  const Commit out = b.commit(on_b);
  REQUIRE(out.ok());
  CHECK(out.action == Commit::Action::remove);
  // Replayed after logout: refused on both, without any revocation list.
  CHECK(a.load(cookie).load_status() == LoadStatus::expired);
  CHECK(b.load(cookie).load_status() == LoadStatus::expired);
  CHECK(a.load(cookie).get<std::string>("user") == std::nullopt);
}

void an_unmodified_stored_session_is_renewed_by_a_ttl_touch(const MakeStore& make) {
  const ManualClock clock = starting_now();
  auto store = make(clock);
  const SessionManager m(store_config(store, StoreMode::server, clock));
  Session s = m.create();
  s.set("n", 1);
  const std::string first = cookie_of(m.commit(s));
  const std::string key = record_key_of(m, s);
  const auto version = (*store->load(key))->version;
  // Past half the ttl: the next commit renews without rewriting the record.
  clock.advance(40min);
  Session again = m.load(first);
  REQUIRE(again.load_status() == LoadStatus::loaded);
  const Commit renewed = m.commit(again);
  REQUIRE(renewed.action == Commit::Action::set);
  CHECK(max_age_of(renewed) == 3600);
  CHECK((*store->load(key))->version == version);  // touched, not rewritten
  const std::string second = cookie_of(renewed);
  // 70 minutes after the first write: past its ttl, but the renewed reference still opens.
  clock.advance(30min);
  Session later = m.load(second);
  REQUIRE(later.load_status() == LoadStatus::loaded);
  CHECK(later.get<int>("n") == 1);
  CHECK(m.load(first).load_status() == LoadStatus::expired);  // the first reference's own expiry
}

void an_idle_stored_session_expires_with_its_record(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  Session s = m.create();
  s.set("n", 1);
  const std::string cookie = cookie_of(m.commit(s));
  clock.advance(2h);
  CHECK(m.load(cookie).load_status() == LoadStatus::expired);
}

void extend_lengthens_a_stored_session_and_is_kept_across_requests(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  Session s = m.create();
  s.set("n", 1);
  s.extend(30min);
  const Commit out = m.commit(s);
  CHECK(max_age_of(out) == 5400);
  Session back = m.load(cookie_of(out));
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.ttl() == std::chrono::seconds(5400));
  // Still open 80 minutes on (the manager's ttl is 60).
  clock.advance(80min);
  CHECK(m.load(cookie_of(out)).load_status() == LoadStatus::loaded);
}

void sessions_of_lists_a_users_sessions_and_end_other_sessions_ends_all_but_the_current(
    const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  std::vector<std::string> cookies;
  for (int device = 0; device < 3; ++device) {
    Session s = m.create();
    s.set_user("carol");
    s.set("device", device);
    cookies.push_back(cookie_of(m.commit(s)));
  }
  Session bob = m.create();
  bob.set_user("bob");
  const std::string bob_cookie = cookie_of(m.commit(bob));

  Session current = m.load(cookies[0]);
  REQUIRE(current.load_status() == LoadStatus::loaded);
  auto listed = m.sessions_of("carol", &current);
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK(std::count_if(listed->begin(), listed->end(), [](const auto& l) { return l.current; }) == 1);
  for (const auto& l : *listed) {
    CHECK(l.handle.size() == 64);  // hex of a store key: no id, not a cookie
    CHECK(l.expires_at > clock.now.get()[0]);
  }

  auto ended = m.end_other_sessions(current);
  REQUIRE(ended);
  CHECK(*ended == 2);
  CHECK(m.load(cookies[1]).load_status() == LoadStatus::expired);
  CHECK(m.load(cookies[2]).load_status() == LoadStatus::expired);
  CHECK(m.load(cookies[0]).load_status() == LoadStatus::loaded);
  CHECK(m.load(bob_cookie).load_status() == LoadStatus::loaded);  // another user: untouched
  CHECK(m.sessions_of("carol")->size() == 1);

  // Logout of the last one empties the list.
  current.destroy();
  REQUIRE(m.commit(current).ok());
  CHECK(m.sessions_of("carol")->empty());
}

void a_version_check_detects_a_lost_update_and_without_it_the_last_write_wins(const MakeStore& make) {
  const ManualClock clock = starting_now();
  auto store = make(clock);
  Config checked = store_config(store, StoreMode::server, clock);
  checked.check_version = true;
  const SessionManager strict(std::move(checked));
  const SessionManager lax(store_config(store, StoreMode::server, clock));

  Session s = strict.create();
  s.set("n", 0);
  const std::string cookie = cookie_of(strict.commit(s));
  // Two requests load the same session; the first to commit wins, the second is told.
  Session one = strict.load(cookie);
  Session two = strict.load(cookie);
  one.set("n", 1);
  two.set("n", 2);
  REQUIRE(strict.commit(one).ok());
  const Commit lost = strict.commit(two);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error->error == Error::conflict);
  CHECK(lost.message().find("another request changed this session") != std::string::npos);
  CHECK(strict.load(cookie).get<int>("n") == 1);

  // Without the check: both commits succeed and the later one is what stays.
  Session three = lax.load(cookie);
  Session four = lax.load(cookie);
  three.set("n", 3);
  four.set("n", 4);
  REQUIRE(lax.commit(three).ok());
  REQUIRE(lax.commit(four).ok());
  CHECK(lax.load(cookie).get<int>("n") == 4);

  // A write racing a logout: with the check it is a conflict, so the logout wins.
  Session writer = strict.load(cookie);
  Session leaver = strict.load(cookie);
  leaver.destroy();
  REQUIRE(strict.commit(leaver).ok());
  writer.set("n", 5);
  const Commit late = strict.commit(writer);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error->error == Error::conflict);
  CHECK(strict.load(cookie).load_status() == LoadStatus::expired);
}

void a_new_id_removes_the_record_of_the_old_one(const MakeStore& make) {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(make(clock), StoreMode::server, clock));
  Session s = m.create();
  s.set("cart", 2);
  const std::string before_login = cookie_of(m.commit(s));
  Session login = m.load(before_login);
  login.regenerate_id();
  login.set_user("ada");
  const std::string after_login = cookie_of(m.commit(login));
  // A reference planted before login (session fixation) is worth nothing afterwards.
  CHECK(m.load(before_login).load_status() == LoadStatus::expired);
  Session back = m.load(after_login);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.get<int>("cart") == 2);
  CHECK(back.user() == "ada");
}

void a_tampered_or_foreign_record_is_a_fresh_session_counted_by_reason(const MakeStore& make) {
  const ManualClock clock = starting_now();
  auto store = make(clock);
  const SessionManager m(store_config(store, StoreMode::server, clock));
  Session s = m.create();
  s.set("user", "ada");
  const std::string cookie = cookie_of(m.commit(s));
  const std::string key = record_key_of(m, s);
  // A byte of the stored record changed: authentication fails.
  std::string record = (*store->load(key))->record;
  record[record.size() / 2] = record[record.size() / 2] == 'A' ? 'B' : 'A';
  REQUIRE(store->save(key, record, 1h, std::nullopt));
  Session tampered = m.load(cookie);
  CHECK(tampered.load_status() == LoadStatus::tampered);
  CHECK(tampered.empty());
  CHECK(m.usage().record_errors[static_cast<std::size_t>(Error::tampered)] == 1);
  // Garbage bytes: malformed.
  REQUIRE(store->save(key, std::string("\x00\xff garbage", 10), 1h, std::nullopt));
  CHECK(m.load(cookie).load_status() == LoadStatus::malformed);
  CHECK(m.usage().record_errors[static_cast<std::size_t>(Error::malformed)] == 1);
  // Another session's record copied under this key: it does not open as this session.
  Session other = m.create();
  other.set("user", "mallory");
  REQUIRE(m.commit(other).ok());
  const std::string foreign = (*store->load(record_key_of(m, other)))->record;
  REQUIRE(store->save(key, foreign, 1h, std::nullopt));
  Session swapped = m.load(cookie);
  CHECK(swapped.load_status() == LoadStatus::tampered);
  CHECK(swapped.get<std::string>("user") == std::nullopt);
  // A record sealed under a key this keyring does not hold (another application's store).
  Config foreign_config = store_config(store, StoreMode::server, clock);
  foreign_config.keys = ring({key_b_text});
  const SessionManager other_app(std::move(foreign_config));
  Session theirs = other_app.create();
  theirs.set("user", "eve");
  REQUIRE(other_app.commit(theirs).ok());
  REQUIRE(store->save(key, (*store->load(record_key_of(other_app, theirs)))->record, 1h, std::nullopt));
  CHECK(m.load(cookie).load_status() == LoadStatus::unknown_key);
  CHECK(m.usage().record_errors[static_cast<std::size_t>(Error::unknown_key)] == 1);
}

void key_rotation_reseals_a_stored_session_as_it_is_used(const MakeStore& make) {
  const ManualClock clock = starting_now();
  SessionManager m(store_config(make(clock), StoreMode::server, clock));
  Session s = m.create();
  s.set("n", 7);
  const std::string under_a = cookie_of(m.commit(s));
  m.rotate(ring({key_b_text, key_a_text}));  // B seals, A still opens
  Session old = m.load(under_a);
  REQUIRE(old.load_status() == LoadStatus::loaded);
  CHECK(old.needs_reseal());
  const std::string under_b = cookie_of(m.commit(old));  // record and reference rewritten under B
  m.rotate(ring({key_b_text}));                          // A retired
  Session back = m.load(under_b);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.get<int>("n") == 7);
  CHECK(m.load(under_a).load_status() == LoadStatus::unknown_key);
}

void run_every_case(const MakeStore& make) {
  SUBCASE("a session round-trips in server mode") {
    a_session_round_trips_through_the_store_in_server_mode(make);
  }
  SUBCASE("a typed session round-trips") { a_typed_session_round_trips_through_the_store(make); }
  SUBCASE("automatic mode moves a session to the store and back") {
    automatic_mode_moves_a_session_to_the_store_when_it_outgrows_the_cookie_and_back(make);
  }
  SUBCASE("destroy deletes the record") {
    destroy_deletes_the_record_so_the_old_cookie_opens_nothing_on_any_manager(make);
  }
  SUBCASE("renewal is a ttl touch") { an_unmodified_stored_session_is_renewed_by_a_ttl_touch(make); }
  SUBCASE("an idle session expires") { an_idle_stored_session_expires_with_its_record(make); }
  SUBCASE("extend()") { extend_lengthens_a_stored_session_and_is_kept_across_requests(make); }
  SUBCASE("sessions_of and end_other_sessions") {
    sessions_of_lists_a_users_sessions_and_end_other_sessions_ends_all_but_the_current(make);
  }
  SUBCASE("version check") { a_version_check_detects_a_lost_update_and_without_it_the_last_write_wins(make); }
  SUBCASE("a new id removes the old record") { a_new_id_removes_the_record_of_the_old_one(make); }
  SUBCASE("bad records") { a_tampered_or_foreign_record_is_a_fresh_session_counted_by_reason(make); }
  SUBCASE("key rotation") { key_rotation_reseals_a_stored_session_as_it_is_used(make); }
}

}  // namespace

TEST_CASE("SessionManager over the memory store") { run_every_case(memory_store); }

// --- without a store, and configuration ------------------------------------------------------

TEST_CASE("without a store a session over 4096 bytes is too_large and the message points at a store") {
  const ManualClock clock = starting_now();
  Config c;
  c.keys = ring({key_a_text});
  c.clock = clock.fn();
  const SessionManager m(std::move(c));
  Session s = m.create();
  s.set("blob", bytes_of(20 * 1024, 'x'));
  const Commit out = m.commit(s);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error->error == Error::too_large);
  CHECK_FALSE(out.set_cookie.has_value());
  CHECK(out.message().find("COOKIESEAL_STORE") != std::string::npos);
}

TEST_CASE("a record over the store's limit is too_large, naming the record and not the cookie") {
  const ManualClock clock = starting_now();
  const SessionManager m(store_config(memory_store(clock), StoreMode::automatic, clock));
  Session s = m.create();
  s.set("blob", bytes_of(2 << 20, 'x'));  // 2 MiB: over the 1 MiB record limit
  const Commit out = m.commit(s);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error->error == Error::too_large);
  CHECK(out.error->stored_record);
  CHECK(out.message().find("too large for the store") != std::string::npos);
}

TEST_CASE("extend() in cookie mode lengthens the cookie's life, capped by the absolute lifetime") {
  const ManualClock clock = starting_now();
  Config c;
  c.keys = ring({key_a_text});
  c.clock = clock.fn();
  c.lifetimes.ttl = 1h;
  c.lifetimes.max_lifetime = 24h;
  const SessionManager m(std::move(c));
  Session s = m.create();
  s.set("n", 1);
  s.extend(30min);
  s.extend(15min);              // calls add up
  CHECK(m.ttl_of(s) == 6300s);  // what the commit will give, before it
  const Commit out = m.commit(s);
  CHECK(max_age_of(out) == 6300);
  Session back = m.load(cookie_of(out));
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK_FALSE(back.stored());
  CHECK(back.ttl() == std::chrono::seconds(6300));
  back.extend(std::chrono::days(100));
  CHECK(max_age_of(m.commit(back)) == 24 * 3600);  // never past created_at + max_lifetime
  CHECK_THROWS_AS(back.extend(0s), std::invalid_argument);
}

TEST_CASE("sessions_of and end_other_sessions without a store are unavailable; without a user malformed") {
  const ManualClock clock = starting_now();
  Config c;
  c.keys = ring({key_a_text});
  c.clock = clock.fn();
  const SessionManager cookies(std::move(c));
  Session s = cookies.create();
  s.set_user("ada");
  CHECK(cookies.sessions_of("ada").error() == Error::unavailable);
  CHECK(cookies.end_other_sessions(s).error() == Error::unavailable);

  const SessionManager stored(store_config(memory_store(clock), StoreMode::server, clock));
  CHECK(stored.end_other_sessions(stored.create()).error() == Error::malformed);
  CHECK(stored.sessions_of("").error() == Error::malformed);
  CHECK(stored.sessions_of(bytes_of(300, 'u')).error() == Error::too_large);
}

namespace {
// The ConfigError message Config::from_env gives for the environment as it is ("" for none).
std::string from_env_error() {
  return test_support::config_error_of(
      [] { (void)Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::keep); });
}
}  // namespace

TEST_CASE(
    "COOKIESEAL_STORE and COOKIESEAL_STORE_MODE configure the store, and bad values name the variable") {
  using test_support::ScopedEnv;
  const ScopedEnv keys("COOKIESEAL_KEYS", std::string(key_a_text));
  SUBCASE("memory, server mode, version check") {
    const ScopedEnv store("COOKIESEAL_STORE", "memory");
    const ScopedEnv mode("COOKIESEAL_STORE_MODE", "server");
    const ScopedEnv check("COOKIESEAL_STORE_CHECK_VERSION", "yes");
    const Config c = Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::keep);
    CHECK(c.store != nullptr);
    CHECK(c.store_mode == StoreMode::server);
    CHECK(c.check_version);
    CHECK(c.summary().find("store = yes, mode server, version check on") != std::string::npos);
  }
  SUBCASE("cookie is the default: no store") {
    const ScopedEnv store("COOKIESEAL_STORE", "cookie");
    const Config c = Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::keep);
    CHECK(c.store == nullptr);
    CHECK(c.summary().find("store = none") != std::string::npos);
  }
  SUBCASE("an unknown store") {
    const ScopedEnv store("COOKIESEAL_STORE", "mongodb://x");
    const std::string message = from_env_error();
    CHECK(message.find("COOKIESEAL_STORE") == 0);
    CHECK(message.find("expected `cookie`, `memory`") != std::string::npos);
  }
  SUBCASE("an unknown mode") {
    const ScopedEnv store("COOKIESEAL_STORE", "memory");
    const ScopedEnv mode("COOKIESEAL_STORE_MODE", "sometimes");
    const std::string message = from_env_error();
    CHECK(message.find("COOKIESEAL_STORE_MODE") == 0);
    CHECK(message.find("expected auto or server") != std::string::npos);
  }
  SUBCASE("a mode without a store is a mistake, not a silent cookie setup") {
    const ScopedEnv mode("COOKIESEAL_STORE_MODE", "server");
    const std::string message = from_env_error();
    CHECK(message.find("need a store") != std::string::npos);
  }
  SUBCASE("a mistyped store variable is refused with a suggestion") {
    const ScopedEnv typo("COOKIESEAL_STOR", "memory");
    const std::string message = from_env_error();
    CHECK(message.find("did you mean COOKIESEAL_STORE?") != std::string::npos);
  }
}

#if defined(COOKIESEAL_TEST_REDIS)
// --- the Redis store, against a real redis-server ---------------------------------------------

TEST_CASE("SessionManager over the Redis store") {
  const cookieseal::test::RedisServer server;
  // Redis keeps its own time: the test clock starts at the real time and moves ahead of it by
  // at most a few hours, so the ttls Redis holds (relative) are never what a case depends on.
  run_every_case([&](const ManualClock&) {
    auto settings = server.settings("case:" + cookieseal::SessionId::generate().hex() + ":");
    return cookieseal::make_redis_store(settings);
  });
}

TEST_CASE("the Redis store over a unix socket from COOKIESEAL_STORE round-trips a 20 KB session") {
  const cookieseal::test::RedisServer server({.unix_socket = true, .config_lines = {}});
  const test_support::ScopedEnv keys("COOKIESEAL_KEYS", std::string(key_a_text));
  const test_support::ScopedEnv store("COOKIESEAL_STORE", server.url());
  const SessionManager m(Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::keep));
  Session s = m.create();
  s.set("blob", bytes_of(20 * 1024, 'z'));
  const std::string cookie = cookie_of(m.commit(s));
  Session back = m.load(cookie);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.stored());
  CHECK(back.get<std::string>("blob") == bytes_of(20 * 1024, 'z'));
}

TEST_CASE(
    "an unreachable store: load gives a fresh session saying unavailable, commit an error, and both "
    "recover when redis-server is back") {
  cookieseal::test::RedisServer server;
  const ManualClock clock = starting_now();
  const SessionManager m(
      store_config(cookieseal::make_redis_store(server.settings()), StoreMode::server, clock));
  Session s = m.create();
  s.set("user", "ada");
  const std::string cookie = cookie_of(m.commit(s));

  server.stop();
  Session down = m.load(cookie);
  CHECK(down.load_status() == LoadStatus::unavailable);
  CHECK(down.empty());
  Session fresh = m.create();
  fresh.set("n", 1);
  const Commit failed = m.commit(fresh);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error->error == Error::unavailable);
  CHECK_FALSE(failed.set_cookie.has_value());
  CHECK(failed.message().find("could not be reached") != std::string::npos);
  CHECK(m.usage().count(LoadStatus::unavailable) == 1);

  server.start();  // no persistence: the record is gone with the old process
  // Reconnection is with backoff: poll (bounded) until a write goes through again.
  const auto end = std::chrono::steady_clock::now() + 15s;
  bool back = false;
  while (!back && std::chrono::steady_clock::now() < end) {
    back = m.commit(fresh).ok();
    if (!back) std::this_thread::sleep_for(100ms);
  }
  CHECK(back);
  CHECK(m.load(cookie).load_status() == LoadStatus::expired);  // the data did not survive, and says so
}
#endif
