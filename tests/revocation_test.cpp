// cookieseal tests - revocation lists: the policy (in memory), the replica's table, and the
// Redis list against a real redis-server: propagation, restarts, killed subscribers,
// staleness, garbage in the store, the documented ACL
#include <cookieseal/revocation.hpp>

#include "redis/connection.hpp"
#include "redis_server.hpp"  // tests/support
#include "revocation/entry.hpp"
#include "revocation/replica.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>  // redisReply: integer replies

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cookieseal::ConfigError;
using cookieseal::Error;
using cookieseal::RedisSettings;
using cookieseal::Revocation;
using cookieseal::RevocationOptions;
using cookieseal::RevocationVerdict;
using cookieseal::SessionId;
using cookieseal::redis::Args;
using cookieseal::redis::Expect;
using cookieseal::test::RedisServer;
using std::chrono::sys_seconds;

namespace {

sys_seconds now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}
sys_seconds at(std::int64_t s) { return sys_seconds(std::chrono::seconds(s)); }
const sys_seconds t0 = at(1'700'000'000);
constexpr auto week = std::chrono::hours(24 * 7);

RevocationOptions fast_options() {
  RevocationOptions o;
  o.initial_sync_wait = 5s;
  return o;
}

// Waits (at most `limit`) until `pred` holds; true if it did.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::unique_ptr<cookieseal::redis::Connection> admin(const RedisServer& server) {
  auto c = cookieseal::redis::Connection::open(server.settings());
  REQUIRE(c);
  return std::move(*c);
}

void admin_command(const RedisServer& server, const Args& args) {
  auto c = admin(server);
  const auto r = c->command(args);
  REQUIRE(r);
}

std::string epoch(sys_seconds t) { return std::to_string(t.time_since_epoch().count()); }

// An integer reply of the admin connection (EXPIRETIME, EXISTS).
long long integer(cookieseal::redis::Connection& c, const Args& args) {
  auto r = c.command(args, Expect::integer);
  REQUIRE(r);
  return (*r)->integer;
}

// A Redis ACL file (aclfile) in its own temp dir, removed with the object.
class AclFile {
 public:
  AclFile() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cookieseal-acl-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
  }
  ~AclFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  AclFile(const AclFile&) = delete;
  AclFile& operator=(const AclFile&) = delete;
  [[nodiscard]] std::string path() const { return dir_ + "/users.acl"; }
  void write(const std::string& text) const {
    std::ofstream out(path());
    out << text;
    REQUIRE(out.good());
  }

 private:
  std::string dir_;
};

}  // namespace

// --- the policy, with the in-memory list ---------------------------------------------------

// forget_at is the last second a cookie of the session can open (policy: expired once now >
// created_at + max lifetime + leeway), so the entry must hold through that second.
TEST_CASE("a revoked id is refused through its forget_at second; other ids pass") {
  auto list = cookieseal::make_memory_revocation();
  const SessionId a = SessionId::generate(), b = SessionId::generate();
  const sys_seconds forget = now() + week;
  REQUIRE(list->revoke(a, forget));
  CHECK(list->check(a, "", t0, now()) == RevocationVerdict::revoked);
  CHECK(list->check(b, "", t0, now()) == RevocationVerdict::valid);
  CHECK(list->check(a, "", t0, forget - 1s) == RevocationVerdict::revoked);
  CHECK(list->check(a, "", t0, forget) == RevocationVerdict::revoked);     // its cookie still opens then
  CHECK(list->check(a, "", t0, forget + 1s) == RevocationVerdict::valid);  // no cookie opens past forget_at
}

TEST_CASE("user and global cut-offs hold through their forget_at second, then are forgotten") {
  auto list = cookieseal::make_memory_revocation();
  const sys_seconds forget = now() + week;
  REQUIRE(list->revoke_user("ada", t0, forget));
  CHECK(list->check(SessionId::generate(), "ada", t0 - 1s, forget) == RevocationVerdict::revoked);
  CHECK(list->check(SessionId::generate(), "ada", t0 - 1s, forget + 1s) == RevocationVerdict::valid);
  REQUIRE(list->revoke_all(t0, forget));
  CHECK(list->check(SessionId::generate(), "", t0 - 1s, forget) == RevocationVerdict::revoked);
  CHECK(list->check(SessionId::generate(), "", t0 - 1s, forget + 1s) == RevocationVerdict::valid);
  CHECK(list->stats(forget).all_not_before == t0);
  CHECK(list->stats(forget).revoked_users == 1);
  CHECK_FALSE(list->stats(forget + 1s).all_not_before);
  CHECK(list->stats(forget + 1s).revoked_users == 0);
}

TEST_CASE("revoke_user refuses that user's sessions created before the cut-off only") {
  auto list = cookieseal::make_memory_revocation();
  const SessionId id = SessionId::generate();
  REQUIRE(list->revoke_user("ada", t0, now() + week));
  CHECK(list->check(id, "ada", t0 - 1s, now()) == RevocationVerdict::revoked);
  CHECK(list->check(id, "ada", t0, now()) == RevocationVerdict::valid);  // logged in again after
  CHECK(list->check(id, "bob", t0 - 1s, now()) == RevocationVerdict::valid);
  CHECK(list->check(id, "", t0 - 1s, now()) == RevocationVerdict::valid);
  REQUIRE(list->revoke_user("ada", t0 + 100s, now() + week));  // a later cut-off wins
  CHECK(list->check(id, "ada", t0 + 50s, now()) == RevocationVerdict::revoked);
  REQUIRE(list->revoke_user("ada", t0 - 100s, now() + week));  // an earlier one changes nothing
  CHECK(list->check(id, "ada", t0 + 50s, now()) == RevocationVerdict::revoked);
}

TEST_CASE("revoke_all refuses every session created before the cut-off") {
  auto list = cookieseal::make_memory_revocation();
  REQUIRE(list->revoke_all(t0, now() + week));
  CHECK(list->check(SessionId::generate(), "", t0 - 1s, now()) == RevocationVerdict::revoked);
  CHECK(list->check(SessionId::generate(), "bob", t0 - 1s, now()) == RevocationVerdict::revoked);
  CHECK(list->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::valid);
  CHECK(list->stats(now()).all_not_before == t0);
}

TEST_CASE("revoke_user refuses an empty or over-long user name") {
  auto list = cookieseal::make_memory_revocation();
  auto empty = list->revoke_user("", t0, now() + week);
  REQUIRE_FALSE(empty);
  CHECK(empty.error() == Error::malformed);
  auto long_name = list->revoke_user(std::string(cookieseal::max_user_bytes + 1, 'u'), t0, now() + week);
  REQUIRE_FALSE(long_name);
  CHECK(long_name.error() == Error::too_large);
  CHECK(list->revoke_user(std::string(cookieseal::max_user_bytes, 'u'), t0, now() + week));
}

TEST_CASE("the in-memory list is never stale and counts what it holds") {
  auto list = cookieseal::make_memory_revocation();
  REQUIRE(list->revoke(SessionId::generate(), now() + week));
  REQUIRE(list->revoke(SessionId::generate(), now() - 1s));  // already forgotten: not kept
  REQUIRE(list->revoke_user("ada", t0, now() + week));
  const auto s = list->stats(now());
  CHECK(s.revoked_ids == 1);
  CHECK(s.revoked_users == 1);
  CHECK_FALSE(s.staleness);
  CHECK(s.connected);
  CHECK(s.replica_bytes > 0);
  CHECK(list->check(SessionId::generate(), "", t0, now() + 1000 * week) == RevocationVerdict::valid);
}

TEST_CASE("the id table holds at most 64 bytes per id and drops expired ids as it grows") {
  cookieseal::detail::IdTable table;
  std::vector<SessionId> ids(100'000);
  for (auto& id : ids) id = SessionId::generate();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    table.insert(ids[i], 2'000'000'000, 1'000'000'000);
    CHECK(table.bytes() <= std::max<std::size_t>(64 * (i + 1), 16 * 20 + 8));  // the smallest table
  }
  for (const auto& id : ids) CHECK(table.contains(id, 1'000'000'000));
  CHECK_FALSE(table.contains(SessionId::generate(), 1'000'000'000));
  // At a time when all of them have expired, new inserts reuse the room instead of growing.
  const std::size_t bytes = table.bytes();
  for (int i = 0; i < 200'000; ++i) table.insert(SessionId::generate(), 2'100'000'000, 2'000'000'001);
  CHECK(table.bytes() <= bytes * 2);
  CHECK(table.live(2'000'000'001) == 200'000);
  CHECK_FALSE(table.contains(ids[0], 2'000'000'001));
}

TEST_CASE("a prefetch changes no answer: of the id checked, of another id, or across a rebuild") {
  cookieseal::detail::IdTable table;
  const SessionId never = SessionId::generate();
  table.prefetch(never);  // before the table has a filter
  CHECK_FALSE(table.contains(never, 1'000'000'000));
  std::vector<SessionId> ids(5'000);
  for (auto& id : ids) id = SessionId::generate();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const SessionId& next = ids[(i + 1) % ids.size()];
    table.prefetch(next);  // the hash kept is next's; inserting i (and a rebuild) comes between
    table.insert(ids[i], 2'000'000'000, 1'000'000'000);
    CHECK(table.contains(next, 1'000'000'000) == (i + 1 == ids.size()));  // only ids[0] is in
  }
  std::size_t refused = 0;
  for (const auto& id : ids) {
    table.prefetch(id);
    refused += table.contains(id, 1'000'000'000) ? 1 : 0;
    table.prefetch(never);  // another id's hash kept: id is hashed again
    refused += table.contains(id, 1'000'000'000) ? 1 : 0;
  }
  CHECK(refused == 2 * ids.size());
  table.prefetch(never);
  CHECK_FALSE(table.contains(never, 1'000'000'000));
}

TEST_CASE("a purge drops expired users, cut-offs and ids; purge_sometimes purges as writes come") {
  cookieseal::detail::Replica r;
  const std::int64_t t = 1'000'000'000;
  for (int i = 0; i < 100; ++i) {
    r.add_user("user-" + std::to_string(i), {t, t + 10}, t);
    r.add_id(SessionId::generate(), t + 10, t);
  }
  r.add_all({t, t + 10}, t);
  REQUIRE(r.size() == 200);
  r.purge(t + 10);  // their last second: all still held
  CHECK(r.size() == 200);
  CHECK(r.revoked(SessionId::generate(), "user-7", t - 1, t + 10));
  r.purge(t + 11);
  CHECK(r.size() == 0);
  CHECK_FALSE(r.revoked(SessionId::generate(), "", t - 1, t + 11));
  // Writes alone, without an explicit purge: 100 users that expire, then writes that add
  // nothing (a global cut-off again and again) at a later time. The users go.
  for (int i = 0; i < 100; ++i) {
    r.add_user("user-" + std::to_string(i), {t, t + 10}, t);
    r.purge_sometimes(t);
  }
  REQUIRE(r.size() == 100);
  for (int i = 0; i < 100; ++i) {
    r.add_all({t + 20, t + 1000}, t + 11);
    r.purge_sometimes(t + 11);
  }
  CHECK(r.size() == 0);
}

TEST_CASE("the in-memory list drops expired user entries as it is written to") {
  auto list = cookieseal::make_memory_revocation();
  const sys_seconds last = now() + 1s;  // the entries' last second: they are all added before it
  for (int i = 0; i < 200; ++i)
    REQUIRE(list->revoke_user(std::string(200, 'u') + std::to_string(i), t0, last));
  const std::size_t held = list->stats(last).replica_bytes;
  CHECK(list->stats(last).revoked_users == 200);
  std::this_thread::sleep_until(last + 1s + 20ms);                            // now past it
  for (int i = 0; i < 300; ++i) REQUIRE(list->revoke_all(t0, now() + week));  // adds no entry
  const auto after = list->stats(now());
  CHECK(after.revoked_users == 0);
  CHECK(after.replica_bytes + 200 * 200 < held);  // the 200 names are gone, not just uncounted
}

TEST_CASE("entries and messages of random bytes are applied only when well-formed") {
  cookieseal::detail::Snapshot s;
  std::uint32_t state = 7;
  auto next = [&] { return state = state * 1103515245U + 12345U; };
  constexpr std::string_view alphabet = "iua:0123456789abcdef- \xff";
  std::size_t applied = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::string m;
    const std::size_t n = next() % 40;
    for (std::size_t j = 0; j < n; ++j) m += alphabet[(next() >> 8) % alphabet.size()];
    if (cookieseal::detail::apply_entry(s, m, 2'000'000'000, 1'000'000'000)) ++applied;
    (void)cookieseal::detail::parse_message(m);
  }
  CHECK(applied > 0);  // some "u:<digits>:<user>" and "a:<digits>" forms come up
  CHECK(cookieseal::detail::apply_entry(s, "i:" + SessionId::generate().hex(), 2'000'000'000, 1'000'000'000));
  CHECK_FALSE(cookieseal::detail::apply_entry(s, "i:" + std::string(32, 'g'), 2'000'000'000, 1'000'000'000));
  CHECK_FALSE(
      cookieseal::detail::apply_entry(s, "u:1:" + std::string(300, 'u'), 2'000'000'000, 1'000'000'000));
  const auto msg = cookieseal::detail::parse_message("1700000000 i:00");
  REQUIRE(msg);
  CHECK(msg->forget_at == 1'700'000'000);
  CHECK(msg->member == "i:00");
  CHECK_FALSE(cookieseal::detail::parse_message("170000000000000000000000 i:00"));
}

TEST_CASE("make_revocation builds the list COOKIESEAL_REVOCATION names and refuses anything else") {
  CHECK(cookieseal::make_revocation("memory", RedisSettings{}) != nullptr);
  CHECK_THROWS_WITH_AS((void)cookieseal::make_revocation("sql://db", RedisSettings{}),
                       doctest::Contains("COOKIESEAL_REVOCATION"), ConfigError);
  CHECK_THROWS_WITH_AS((void)cookieseal::make_revocation("redis://u:pw@h", RedisSettings{}),
                       doctest::Contains("PASSWORD_FILE"), ConfigError);
}

TEST_CASE("COOKIESEAL_REVOCATION_MAX_STALE sets max_stale; 0 or off disables it; junk is refused") {
  {
    const test_support::ScopedEnv v("COOKIESEAL_REVOCATION_MAX_STALE", std::nullopt);
    CHECK(RevocationOptions::from_env().max_stale == std::chrono::seconds(300));
  }
  {
    const test_support::ScopedEnv v("COOKIESEAL_REVOCATION_MAX_STALE", "90s");
    CHECK(RevocationOptions::from_env().max_stale == std::chrono::seconds(90));
  }
  {
    const test_support::ScopedEnv v("COOKIESEAL_REVOCATION_MAX_STALE", "off");
    CHECK_FALSE(RevocationOptions::from_env().max_stale);
  }
  {
    const test_support::ScopedEnv v("COOKIESEAL_REVOCATION_MAX_STALE", "soon");
    CHECK_THROWS_WITH_AS((void)RevocationOptions::from_env(),
                         doctest::Contains("COOKIESEAL_REVOCATION_MAX_STALE"), ConfigError);
  }
}

// --- the Redis list --------------------------------------------------------------------------

TEST_CASE("a revocation on one server is refused on another within 1 s (1,000 revocations)") {
  RedisServer server;
  auto a = cookieseal::make_redis_revocation(server.settings(), fast_options());
  auto b = cookieseal::make_redis_revocation(server.settings(), fast_options());
  REQUIRE(b->stats(now()).synced);
  std::vector<double> ms;
  for (int i = 0; i < 1000; ++i) {
    const SessionId id = SessionId::generate();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(a->revoke(id, now() + week));
    while (b->check(id, "", t0, now()) != RevocationVerdict::revoked &&
           std::chrono::steady_clock::now() - start < 2s) {
      std::this_thread::sleep_for(20us);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("propagation over 1000 revocations: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", ms[500], ms[990],
              ms.back());
  CHECK(ms.back() < 1000.0);
  CHECK(b->stats(now()).revoked_ids == 1000);
}

TEST_CASE("user and global revocations reach the other servers") {
  RedisServer server({true, {}});  // over a unix socket
  auto a = cookieseal::make_redis_revocation(server.settings(), fast_options());
  auto b = cookieseal::make_redis_revocation(server.settings(), fast_options());
  REQUIRE(a->revoke_user("ada", t0, now() + week));
  CHECK(eventually(
      [&] { return b->check(SessionId::generate(), "ada", t0 - 1s, now()) == RevocationVerdict::revoked; }));
  CHECK(b->check(SessionId::generate(), "ada", t0, now()) == RevocationVerdict::valid);
  REQUIRE(a->revoke_all(t0 + 10s, now() + week));
  CHECK(eventually(
      [&] { return b->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::revoked; }));
  // A third server starting now reads both from the sorted set.
  auto c = cookieseal::make_redis_revocation(server.settings(), fast_options());
  CHECK(c->check(SessionId::generate(), "ada", t0 - 1s, now()) == RevocationVerdict::revoked);
  CHECK(c->stats(now()).all_not_before == t0 + 10s);
}

TEST_CASE(
    "a list that cannot reach Redis at start-up answers stale, refuses revocations, and syncs once Redis is "
    "up") {
  RedisServer server;
  server.stop();
  RevocationOptions o;
  o.initial_sync_wait = 200ms;
  o.max_stale = std::nullopt;  // even without a max age: a list that never synced knows nothing
  auto list = cookieseal::make_redis_revocation(server.settings(), o);
  CHECK(list->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::stale);
  const auto down = list->stats(now());
  CHECK_FALSE(down.synced);
  CHECK_FALSE(down.connected);
  CHECK_FALSE(down.staleness);
  auto r = list->revoke(SessionId::generate(), now() + week);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error::unavailable);
  server.start();
  CHECK(eventually([&] { return list->stats(now()).synced; }));
  CHECK(list->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::valid);
  CHECK(list->stats(now()).connected);
}

TEST_CASE("revocations made by others while Redis restarted are in the replica after the reconnect") {
  // `a` follows as its own ACL user, which is off after the restart until `b`'s revocations are
  // made: `a` is surely disconnected while they are published, so only the full sync at its
  // reconnect can bring them (not pub/sub).
  const AclFile acl;
  acl.write("user default on nopass ~* &* +@all\nuser follower on >follower-pw ~* &* +@all\n");
  RedisServer server({false, {"aclfile " + acl.path()}});
  RedisSettings as_a = server.settings();
  as_a.endpoint.user = "follower";
  as_a.password = "follower-pw";
  auto a = cookieseal::make_redis_revocation(as_a, fast_options());
  auto b = cookieseal::make_redis_revocation(server.settings(), fast_options());
  REQUIRE(a->stats(now()).synced);
  const SessionId before = SessionId::generate();
  REQUIRE(b->revoke(before, now() + week));
  REQUIRE(eventually([&] { return a->check(before, "", t0, now()) == RevocationVerdict::revoked; }));
  server.stop();
  auto refused = b->revoke(SessionId::generate(), now() + week);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Error::unavailable);  // never a silent drop
  CHECK(eventually([&] { return !a->stats(now()).connected; }));
  // While down, `a` keeps answering from its last replica.
  CHECK(a->check(before, "", t0, now()) == RevocationVerdict::revoked);
  CHECK(a->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::valid);
  acl.write("user default on nopass ~* &* +@all\nuser follower off >follower-pw ~* &* +@all\n");
  server.start();  // empty: the test server keeps nothing
  const auto resyncs = a->stats(now()).resyncs;
  REQUIRE_FALSE(a->stats(now()).connected);
  std::vector<SessionId> meanwhile(50);
  for (auto& id : meanwhile) {
    id = SessionId::generate();
    // b's pool may still be backing off: retry until Redis takes it.
    REQUIRE(eventually([&] { return static_cast<bool>(b->revoke(id, now() + week)); }));
  }
  REQUIRE_FALSE(a->stats(now()).connected);  // still: no message reached `a`
  for (const auto& id : meanwhile) CHECK(a->check(id, "", t0, now()) == RevocationVerdict::valid);
  admin_command(server, Args{"ACL", "SETUSER", "follower", "on"});
  for (const auto& id : meanwhile) {
    CHECK(eventually([&] { return a->check(id, "", t0, now()) == RevocationVerdict::revoked; }));
  }
  CHECK(a->stats(now()).connected);
  CHECK(a->stats(now()).resyncs > resyncs);
  CHECK(a->check(before, "", t0, now()) == RevocationVerdict::revoked);  // a sync adds, never removes
}

TEST_CASE("a server that stops answering times revocations out and the follower notices within seconds") {
  RedisServer server;
  RedisSettings s = server.settings();
  s.command_timeout = 300ms;
  auto list = cookieseal::make_redis_revocation(s, fast_options());
  REQUIRE(list->stats(now()).connected);
  server.freeze();  // connections stay open, nothing answers: a partition
  const auto start = std::chrono::steady_clock::now();
  auto r = list->revoke(SessionId::generate(), now() + week);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error::unavailable);
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // the command timeout, not a hang
  // Three unanswered pings, one a second: the follower drops the connection.
  CHECK(eventually([&] { return !list->stats(now()).connected; }, 10s));
  server.thaw();
  CHECK(eventually([&] { return list->stats(now()).connected; }, 10s));
  CHECK(list->revoke(SessionId::generate(), now() + week));
}

TEST_CASE("killing the subscriber connections while revocations are made loses none") {
  RedisServer server;
  auto a = cookieseal::make_redis_revocation(server.settings(), fast_options());
  auto b = cookieseal::make_redis_revocation(server.settings(), fast_options());
  const auto resyncs = a->stats(now()).resyncs;
  std::vector<SessionId> ids(400);
  for (auto& id : ids) id = SessionId::generate();
  std::atomic<bool> done{false};
  std::thread killer([&] {
    auto c = admin(server);
    const Args kill{"CLIENT", "KILL", "TYPE", "pubsub"};
    while (!done) {
      (void)c->command(kill);
      std::this_thread::sleep_for(15ms);
    }
  });
  for (const auto& id : ids) {
    REQUIRE(b->revoke(id, now() + week));
    std::this_thread::sleep_for(1ms);
  }
  done = true;
  killer.join();
  for (const auto& id : ids) {
    CHECK(eventually([&] { return a->check(id, "", t0, now()) == RevocationVerdict::revoked; }));
  }
  CHECK(a->stats(now()).resyncs > resyncs);  // it did reconnect and resync
}

TEST_CASE("past max_stale the list answers stale; staleness is the time since it was known complete") {
  RedisServer server;
  RevocationOptions o = fast_options();
  o.max_stale = 60s;
  auto list = cookieseal::make_redis_revocation(server.settings(), o);
  REQUIRE(list->stats(now()).synced);
  CHECK(list->stats(now()).staleness <= std::chrono::seconds(2));
  CHECK(list->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::valid);
  // Judged 10 minutes from now (no sleeping): the last sync is older than max_stale.
  CHECK(list->check(SessionId::generate(), "", t0, now() + 10min) == RevocationVerdict::stale);
  CHECK(list->stats(now() + 10min).staleness >= std::chrono::seconds(598));
  const SessionId id = SessionId::generate();
  REQUIRE(list->revoke(id, now() + week));
  CHECK(list->check(id, "", t0, now() + 10min) == RevocationVerdict::revoked);  // revoked wins over stale
  o.max_stale = std::nullopt;
  auto lax = cookieseal::make_redis_revocation(server.settings(), o);
  CHECK(lax->check(SessionId::generate(), "", t0, now() + 10min) == RevocationVerdict::valid);
}

TEST_CASE("garbage in the sorted set and on the channel is ignored and counted") {
  RedisServer server;
  const std::string key = "{test:revocation}:entries";
  const std::string good = SessionId::generate().hex();
  const std::string huge(200'000, 'i');
  const std::string week_later = std::to_string((now() + week).time_since_epoch().count());
  admin_command(
      server, Args{"ZADD",     key,         week_later, "x",         week_later, "i:zz",
                   week_later, "u:abc:bob", week_later, "a:",        week_later, "q:1",
                   week_later, huge,        "+inf",     "i:" + good, week_later, "i:" + good.substr(1) + "g",
                   week_later, "u:12:"});
  {
    auto c = admin(server);  // many entries at once: a pipeline of 20,000 junk members
    for (int i = 0; i < 20'000; ++i)
      REQUIRE(c->append(Args{"ZADD", key, week_later, "junk" + std::to_string(i)}));
    for (int i = 0; i < 20'000; ++i) REQUIRE(c->read_reply());
  }
  auto list = cookieseal::make_redis_revocation(server.settings(), fast_options());
  REQUIRE(list->stats(now()).synced);
  CHECK(list->stats(now()).bad_entries == 20'009);  // the 9 above and the 20,000
  CHECK(list->stats(now()).revoked_ids == 0);
  const auto before = list->stats(now()).bad_entries;
  admin_command(server, Args{"PUBLISH", "test:revocation:events", "not a message"});
  admin_command(server, Args{"PUBLISH", "test:revocation:events", "123"});
  admin_command(server, Args{"PUBLISH", "test:revocation:events", std::string(5 << 20, '9')});  // > 4 MiB cap
  CHECK(eventually([&] { return list->stats(now()).bad_entries == before + 3; }));
  // The key holding another type: revocations fail, syncs count it and keep the replica.
  const SessionId kept = SessionId::generate();
  REQUIRE(list->revoke(kept, now() + week));
  admin_command(server, Args{"DEL", key});
  admin_command(server, Args{"SET", key, "not a sorted set"});
  auto r = list->revoke(SessionId::generate(), now() + week);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error::unavailable);
  auto other = cookieseal::make_redis_revocation(server.settings(), fast_options());
  CHECK(eventually([&] { return other->stats(now()).bad_entries > 0; }));
  CHECK_FALSE(other->stats(now()).synced);
  CHECK(list->check(kept, "", t0, now()) == RevocationVerdict::revoked);
}

TEST_CASE(
    "a full sync removes expired entries from Redis, gives a key without expiry one after its latest entry, "
    "and lists of two prefixes stay apart") {
  RedisServer server;
  const std::string key = "{test:revocation}:entries";
  const std::string old = "i:" + SessionId::generate().hex();
  const sys_seconds latest = now() + 1h;
  admin_command(server,
                Args{"ZADD", key, epoch(now() - 10s), old, epoch(latest), "u:1:ada", epoch(now() + 10s),
                     "i:" + SessionId::generate().hex()});  // written by hand: no expiry
  auto c = admin(server);
  REQUIRE(integer(*c, Args{"EXPIRETIME", key}) == -1);
  auto list = cookieseal::make_redis_revocation(server.settings("test:"), fast_options());
  REQUIRE(list->stats(now()).synced);
  CHECK_FALSE(c->command(Args{"ZSCORE", key, old}, Expect::string));  // nil: removed
  CHECK(integer(*c, Args{"EXPIRETIME", key}) == latest.time_since_epoch().count() + 1);
  auto shop = cookieseal::make_redis_revocation(server.settings("shop:"), fast_options());
  const SessionId id = SessionId::generate();
  REQUIRE(list->revoke(id, now() + week));
  std::this_thread::sleep_for(200ms);
  CHECK(shop->check(id, "", t0, now()) == RevocationVerdict::valid);
  CHECK(shop->stats(now()).revoked_ids == 0);
}

TEST_CASE(
    "each write trims expired entries and gives the key an expiry after its latest entry (CLI-like writer)") {
  RedisServer server;
  RevocationOptions o;
  o.follow = false;  // writes only, as `cookieseal revoke` does: nobody here ever syncs
  auto writer = cookieseal::make_redis_revocation(server.settings(), o);
  const std::string key = "{test:revocation}:entries";
  const std::string old = "i:" + SessionId::generate().hex();
  auto c = admin(server);
  admin_command(server, Args{"ZADD", key, epoch(now() - 10s), old});
  REQUIRE(integer(*c, Args{"EXPIRETIME", key}) == -1);
  const sys_seconds far = now() + week;
  REQUIRE(writer->revoke(SessionId::generate(), far));
  CHECK_FALSE(c->command(Args{"ZSCORE", key, old}, Expect::string));  // nil: trimmed by the write
  CHECK(integer(*c, Args{"ZCARD", key}) == 1);
  CHECK(integer(*c, Args{"EXPIRETIME", key}) == far.time_since_epoch().count() + 1);
  REQUIRE(writer->revoke(SessionId::generate(), far - 1h));  // an earlier one never shortens it
  CHECK(integer(*c, Args{"EXPIRETIME", key}) == far.time_since_epoch().count() + 1);
  REQUIRE(writer->revoke_user("ada", t0, far + 1h));  // a later one moves it
  CHECK(integer(*c, Args{"EXPIRETIME", key}) == (far + 1h).time_since_epoch().count() + 1);
  // A key whose last entry has expired is gone by itself.
  auto brief = cookieseal::make_redis_revocation(server.settings("brief:"), o);
  const std::string brief_key = "{brief:revocation}:entries";
  const sys_seconds last = now() + 1s;  // the entry's last second
  REQUIRE(brief->revoke(SessionId::generate(), last));
  REQUIRE(brief->revoke_all(t0, last));
  CHECK(integer(*c, Args{"ZCARD", brief_key}) == 2);
  CHECK(integer(*c, Args{"EXPIRETIME", brief_key}) == last.time_since_epoch().count() + 1);
  CHECK(eventually([&] { return integer(*c, Args{"EXISTS", brief_key}) == 0; }, 5s));
  CHECK(now() > last);  // not before its last second was over
  CHECK(integer(*c, Args{"EXISTS", key}) == 1);
}

TEST_CASE("the backend works as the minimal ACL user of docs/SECURITY.md, which can do nothing else") {
  RedisServer server({false,
                      {"user cookieseal on >acl-test-password resetkeys ~{cookieseal:revocation}:entries "
                       "resetchannels &cookieseal:revocation:events -@all +zadd +zscan +zremrangebyscore "
                       "+expireat +publish +subscribe +ping +select"}});
  RedisSettings s = server.settings("cookieseal:");
  s.endpoint.user = "cookieseal";
  s.password = "acl-test-password";
  auto a = cookieseal::make_redis_revocation(s, fast_options());
  auto b = cookieseal::make_redis_revocation(s, fast_options());
  REQUIRE(a->stats(now()).synced);
  const SessionId id = SessionId::generate();
  REQUIRE(a->revoke(id, now() + week));
  CHECK(eventually([&] { return b->check(id, "", t0, now()) == RevocationVerdict::revoked; }));
  REQUIRE(a->revoke_user("ada", t0, now() + week));
  REQUIRE(a->revoke_all(t0, now() + week));
  CHECK(a->stats(now()).bad_entries == 0);
  // The user can also come from the URL (COOKIESEAL_REVOCATION=redis://cookieseal@host:port/0).
  RedisSettings from_url = server.settings("cookieseal:");
  from_url.password = "acl-test-password";
  auto c_list =
      cookieseal::make_revocation("redis://cookieseal@" + server.url().substr(8), from_url, fast_options());
  CHECK(c_list->stats(now()).synced);
  CHECK(c_list->check(id, "", t0, now()) == RevocationVerdict::revoked);
  auto c = cookieseal::redis::Connection::open(s);
  REQUIRE(c);
  for (const Args& denied : {Args{"DEL", "{cookieseal:revocation}:entries"}, Args{"GET", "other"},
                             Args{"FLUSHALL"}, Args{"ZADD", "other", "1", "m"}}) {
    auto r = (*c)->command(denied);
    REQUIRE_FALSE(r);
    CHECK((*c)->last_error().starts_with("NOPERM"));
  }
  s.prefix = "other:";  // a prefix outside the ACL's keys: the store refuses
  auto outside = cookieseal::make_redis_revocation(s, [] {
    RevocationOptions o;
    o.initial_sync_wait = 300ms;
    return o;
  }());
  CHECK_FALSE(outside->revoke(SessionId::generate(), now() + week));
  CHECK_FALSE(outside->stats(now()).synced);
}

TEST_CASE("a write-only list (follow = false) records revocations and answers stale") {
  RedisServer server;
  RevocationOptions o;
  o.follow = false;
  auto writer = cookieseal::make_redis_revocation(server.settings(), o);
  auto reader = cookieseal::make_redis_revocation(server.settings(), fast_options());
  const SessionId id = SessionId::generate();
  REQUIRE(writer->revoke(id, now() + week));
  CHECK(eventually([&] { return reader->check(id, "", t0, now()) == RevocationVerdict::revoked; }));
  CHECK(writer->check(SessionId::generate(), "", t0, now()) == RevocationVerdict::stale);
}
