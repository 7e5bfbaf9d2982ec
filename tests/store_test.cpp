// Tests for include/cookieseal/session_store.hpp: the store contract, the in-process store
// (versions, ttl, limits, per-user index, threads) and the Redis store against a real
// redis-server (key names, ttls, bad values, stop and restart, the backend end to end)
#include <cookieseal/session_store.hpp>

#include <doctest/doctest.h>

#if defined(COOKIESEAL_TEST_REDIS)
#include <cookieseal/sealer.hpp>
#include <cookieseal/session.hpp>

#include "redis/connection.hpp"
#include "redis_server.hpp"  // tests/support
#include "session/payload.hpp"
#include "store/store_backend.hpp"

#include <hiredis/hiredis.h>  // redisReply fields
#endif

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using cookieseal::Error;
using cookieseal::MemoryStoreOptions;
using cookieseal::SessionStore;
using namespace std::chrono_literals;

namespace {

using TimePoint = std::chrono::system_clock::time_point;

struct Fixture {
  std::shared_ptr<TimePoint> now = std::make_shared<TimePoint>(std::chrono::sys_seconds(1767225600s));
  std::shared_ptr<SessionStore> store;

  explicit Fixture(MemoryStoreOptions options = {}) {
    auto p = now;
    options.clock = [p] { return *p; };
    store = cookieseal::make_memory_store(std::move(options));
  }
  void advance(std::chrono::milliseconds d) const { *now += d; }
};

// What every SessionStore must do, without moving time: run for each store below.
void check_contract(SessionStore& store) {
  const auto v1 = store.save("s:c", "one", 60s, std::nullopt);
  REQUIRE(v1);
  CHECK(*v1 != 0);
  const auto loaded = store.load("s:c");
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK(((*loaded)->record == "one" && (*loaded)->version == *v1));
  const auto v2 = store.save("s:c", "two", 60s, *v1);
  REQUIRE(v2);
  CHECK(*v2 != *v1);
  const auto lost = store.save("s:c", "three", 60s, *v1);
  REQUIRE_FALSE(lost);
  CHECK(lost.error() == Error::conflict);
  CHECK((*store.load("s:c"))->record == "two");
  CHECK_FALSE(store.save("s:c", "four", 60s, 0));  // 0: only where there is none
  CHECK(store.save("s:fresh", "new", 60s, 0));
  CHECK(*store.touch("s:c", 60s));
  CHECK_FALSE(*store.touch("s:none", 60s));
  CHECK(store.remove("s:c"));
  CHECK_FALSE(store.load("s:c")->has_value());
  CHECK(store.remove("s:c"));
  const TimePoint later = std::chrono::system_clock::now() + 60s;
  REQUIRE(store.index_add("u:c", "m1", later));
  REQUIRE(store.index_add("u:c", "m2", later + 1s));
  const auto listed = store.index_list("u:c", std::chrono::system_clock::now(), 10);
  REQUIRE(listed);
  CHECK(listed->size() == 2);
  CHECK(store.index_list("u:c", std::chrono::system_clock::now(), 1)->size() == 1);
  CHECK(store.index_list("u:c", later, 10)->size() == 1);  // m1 ends at `later`
  REQUIRE(store.index_remove("u:c", "m2"));
  CHECK(store.index_list("u:c", later, 10)->empty());
  CHECK(store.index_remove("u:none", "m1"));
  // The record and its index entry in one call: both written; a lost check is still conflict.
  const cookieseal::IndexUpdate entry{"u:d", "md", later};
  const auto w1 = store.save_indexed("s:d", "rec", 60s, std::nullopt, entry);
  REQUIRE(w1);
  CHECK((*store.load("s:d"))->record == "rec");
  REQUIRE(store.index_list("u:d", std::chrono::system_clock::now(), 10)->size() == 1);
  CHECK(store.index_list("u:d", std::chrono::system_clock::now(), 10)->front().member == "md");
  const auto stale = store.save_indexed("s:d", "rec2", 60s, *w1 + 1, entry);
  REQUIRE_FALSE(stale);
  CHECK(stale.error() == Error::conflict);
  CHECK((*store.load("s:d"))->record == "rec");
  CHECK(store.save_indexed("s:d", "rec3", 60s, *w1, entry));
}

}  // namespace

TEST_CASE("the memory store keeps the SessionStore contract") {
  const auto store = cookieseal::make_memory_store();
  check_contract(*store);
}

TEST_CASE("a key never written loads as no record") {
  const Fixture f;
  auto loaded = f.store->load("s:none");
  REQUIRE(loaded);
  CHECK_FALSE(loaded->has_value());
}

TEST_CASE("a saved record loads back with the version its save returned") {
  const Fixture f;
  auto saved = f.store->save("s:a", "record-bytes", 60s, std::nullopt);
  REQUIRE(saved);
  CHECK(*saved != 0);
  auto loaded = f.store->load("s:a");
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->record == "record-bytes");
  CHECK((*loaded)->version == *saved);
}

TEST_CASE("every save gives a new version and the last write wins without a version check") {
  const Fixture f;
  const auto v1 = f.store->save("s:a", "one", 60s, std::nullopt);
  const auto v2 = f.store->save("s:a", "two", 60s, std::nullopt);
  REQUIRE(v1);
  REQUIRE(v2);
  CHECK(*v1 != *v2);
  CHECK((*f.store->load("s:a"))->record == "two");
}

TEST_CASE("a save expecting an older version is a conflict and changes nothing") {
  const Fixture f;
  const auto v1 = f.store->save("s:a", "one", 60s, std::nullopt);
  REQUIRE(v1);
  const auto v2 = f.store->save("s:a", "two", 60s, *v1);  // the first request commits
  REQUIRE(v2);
  const auto lost = f.store->save("s:a", "three", 60s, *v1);  // the second read v1 too
  REQUIRE_FALSE(lost);
  CHECK(lost.error() == Error::conflict);
  CHECK((*f.store->load("s:a"))->record == "two");
  CHECK((*f.store->load("s:a"))->version == *v2);
}

TEST_CASE("expected version 0 creates a record only where there is none") {
  const Fixture f;
  REQUIRE(f.store->save("s:a", "one", 60s, 0));
  const auto again = f.store->save("s:a", "two", 60s, 0);
  REQUIRE_FALSE(again);
  CHECK(again.error() == Error::conflict);
}

TEST_CASE("a record is gone once its ttl has passed") {
  const Fixture f;
  REQUIRE(f.store->save("s:a", "one", 10s, std::nullopt));
  f.advance(9999ms);
  CHECK((*f.store->load("s:a")).has_value());
  f.advance(1ms);
  CHECK_FALSE((*f.store->load("s:a")).has_value());
}

TEST_CASE("touch gives a record a new ttl without rewriting it, and says when there is none") {
  const Fixture f;
  const auto v = f.store->save("s:a", "one", 10s, std::nullopt);
  REQUIRE(v);
  f.advance(8s);
  auto touched = f.store->touch("s:a", 10s);
  REQUIRE(touched);
  CHECK(*touched);
  f.advance(8s);  // 16 s after the save: alive thanks to the touch
  auto loaded = f.store->load("s:a");
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->version == *v);
  auto missing = f.store->touch("s:none", 10s);
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}

TEST_CASE("remove deletes a record and removing a missing one succeeds") {
  const Fixture f;
  REQUIRE(f.store->save("s:a", "one", 60s, std::nullopt));
  CHECK(f.store->remove("s:a"));
  CHECK_FALSE((*f.store->load("s:a")).has_value());
  CHECK(f.store->remove("s:a"));
}

TEST_CASE("a record longer than max_record_bytes is too_large") {
  MemoryStoreOptions options;
  options.max_record_bytes = 100;
  const Fixture f(options);
  CHECK(f.store->save("s:a", std::string(100, 'x'), 60s, std::nullopt));
  const auto big = f.store->save("s:b", std::string(101, 'x'), 60s, std::nullopt);
  REQUIRE_FALSE(big);
  CHECK(big.error() == Error::too_large);
}

TEST_CASE("a full store refuses a write as unavailable until expired entries make room") {
  MemoryStoreOptions options;
  options.max_bytes = 1000;
  const Fixture f(options);
  REQUIRE(f.store->save("s:a", std::string(600, 'x'), 10s, std::nullopt));
  const auto full = f.store->save("s:b", std::string(600, 'x'), 60s, std::nullopt);
  REQUIRE_FALSE(full);
  CHECK(full.error() == Error::unavailable);
  CHECK((*f.store->load("s:a")).has_value());  // a live session is never evicted
  f.advance(10s);
  CHECK(f.store->save("s:b", std::string(600, 'x'), 60s, std::nullopt));
}

TEST_CASE("rewriting a record charges only its new size") {
  MemoryStoreOptions options;
  options.max_bytes = 1000;
  const Fixture f(options);
  for (int i = 0; i < 50; ++i) REQUIRE(f.store->save("s:a", std::string(600, 'x'), 60s, std::nullopt));
  REQUIRE(f.store->remove("s:a"));
  CHECK(f.store->save("s:b", std::string(800, 'x'), 60s, std::nullopt));
}

TEST_CASE("an index lists its live members with their expiry and forgets expired ones") {
  const Fixture f;
  const TimePoint t = *f.now;
  REQUIRE(f.store->index_add("u:ada", "m1", t + 10s));
  REQUIRE(f.store->index_add("u:ada", "m2", t + 20s));
  REQUIRE(f.store->index_add("u:bob", "m3", t + 20s));
  auto listed = f.store->index_list("u:ada", t, 100);
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(((*listed)[0].member == "m1" && (*listed)[0].expires_at == t + 10s));
  listed = f.store->index_list("u:ada", t + 10s, 100);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].member == "m2");
}

TEST_CASE("index_add of a present member moves its expiry, and index_remove drops it") {
  const Fixture f;
  const TimePoint t = *f.now;
  REQUIRE(f.store->index_add("u:ada", "m1", t + 10s));
  REQUIRE(f.store->index_add("u:ada", "m1", t + 30s));
  auto listed = f.store->index_list("u:ada", t + 20s, 100);
  REQUIRE(listed->size() == 1);
  REQUIRE(f.store->index_remove("u:ada", "m1"));
  CHECK(f.store->index_list("u:ada", t, 100)->empty());
  CHECK(f.store->index_remove("u:nobody", "m1"));
}

TEST_CASE("index_list returns at most limit members") {
  const Fixture f;
  for (int i = 0; i < 10; ++i) REQUIRE(f.store->index_add("u:ada", "m" + std::to_string(i), *f.now + 60s));
  CHECK(f.store->index_list("u:ada", *f.now, 3)->size() == 3);
}

TEST_CASE("index members count against max_bytes") {
  MemoryStoreOptions options;
  options.max_bytes = 500;
  const Fixture f(options);
  Error last = Error::malformed;
  for (int i = 0; i < 100; ++i) {
    auto added = f.store->index_add("u:ada", "member-" + std::to_string(i), *f.now + 60s);
    if (!added) {
      last = added.error();
      break;
    }
  }
  CHECK(last == Error::unavailable);
}

TEST_CASE("one memory store serves several threads") {
  const auto store = cookieseal::make_memory_store();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "s:" + std::to_string(t) + ":" + std::to_string(i % 50);
        const std::string value = std::to_string(i);
        if (!store->save(key, value, 60s, std::nullopt)) ++failures;
        auto loaded = store->load(key);
        if (!loaded || !loaded->has_value() || (*loaded)->record != value) ++failures;
        if (!store->index_add("u:shared", key, std::chrono::system_clock::now() + 60s)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(store->index_list("u:shared", std::chrono::system_clock::now(), 1000)->size() == 200);
}

#if defined(COOKIESEAL_TEST_REDIS)
// --- the Redis store, against a real redis-server (tests/support/redis_server.hpp) ----------

namespace {

std::unique_ptr<cookieseal::redis::Connection> raw_connection(const cookieseal::test::RedisServer& server) {
  auto c = cookieseal::redis::Connection::open(server.settings());
  REQUIRE(c);
  return std::move(*c);
}

// Retries `f` until it succeeds, for at most 5 s: the pool backs off after a failed connect.
template <class F>
bool eventually(F&& f) {
  for (int i = 0; i < 100; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("the Redis store keeps the SessionStore contract") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  check_contract(*store);
}

TEST_CASE("the Redis store keeps the SessionStore contract over a unix socket") {
  cookieseal::test::RedisServer server({.unix_socket = true, .config_lines = {}});
  const auto store = cookieseal::make_redis_store(server.settings());
  check_contract(*store);
}

TEST_CASE("Redis keys are the prefix and the backend key in a hash tag, with the ttl given") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings("app:"));
  REQUIRE(store->save("s:ab12", "record", 90s, std::nullopt));
  REQUIRE(store->index_add("u:cd34", "ab12", std::chrono::system_clock::now() + 90s));
  auto c = raw_connection(server);
  auto ttl = c->command(cookieseal::redis::Args{"PTTL", "app:{s:ab12}"}, cookieseal::redis::Expect::integer);
  REQUIRE(ttl);
  CHECK(((*ttl)->integer > 85000 && (*ttl)->integer <= 90000));
  auto index_ttl =
      c->command(cookieseal::redis::Args{"PTTL", "app:{u:cd34}"}, cookieseal::redis::Expect::integer);
  REQUIRE(index_ttl);
  CHECK(((*index_ttl)->integer > 85000 && (*index_ttl)->integer <= 90000));  // expires with its member
}

TEST_CASE("a pipelined save and index write whose first command fails leaves the connection in step") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  auto c = raw_connection(server);
  // The record key holds a set: SET ... PX succeeds over it, so break the checked write instead.
  REQUIRE(c->command(cookieseal::redis::Args{"SADD", "test:{s:taken}", "x"}));
  const cookieseal::IndexUpdate entry{"u:p", "mp", std::chrono::system_clock::now() + 60s};
  const auto failed =
      store->save_indexed("s:taken", "rec", 60s, std::uint64_t{7}, entry);  // GET on a set: WRONGTYPE
  REQUIRE_FALSE(failed);
  CHECK(failed.error() == Error::unavailable);
  // Every later call on the pooled connections reads its own reply, not a leftover one.
  for (int i = 0; i < 5; ++i) {
    REQUIRE(store->save("s:ok", "rec" + std::to_string(i), 60s, std::nullopt));
    CHECK((*store->load("s:ok"))->record == "rec" + std::to_string(i));
  }
  CHECK(store->index_list("u:p", std::chrono::system_clock::now(), 10)->size() == 1);
}

TEST_CASE("a Redis value not written by the store is malformed, and a key of another type unavailable") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  auto c = raw_connection(server);
  REQUIRE(c->command(cookieseal::redis::Args{"SET", "test:{s:garbage}", "no version head"}));
  REQUIRE(c->command(cookieseal::redis::Args{"RPUSH", "test:{s:list}", "x"}));
  REQUIRE(c->command(cookieseal::redis::Args{"ZADD", "test:{u:bad}", "1e300", "m"}));
  CHECK(store->load("s:garbage").error() == Error::malformed);
  CHECK(store->load("s:list").error() == Error::unavailable);  // WRONGTYPE: the store refused
  CHECK(store->index_list("u:bad", std::chrono::system_clock::now(), 10).error() == Error::bad_payload);
}

TEST_CASE("a stopped Redis is unavailable for every call, and the store recovers when it is back") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  REQUIRE(store->save("s:a", "record", 60s, std::nullopt));
  server.stop();
  CHECK(store->load("s:a").error() == Error::unavailable);
  CHECK(store->save("s:a", "record", 60s, std::nullopt).error() == Error::unavailable);
  CHECK(store->touch("s:a", 60s).error() == Error::unavailable);
  CHECK(store->remove("s:a").error() == Error::unavailable);
  CHECK(store->index_list("u:a", std::chrono::system_clock::now(), 10).error() == Error::unavailable);
  server.start();  // no persistence: it comes back empty
  CHECK(eventually([&] { return store->save("s:a", "again", 60s, std::nullopt).ok(); }));
  CHECK((*store->load("s:a"))->record == "again");
}

TEST_CASE("sessions in Redis survive a restart mid-run as unavailable, then load again") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  int unavailable = 0;
  int loaded = 0;
  for (int i = 0; i < 200; ++i) {
    if (i == 50) server.restart();
    const std::string key = "s:" + std::to_string(i % 10);
    auto saved = store->save(key, "r" + std::to_string(i), 60s, std::nullopt);
    if (!saved) {
      CHECK(saved.error() == Error::unavailable);
      ++unavailable;
      std::this_thread::sleep_for(20ms);
      continue;
    }
    auto back = store->load(key);
    if (back && back->has_value()) ++loaded;
  }
  MESSAGE("saves refused while it restarted: " << unavailable);
  CHECK(loaded > 100);  // it came back and served again
}

TEST_CASE("sessions through the store backend into Redis: a dump holds no id and no data, logout deletes") {
  cookieseal::test::RedisServer server;
  const auto store = cookieseal::make_redis_store(server.settings());
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  const cookieseal::Sealer sealer{cookieseal::Keyring(std::move(keys))};
  const cookieseal::StoreBackend backend(store, {});
  cookieseal::detail::SessionHead head;
  head.id = cookieseal::SessionId::generate().bytes;
  head.created_at = static_cast<std::uint64_t>(sealer.now().time_since_epoch().count());
  head.issued_at = head.created_at;
  head.user = "ada@example.com";
  cookieseal::Session::Entries entries;
  entries.emplace("cart", std::string("secret-cart-contents"));
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += cookieseal::detail::map_payload_bytes(head, entries);
  auto cookie = backend.save(sealer, "sid", head, buffer, sealer.now() + 600s);
  REQUIRE(cookie);
  cookieseal::Placement placement;
  REQUIRE(backend.open_placed(sealer, "sid", *cookie, placement));
  CHECK(placement.stored);
  // Everything Redis holds: key names and values.
  auto c = raw_connection(server);
  auto names = c->command(cookieseal::redis::Args{"KEYS", "*"}, cookieseal::redis::Expect::array);
  REQUIRE(names);
  REQUIRE((*names)->elements == 2);  // the record and the user index
  std::string dump;
  for (std::size_t i = 0; i < (*names)->elements; ++i) {
    const std::string k((*names)->element[i]->str, (*names)->element[i]->len);
    dump += k;
    auto type = c->command(cookieseal::redis::Args{"TYPE", k}, cookieseal::redis::Expect::status);
    REQUIRE(type);
    const bool is_set = std::string_view((*type)->str, (*type)->len) == "zset";
    auto value =
        is_set ? c->command(cookieseal::redis::Args{"ZRANGE", k, "0", "-1"}, cookieseal::redis::Expect::array)
               : c->command(cookieseal::redis::Args{"GET", k}, cookieseal::redis::Expect::string);
    REQUIRE(value);
    if (is_set) {
      for (std::size_t j = 0; j < (*value)->elements; ++j)
        dump.append((*value)->element[j]->str, (*value)->element[j]->len);
    } else {
      dump.append((*value)->str, (*value)->len);
    }
  }
  CHECK(dump.find(cookieseal::SessionId{head.id}.hex()) == std::string::npos);
  CHECK(dump.find("secret-cart-contents") == std::string::npos);
  CHECK(dump.find("ada@example.com") == std::string::npos);
  auto listed = backend.sessions_of(sealer, "sid", "ada@example.com", &head, 10);
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  REQUIRE(backend.remove(head));
  CHECK(backend.open_placed(sealer, "sid", *cookie, placement).error() == Error::expired);
}
#endif
