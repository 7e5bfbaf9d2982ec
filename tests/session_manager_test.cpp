// Tests for include/cookieseal/session_manager.hpp: load reasons, commit, renewal, lifetime,
// rotation, size limits, typed sessions, revocation, threads
#include <cookieseal/session_manager.hpp>

#include <cookieseal/set_cookie.hpp>

#include "session/payload.hpp"
#include "test_support.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <set>
#include <string>
#include <thread>
#include <vector>

using cookieseal::Commit;
using cookieseal::Config;
using cookieseal::ConfigError;
using cookieseal::Error;
using cookieseal::LoadStatus;
using cookieseal::Session;
using cookieseal::SessionId;
using cookieseal::SessionManager;
using test_support::config_error_of;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view name = "__Host-session";

Config make_config(const ManualClock& clock, std::initializer_list<const char*> keys = {key_a_text}) {
  Config c;
  c.keys = ring(keys);
  c.clock = clock.fn();
  return c;
}

// "__Host-session=VALUE; Path=/; ..." -> "__Host-session=VALUE", what the browser sends back.
std::string cookie_of(const Commit& commit) {
  REQUIRE(commit.set_cookie.has_value());
  return commit.set_cookie->substr(0, commit.set_cookie->find(';'));
}

std::string value_of(const Commit& commit) {
  const std::string c = cookie_of(commit);
  return c.substr(c.find('=') + 1);
}

// A session committed by `m` with one entry, as the Cookie header the browser would send.
std::string issued(const SessionManager& m, std::string_view user = "ada") {
  Session s = m.load("");
  s.set("user", user);
  return cookie_of(m.commit(s));
}

struct Cart {
  static constexpr std::string_view session_schema = "cart";
  static constexpr std::uint32_t session_schema_version = 1;
  std::vector<std::string> items;
  std::int64_t owner = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(items, owner);
  }
};

// Writes raw bytes after cereal's endianness flag: authentic cookies with any payload.
struct RawPayload {
  std::string bytes;
  void save(cookieseal::detail::BufferOutputArchive& ar) const {
    ar.template save_binary<1>(bytes.data(), bytes.size());
  }
};

// Reads whatever payload the cookie holds.
struct AnyPayload {
  std::string bytes;
  void load(cookieseal::detail::BoundedInputArchive& ar) {
    bytes.resize(ar.remaining());
    ar.template load_binary<1>(bytes.data(), bytes.size());
  }
};

std::string from_hex(std::string_view hex) {
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return raw;
}

}  // namespace

TEST_CASE("load without our cookie gives a fresh empty session, reason absent") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  for (std::string_view header :
       {"", "other=1; x=2", "__Host-session=", "__host-session=abc", "session=abc"}) {
    CAPTURE(header);
    const Session s = m.load(header);
    CHECK(s.load_status() == LoadStatus::absent);
    CHECK(s.is_new());
    CHECK_FALSE(s.rejected());
    CHECK(s.empty());
    CHECK(s.created_at() == *clock.now);
    CHECK_FALSE(m.commit(s).set_cookie.has_value());  // an untouched fresh session sets nothing
  }
}

TEST_CASE("a committed session loads back with its id, created_at, entries and key") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  Session s = m.load("");
  s.set("user", "ada");
  s.set("n", 3);
  s.set("admin", false);
  s.set("score", 2.5);
  const Commit out = m.commit(s);
  REQUIRE(out.ok());
  CHECK(out.action == Commit::Action::set);
  CHECK(out.message().empty());
  clock.advance(10s);
  const Session back = m.load("a=1; " + cookie_of(out) + "; b=2");
  CHECK(back.load_status() == LoadStatus::loaded);
  CHECK_FALSE(back.is_new());
  CHECK(back.id() == s.id());
  CHECK(back.created_at() == s.created_at());
  CHECK(back.entries() == s.entries());
  CHECK(back.expires_at() == s.created_at() + 24h);
  CHECK(back.key_id() == test_support::ring({key_a_text}).primary().id());
  CHECK_FALSE(back.modified());
  CHECK_FALSE(back.needs_reseal());
}

TEST_CASE("the Set-Cookie of a commit is set_cookie_header's, with Max-Age = ttl") {
  ManualClock clock;
  Config c = make_config(clock);
  c.lifetimes.ttl = 2h;
  const SessionManager m(std::move(c));
  Session s = m.create();
  s.set("user", "ada");
  const Commit out = m.commit(s);
  REQUIRE(out.set_cookie);
  CHECK(*out.set_cookie == cookieseal::set_cookie_header(name, value_of(out), {}, 2h, *clock.now).value());
  CHECK(out.set_cookie->find("Max-Age=7200;") != std::string::npos);
  CHECK(m.cookie_name() == name);
}

TEST_CASE("every refused cookie gives a fresh session carrying the reason") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string good = issued(m);
  const std::string value = good.substr(good.find('=') + 1);
  auto status_of = [&](const std::string& header) {
    const Session s = m.load(header);
    CHECK(s.is_new());
    CHECK(s.empty());
    CHECK_FALSE(s.modified());
    return s.load_status();
  };
  SUBCASE("malformed") {
    CHECK(status_of("__Host-session=not*base64") == LoadStatus::malformed);
    CHECK(status_of("__Host-session=AAAA") == LoadStatus::malformed);
  }
  SUBCASE("tampered") {
    std::string t = value;
    t[60] = t[60] == 'A' ? 'B' : 'A';
    CHECK(status_of("__Host-session=" + t) == LoadStatus::tampered);
  }
  SUBCASE("unsupported_version") {
    std::string v2 = value;
    v2[0] = 'A';
    v2[1] = 'g';  // version byte 0x02
    CHECK(status_of("__Host-session=" + v2) == LoadStatus::unsupported_version);
  }
  SUBCASE("unknown_key") {
    const SessionManager other(make_config(clock, {key_b_text}));
    CHECK(other.load(good).load_status() == LoadStatus::unknown_key);
  }
  SUBCASE("expired: idle past ttl + leeway") {
    clock.advance(24h + 60s);
    CHECK(m.load(good).load_status() == LoadStatus::loaded);
    clock.advance(1s);
    CHECK(status_of(good) == LoadStatus::expired);
  }
  SUBCASE("too_large") {
    CHECK(status_of("__Host-session=" + std::string(4097, 'A')) == LoadStatus::too_large);
  }
  SUBCASE("bad_payload: an unknown value tag, or a typed session read as a Session") {
    const cookieseal::Codec codec(ring({key_a_text}));
    const std::string head =
        "01"
        "000102030405060708090a0b0c0d0e0f"
        "00b9556900000000";
    auto sealed = [&](const std::string& hex_payload) {
      return "__Host-session=" + *codec.encode(name, RawPayload{from_hex(hex_payload)}, *clock.now + 1h);
    };
    const std::string one = "0100000000000000";  // entry count 1, or key length 1
    const std::string two = "0200000000000000";
    const Session crafted = m.load(sealed(head + one + one +
                                          "61"
                                          "01"
                                          "0100000000000000"));
    CHECK(crafted.load_status() == LoadStatus::loaded);  // the hand-written layout is the real one
    CHECK(crafted.get<int>("a") == 1);
    CHECK(status_of(sealed(head + one + one +
                           "61"
                           "07"
                           "00")) == LoadStatus::bad_payload);  // tag 7
    CHECK(status_of(sealed(head + two + one +
                           "61"
                           "0001" +
                           one +
                           "61"
                           "0001")) == LoadStatus::bad_payload);  // duplicate
    CHECK(status_of(sealed(head + two + one +
                           "62"
                           "0001" +
                           one +
                           "61"
                           "0001")) == LoadStatus::bad_payload);  // unsorted
    CHECK(status_of(sealed(head + one + one +
                           "61"
                           "01"
                           "01")) == LoadStatus::bad_payload);  // truncated
    CHECK(status_of(sealed(head + one +
                           "ffffffffffffff7f"
                           "61")) == LoadStatus::bad_payload);  // forged length
    CHECK(status_of(sealed(head + "0000000000000000"
                                  "ff")) == LoadStatus::bad_payload);  // trailing byte
    CHECK(status_of(sealed("01"
                           "000102030405060708090a0b0c0d0e0f"
                           "ffffffffffffffff"
                           "0000000000000000")) == LoadStatus::bad_payload);  // created_at past year 9999
    auto cart = m.create<Cart>();
    cart.data().owner = 1;
    CHECK(status_of(cookie_of(m.commit(cart))) == LoadStatus::bad_payload);
  }
}

TEST_CASE("an unmodified session opened with the primary key and not due for renewal sets no cookie") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string cookie = issued(m);
  clock.advance(1h);
  Session s = m.load(cookie);
  REQUIRE(s.load_status() == LoadStatus::loaded);
  (void)s.get<std::string>("user");
  const Commit out = m.commit(s);
  CHECK(out.ok());
  CHECK(out.action == Commit::Action::none);
  CHECK_FALSE(out.set_cookie.has_value());

  s.set("user", "ada");  // the value already stored: nothing changes
  CHECK_FALSE(s.modified());
  CHECK_FALSE(m.commit(s).set_cookie.has_value());

  s.set("user", "bob");
  CHECK(s.modified());
  CHECK(m.commit(s).action == Commit::Action::set);
}

TEST_CASE("sliding renewal re-issues once the configured share of the ttl has passed") {
  ManualClock clock;
  Config c = make_config(clock);
  c.lifetimes.ttl = 1h;
  c.lifetimes.renew_share = 0.25;  // re-issue after 15 minutes
  const SessionManager m(std::move(c));
  const std::string cookie = issued(m);
  const auto issued_at = *clock.now;

  clock.advance(15min - 1s);
  CHECK_FALSE(m.commit(m.load(cookie)).set_cookie.has_value());
  clock.advance(1s);
  const Session s = m.load(cookie);
  const Commit renewed = m.commit(s);
  REQUIRE(renewed.action == Commit::Action::set);
  CHECK(renewed.set_cookie->find("Max-Age=3600;") != std::string::npos);

  const Session again = m.load(cookie_of(renewed));
  CHECK(again.expires_at() == issued_at + 15min + 1h);
  CHECK(again.id() == s.id());
  CHECK(again.created_at() == issued_at);  // renewal keeps the creation time
  CHECK(again.get<std::string>("user") == "ada");
}

TEST_CASE("the default renewal share is half the ttl; 0 renews every second, 1 never") {
  ManualClock clock;
  SUBCASE("default 0.5") {
    const SessionManager m(make_config(clock));
    const std::string cookie = issued(m);
    clock.advance(12h - 1s);
    CHECK_FALSE(m.commit(m.load(cookie)).set_cookie);
    clock.advance(1s);
    CHECK(m.commit(m.load(cookie)).set_cookie);
  }
  SUBCASE("0") {
    Config c = make_config(clock);
    c.lifetimes.renew_share = 0;
    const SessionManager m(std::move(c));
    const std::string cookie = issued(m);
    CHECK_FALSE(m.commit(m.load(cookie)).set_cookie);  // same second: the expiry would not move
    clock.advance(1s);
    CHECK(m.commit(m.load(cookie)).set_cookie);
  }
  SUBCASE("1") {
    Config c = make_config(clock);
    c.lifetimes.renew_share = 1;
    const SessionManager m(std::move(c));
    const std::string cookie = issued(m);
    clock.advance(24h - 1s);
    CHECK_FALSE(m.commit(m.load(cookie)).set_cookie);
  }
}

TEST_CASE("the absolute lifetime caps every expiry and then ends the session however active") {
  ManualClock clock;
  Config c = make_config(clock);
  c.lifetimes.ttl = 1h;
  c.lifetimes.max_lifetime = 3h;
  c.lifetimes.leeway = 0s;
  const SessionManager m(std::move(c));
  std::string cookie = issued(m);
  const auto created = *clock.now;
  // Active every 40 minutes: renewed each time, but never past created + 3h.
  for (int i = 0; i < 3; ++i) {
    clock.advance(40min);
    const Commit out = m.commit(m.load(cookie));
    REQUIRE(out.set_cookie);
    cookie = cookie_of(out);
    const Session s = m.load(cookie);
    REQUIRE(s.load_status() == LoadStatus::loaded);
    CHECK(*s.expires_at() == std::min(*clock.now + 1h, created + 3h));
  }
  clock.advance(40min);  // 2h40: still open, but a renewal could not move the expiry
  const Session last = m.load(cookie);
  CHECK(last.load_status() == LoadStatus::loaded);
  CHECK_FALSE(m.commit(last).set_cookie);
  clock.advance(20min + 1s);  // 3h and a second after creation
  const Session late = m.load(cookie);
  CHECK(late.load_status() == LoadStatus::expired);
  CHECK(late.created_at() == *clock.now);
}

TEST_CASE("a session past its lifetime (within the leeway) is deleted on commit, not re-issued") {
  ManualClock clock;
  Config c = make_config(clock);
  c.lifetimes.ttl = 1h;
  c.lifetimes.max_lifetime = 1h;
  c.lifetimes.leeway = 60s;
  const SessionManager m(std::move(c));
  const std::string cookie = issued(m);
  clock.advance(1h + 30s);
  Session s = m.load(cookie);
  REQUIRE(s.load_status() == LoadStatus::loaded);
  s.set("user", "bob");
  const Commit out = m.commit(s);
  CHECK(out.action == Commit::Action::remove);
  CHECK(out.set_cookie == cookieseal::delete_cookie_header(name, {}).value());
  clock.advance(31s);
  CHECK(m.load(cookie).load_status() == LoadStatus::expired);
}

TEST_CASE("a lifetime shortened after issue expires older sessions at load") {
  ManualClock clock;
  const SessionManager before(make_config(clock));  // 7 days
  const std::string cookie = issued(before);
  clock.advance(3h);
  Config c = make_config(clock);
  c.lifetimes.max_lifetime = 2h;
  const SessionManager after(std::move(c));
  CHECK(after.load(cookie).load_status() == LoadStatus::expired);
}

TEST_CASE("a session created later than now + leeway (a clock running ahead) is bad_payload") {
  ManualClock ahead;
  ahead.advance(61s);
  const SessionManager fast(make_config(ahead));  // leeway 60s
  const std::string cookie = issued(fast);
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const Session s = m.load(cookie);
  CHECK(s.load_status() == LoadStatus::bad_payload);
  CHECK_FALSE(s.contains("user"));
  clock.advance(1s);  // 60s behind the sealing server: within the leeway
  CHECK(m.load(cookie).load_status() == LoadStatus::loaded);
}

TEST_CASE("destroy sends a deleting Set-Cookie with the same Path and Domain") {
  ManualClock clock;
  Config c = make_config(clock);
  c.cookie.domain = "example.com";
  c.cookie.path = "/app";
  c.cookie_name = "__Secure-session";
  const SessionManager m(std::move(c));
  CHECK(m.cookie_name() == "__Secure-session");
  Session s = m.load(issued(m));
  REQUIRE(s.load_status() == LoadStatus::loaded);
  s.set("x", 1);
  s.destroy();
  const Commit out = m.commit(s);
  CHECK(out.action == Commit::Action::remove);
  REQUIRE(out.set_cookie);
  CHECK(*out.set_cookie == cookieseal::delete_cookie_header("__Secure-session", m.config().cookie).value());
  CHECK(out.set_cookie->find("Max-Age=0") != std::string::npos);
  CHECK(out.set_cookie->find("Expires=Thu, 01 Jan 1970 00:00:00 GMT") != std::string::npos);
  CHECK(out.set_cookie->find("Path=/app") != std::string::npos);
  CHECK(out.set_cookie->find("Domain=example.com") != std::string::npos);
}

TEST_CASE("rotation: a cookie under the old primary is re-issued under the new one") {
  ManualClock clock;
  SessionManager m(make_config(clock, {key_a_text}));
  const auto key_a = ring({key_a_text}).primary().id();
  const auto key_b = ring({key_b_text}).primary().id();
  const std::string old_cookie = issued(m);

  m.rotate(ring({key_b_text, key_a_text}));
  const Session s = m.load(old_cookie);
  REQUIRE(s.load_status() == LoadStatus::loaded);
  CHECK(s.needs_reseal());
  CHECK(s.key_id() == key_a);
  CHECK_FALSE(s.modified());
  const Commit out = m.commit(s);
  REQUIRE(out.action == Commit::Action::set);

  const Session moved = m.load(cookie_of(out));
  CHECK(moved.key_id() == key_b);
  CHECK_FALSE(moved.needs_reseal());
  CHECK(moved.id() == s.id());
  CHECK_FALSE(m.commit(moved).set_cookie);

  const cookieseal::Usage usage = m.usage();
  REQUIRE(usage.keys.size() == 2);
  CHECK(usage.keys[0].key_id == key_b);
  CHECK(usage.keys[0].position == 0);
  CHECK(usage.keys[0].opened == 1);
  CHECK(usage.keys[1].key_id == key_a);
  CHECK(usage.keys[1].opened == 1);

  m.rotate(ring({key_b_text}));  // A retired: its cookies are unknown_key now
  CHECK(m.load(old_cookie).load_status() == LoadStatus::unknown_key);
  CHECK(m.usage().keys[0].opened == 1);  // B's count survives the rotation
  CHECK(m.usage().count(LoadStatus::unknown_key) == 1);
}

TEST_CASE("usage counts loads per outcome") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string cookie = issued(m);  // one absent load
  (void)m.load(cookie);
  (void)m.load(cookie);
  (void)m.load("__Host-session=%%%");
  const cookieseal::Usage u = m.usage();
  CHECK(u.count(LoadStatus::absent) == 1);
  CHECK(u.count(LoadStatus::loaded) == 2);
  CHECK(u.count(LoadStatus::malformed) == 1);
  CHECK(u.keys.at(0).opened == 2);
}

TEST_CASE("reload_keys rereads the keys with the configured prefix and keeps the old ones on error") {
  ManualClock clock;
  test_support::ScopedEnv keys("TESTRELOAD_KEYS", std::string(key_a_text));
  test_support::ScopedEnv file("TESTRELOAD_KEYS_FILE", std::nullopt);
  Config c = make_config(clock);
  c.key_source =
      cookieseal::KeySource{cookieseal::KeySource::Kind::variable, "TESTRELOAD_KEYS", "TESTRELOAD_KEYS"};
  SessionManager m(std::move(c));
  const std::string cookie = issued(m);
  {
    test_support::ScopedEnv bad("TESTRELOAD_KEYS", std::string("not a key"));
    CHECK(config_error_of([&] { m.reload_keys(); }).find("TESTRELOAD_KEYS") != std::string::npos);
  }
  CHECK(m.load(cookie).load_status() == LoadStatus::loaded);  // the old keyring stayed
  {
    test_support::ScopedEnv next("TESTRELOAD_KEYS", std::string(key_b_text) + "," + key_a_text);
    m.reload_keys();
  }
  CHECK(m.load(cookie).needs_reseal());
}

TEST_CASE("a session too large for one cookie is an error with the byte counts, never a header") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  auto expected_header_bytes = [&](std::size_t value_bytes) {
    // docs/SESSION.md: 54 bytes of head and count, then 8 + 1 ("v") + 1 (tag) + 8 + the string.
    const std::size_t plaintext = 54 + 8 + 1 + 1 + 8 + value_bytes;
    return cookieseal::set_cookie_header_size(name, cookieseal::format::cookie_length(plaintext), {}, 24h);
  };
  // 2900 bytes: the cookie value (about 4000 characters) fits max_value_bytes but the whole
  // header does not; 3500 bytes: even the value does not.
  for (std::size_t size : {std::size_t{2900}, std::size_t{3500}, std::size_t{100000}}) {
    CAPTURE(size);
    Session s = m.create();
    s.set("v", std::string(size, 'x'));
    const Commit out = m.commit(s);
    CHECK_FALSE(out.ok());
    CHECK_FALSE(out);
    CHECK(out.action == Commit::Action::none);
    CHECK_FALSE(out.set_cookie.has_value());
    REQUIRE(out.error);
    CHECK(out.error->error == Error::too_large);
    CHECK(out.error->limit_bytes == 4096);
    CHECK(out.error->header_bytes == expected_header_bytes(size));
    CHECK(out.message().find(std::to_string(expected_header_bytes(size)) + " bytes") != std::string::npos);
    CHECK(out.message().find("4096") != std::string::npos);
    CHECK(out.message().find("xxxx") == std::string::npos);  // no session data in the message
  }
  // The largest that fits is accepted, and its header is within the limit.
  std::size_t lo = 0, hi = 3500;
  while (lo + 1 < hi) {
    const std::size_t mid = (lo + hi) / 2;
    Session s = m.create();
    s.set("v", std::string(mid, 'x'));
    (m.commit(s).ok() ? lo : hi) = mid;
  }
  Session s = m.create();
  s.set("v", std::string(lo, 'x'));
  const Commit out = m.commit(s);
  REQUIRE(out.set_cookie);
  CHECK(out.set_cookie->size() <= 4096);
  CHECK(out.set_cookie->size() > 4090);
}

TEST_CASE("a typed session round-trips through the same manager") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  auto cart = m.load<Cart>("");
  CHECK(cart.load_status() == LoadStatus::absent);
  CHECK_FALSE(m.commit(cart).set_cookie);  // untouched: nothing
  cart.data().items = {"apple", "pear"};
  cart.data().owner = 7;
  const Commit out = m.commit(cart);
  REQUIRE(out.action == Commit::Action::set);

  clock.advance(1min);
  const std::string header = cookie_of(out);
  auto back = m.load<Cart>(header);
  REQUIRE(back.load_status() == LoadStatus::loaded);
  CHECK(back.id() == cart.id());
  CHECK(back.view().items == cart.view().items);
  CHECK(back.view().owner == 7);
  CHECK_FALSE(back.modified());
  CHECK_FALSE(m.commit(back).set_cookie);
  back.destroy();
  CHECK(m.commit(back).action == Commit::Action::remove);

  CHECK(m.load(header).load_status() == LoadStatus::bad_payload);  // not a Session
  Session plain = m.create();
  plain.set("a", 1);
  auto wrong = m.load<Cart>(cookie_of(m.commit(plain)));
  CHECK(wrong.load_status() == LoadStatus::bad_payload);
  CHECK(wrong.view().items.empty());

  auto big = m.create<Cart>();
  big.data().items.assign(1, std::string(5000, 'y'));
  const Commit too_big = m.commit(big);
  REQUIRE(too_big.error);
  CHECK(too_big.error->header_bytes > 5000 * 4 / 3);
}

TEST_CASE("the revocation hook rejects a session (reason revoked), and a throwing hook fails closed") {
  ManualClock clock;
  auto revoked = std::make_shared<std::set<SessionId>>();
  std::atomic<int> calls{0};
  Config c = make_config(clock);
  c.is_revoked = [revoked, &calls](const SessionId& id, std::chrono::sys_seconds created) {
    ++calls;
    (void)created;
    return revoked->count(id) != 0;
  };
  const SessionManager m(std::move(c));
  Session s = m.create();
  s.set("user", "ada");
  const std::string cookie = cookie_of(m.commit(s));
  CHECK(m.load(cookie).load_status() == LoadStatus::loaded);
  revoked->insert(s.id());
  const Session r = m.load(cookie);
  CHECK(r.load_status() == LoadStatus::revoked);
  CHECK(r.rejected());
  CHECK(r.empty());
  CHECK(r.id() != s.id());
  CHECK(calls == 2);
  CHECK_FALSE(m.load("").load_status() == LoadStatus::revoked);  // no cookie: no call
  CHECK(calls == 2);

  *clock.now = std::chrono::sys_seconds{};  // the epoch: this hook throws
  const SessionManager epoch([&] {
    Config e = make_config(clock);
    e.is_revoked = [](const SessionId&, std::chrono::sys_seconds) -> bool {
      throw std::runtime_error("down");
    };
    return e;
  }());
  CHECK(epoch.load(issued(epoch)).load_status() == LoadStatus::revoked);
}

TEST_CASE("several cookies of the session's name: the first that opens wins") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string good = issued(m);
  CHECK(m.load("__Host-session=junk; " + good).load_status() == LoadStatus::loaded);
  CHECK(m.load("__Host-session=junk; __Host-session=" + std::string(5000, 'A')).load_status() ==
        LoadStatus::malformed);  // none opens: the first one's reason
  std::string many;
  for (int i = 0; i < 8; ++i) many += "__Host-session=junk; ";
  CHECK(m.load(many + good).load_status() == LoadStatus::ambiguous);  // a ninth is never tried

  const std::vector<std::string_view> headers = {"a=1", "__Host-session=junk", good};
  CHECK(m.load(std::span<const std::string_view>(headers)).load_status() == LoadStatus::loaded);
  CHECK(m.load<Cart>(std::span<const std::string_view>(headers)).load_status() == LoadStatus::malformed);
}

TEST_CASE("regenerate_id after load sends a cookie carrying the new id") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  Session s = m.load(issued(m));
  const SessionId before = s.id();
  s.regenerate_id();
  const Commit out = m.commit(s);
  REQUIRE(out.set_cookie);
  const Session after = m.load(cookie_of(out));
  CHECK(after.id() != before);
  CHECK(after.id() == s.id());
}

TEST_CASE("the manager's cookie holds the payload layout of docs/SESSION.md") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  Session s = m.create();
  s.set("n", -2);
  const Commit out = m.commit(s);
  const cookieseal::Codec codec(ring({key_a_text}),
                                {.ttl = 24h, .leeway = 60s, .max_value_bytes = 4096, .clock = clock.fn()});
  const auto raw = codec.decode<AnyPayload>(name, value_of(out));
  REQUIRE(raw);
  cookieseal::detail::SessionHead head;
  head.id = s.id().bytes;
  head.created_at = static_cast<std::uint64_t>(clock.now->time_since_epoch().count());
  head.issued_at = head.created_at;
  CHECK(raw->value.bytes == cookieseal::detail::map_payload_bytes(head, s.entries()).substr(1));
  CHECK(raw->expires_at == *clock.now + 24h);
}

TEST_CASE("SessionManager refuses a bad Config with a ConfigError naming the field") {
  ManualClock clock;
  auto error_of = [&](auto change) {
    Config c = make_config(clock);
    change(c);
    return config_error_of([&] { SessionManager m(std::move(c)); });
  };
  CHECK(error_of([](Config&) {}).empty());
  CHECK(error_of([](Config& c) { c.keys.reset(); }).find("keys") != std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.ttl = 0s; }).find("ttl") != std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.ttl = cookieseal::max_duration + 1s; }).find("ttl") !=
        std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.max_lifetime = -1s; }).find("max_lifetime") !=
        std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.renew_share = 1.5; }).find("renew_share") != std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.renew_share = std::nan(""); }).find("renew_share") !=
        std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.leeway = -1s; }).find("leeway") != std::string::npos);
  CHECK(error_of([](Config& c) { c.lifetimes.leeway = c.lifetimes.ttl; }).find("leeway") !=
        std::string::npos);
  CHECK(error_of([](Config& c) {
          c.cookie_name = "__Host-s";
          c.cookie.domain = "example.com";
        }).find("__Host-") != std::string::npos);
  CHECK(error_of([](Config& c) { c.cookie_name = "bad name"; }).find("name") != std::string::npos);
  CHECK(error_of([](Config& c) { c.cookie_name = std::string(4000, 'n'); }).find("4096") !=
        std::string::npos);
  CHECK(error_of([](Config& c) {
          c.cookie.secure = false;
          c.cookie.same_site = cookieseal::SameSite::none;
        }).find("Secure") != std::string::npos);
}

TEST_CASE("threads share one manager while the keyring rotates") {
  ManualClock clock;
  SessionManager m(make_config(clock, {key_a_text, key_b_text}));
  const std::string shared_cookie = issued(m);
  std::atomic<int> failures{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        Session s = m.load(shared_cookie);
        if (s.load_status() != LoadStatus::loaded || s.get<std::string>("user") != "ada") ++failures;
        s.set("i", t * 1000 + i);
        const Commit out = m.commit(s);
        if (!out.set_cookie) {
          ++failures;
          continue;
        }
        const Session back = m.load(out.set_cookie->substr(0, out.set_cookie->find(';')));
        if (back.get<int>("i") != t * 1000 + i || back.id() != s.id()) ++failures;
      }
    });
  }
  std::thread rotator([&] {
    for (int i = 0; !stop; ++i)
      m.rotate(i % 2 ? ring({key_a_text, key_b_text}) : ring({key_b_text, key_a_text}));
  });
  for (auto& th : threads) th.join();
  stop = true;
  rotator.join();
  CHECK(failures == 0);
  CHECK(m.usage().count(LoadStatus::loaded) >= 2400);
}

// 4 threads x 100,000 rounds of open (load) + change + seal (commit) + open again on one
// manager, each thread with its own user, while another thread keeps swapping the keyring.
// Under ThreadSanitizer (which looks for races, not volume) each thread runs 5,000 rounds.
TEST_CASE("4 threads x 100,000 load/commit/reload rounds on one manager, every result correct") {
  constexpr int thread_count = 4;
  const int rounds = test_support::under_tsan ? 5'000 : 100'000;
  ManualClock clock;
  SessionManager m(make_config(clock, {key_a_text, key_b_text}));
  std::atomic<long> wrong{0};
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      const std::string user = "user-" + std::to_string(t);
      std::string cookie = issued(m, user);
      for (int i = 0; i < rounds; ++i) {
        Session s = m.load(cookie);
        if (s.load_status() != LoadStatus::loaded || s.get<std::string>("user") != user ||
            (i > 0 && s.get<int>("i") != i - 1)) {
          ++wrong;
        }
        s.set("i", i);
        const Commit out = m.commit(s);
        if (!out.ok() || !out.set_cookie) {
          ++wrong;
          continue;
        }
        cookie = out.set_cookie->substr(0, out.set_cookie->find(';'));
        const Session back = m.load(cookie);
        if (back.id() != s.id() || back.get<int>("i") != i || back.get<std::string>("user") != user) ++wrong;
        ++done;
      }
    });
  }
  std::thread rotator([&] {
    for (int i = 0; !stop; ++i) {
      m.rotate(i % 2 ? ring({key_a_text, key_b_text}) : ring({key_b_text, key_a_text}));
      std::this_thread::yield();
    }
  });
  for (auto& th : threads) th.join();
  stop = true;
  rotator.join();
  MESSAGE(done.load() << " rounds (" << 3 * done.load() << " opens and seals) by " << thread_count
                      << " threads, " << wrong.load() << " wrong");
  CHECK(wrong == 0);
  CHECK(done == static_cast<long>(thread_count) * rounds);
  CHECK(m.usage().count(LoadStatus::loaded) == 2 * static_cast<std::uint64_t>(thread_count) * rounds);
}

namespace {

struct NicknameV1 {
  static constexpr std::string_view session_schema = "profile";
  static constexpr std::uint32_t session_schema_version = 1;
  std::string nickname;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(nickname);
  }
};

struct NicknameV2 {  // a member added in front: the version goes up
  static constexpr std::string_view session_schema = "profile";
  static constexpr std::uint32_t session_schema_version = 2;
  bool admin = false;
  std::string nickname;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(admin, nickname);
  }
};

struct OtherSchema {  // same members as V2, another name
  static constexpr std::string_view session_schema = "cart";
  static constexpr std::uint32_t session_schema_version = 2;
  bool admin = false;
  std::string nickname;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(admin, nickname);
  }
};

// An authentic cookie holding `plaintext` (whatever layout), as an older release would write it.
std::string sealed_cookie(const ManualClock& clock, const std::string& plaintext) {
  cookieseal::SealerOptions o;
  o.clock = clock.fn();
  const cookieseal::Sealer sealer(ring({key_a_text}), o);
  return std::string(name) + "=" + sealer.seal(name, plaintext, *clock.now + 1h).value();
}

}  // namespace

TEST_CASE("a typed cookie written for one schema version never opens as another (type confusion)") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  auto v1 = m.create<NicknameV1>();
  v1.data().nickname = std::string(1, '\0');  // read as V2, this byte would be admin = true
  const std::string cookie = cookie_of(m.commit(v1));
  const auto as_v2 = m.load<NicknameV2>(cookie);
  CHECK(as_v2.load_status() == LoadStatus::bad_payload);
  CHECK_FALSE(as_v2.view().admin);
  CHECK(m.load<OtherSchema>(cookie).load_status() == LoadStatus::bad_payload);
  CHECK(m.load<NicknameV1>(cookie).load_status() == LoadStatus::loaded);
}

TEST_CASE("a typed cookie of the old layout (no schema) opens only as version 1 of its schema") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  // Layout 2: flag, layout, id, created_at, then T: the nickname "\0".
  const std::string legacy = from_hex("0102000102030405060708090a0b0c0d0e0f00b9556900000000") +
                             from_hex("0100000000000000") + std::string(1, '\0');
  const std::string cookie = sealed_cookie(clock, legacy);
  CHECK(m.load<NicknameV2>(cookie).load_status() == LoadStatus::bad_payload);
  const auto v1 = m.load<NicknameV1>(cookie);
  CHECK(v1.load_status() == LoadStatus::loaded);
  CHECK(v1.needs_reseal());  // rewritten in the current layout on commit
}

TEST_CASE(
    "a Session cookie written before the head carried issue time and user still opens, and is resealed") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  // Layout 1: flag, layout, id, created_at, one entry "n" = int64 7.
  const std::string legacy = from_hex("0101000102030405060708090a0b0c0d0e0f00b9556900000000") +
                             from_hex("0100000000000000") + from_hex("01000000000000006e01") +
                             from_hex("0700000000000000");
  const Session s = m.load(sealed_cookie(clock, legacy));
  REQUIRE(s.load_status() == LoadStatus::loaded);
  CHECK(s.get<int>("n") == 7);
  CHECK(s.id().hex() == "000102030405060708090a0b0c0d0e0f");
  CHECK(s.user().empty());
  CHECK(s.needs_reseal());
  const Commit out = m.commit(s);
  const Session again = m.load(cookie_of(out));
  CHECK(again.get<int>("n") == 7);
  CHECK_FALSE(again.needs_reseal());
}

TEST_CASE("a shorter idle timeout reaches cookies already issued under a longer one") {
  ManualClock clock;
  Config long_ttl = make_config(clock);
  long_ttl.lifetimes.ttl = 24h * 30;
  long_ttl.lifetimes.max_lifetime = 24h * 60;
  const std::string cookie = issued(SessionManager(std::move(long_ttl)));
  clock.advance(24h * 10);  // idle for 10 days
  Config short_ttl = make_config(clock);
  short_ttl.lifetimes.ttl = 1h;
  short_ttl.lifetimes.max_lifetime = 24h * 60;
  CHECK(SessionManager(std::move(short_ttl)).load(cookie).load_status() == LoadStatus::expired);
}

TEST_CASE("several cookies of the name that open as different sessions are all refused (cookie tossing)") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string victim = issued(m, "victim");
  const std::string attacker = issued(m, "attacker");
  const Session tossed = m.load(attacker + "; " + victim);
  CHECK(tossed.load_status() == LoadStatus::ambiguous);
  CHECK_FALSE(tossed.contains("user"));
  CHECK(m.usage().count(LoadStatus::ambiguous) == 1);
  // The same session twice (a stale copy at another path) is no ambiguity.
  CHECK(m.load(victim + "; " + victim).get<std::string>("user") == "victim");
  // A refused copy next to the real one does not hide it.
  CHECK(m.load(std::string(name) + "=garbage; " + victim).get<std::string>("user") == "victim");
}

TEST_CASE(
    "more than 8 cookies of the name are refused as ambiguous, so copies cannot push the victim's out") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  const std::string victim = issued(m, "victim");
  const std::string attacker = issued(m, "attacker");
  std::string eight_copies;
  for (int i = 0; i < 8; ++i) eight_copies += attacker + "; ";
  // Before: only the first 8 were tried, the attacker's session loaded and the victim's unseen.
  CHECK(m.load(eight_copies + victim).load_status() == LoadStatus::ambiguous);
  std::string seven_junk = attacker + "; ";
  for (int i = 0; i < 7; ++i) seven_junk += std::string(name) + "=junk" + std::to_string(i) + "; ";
  CHECK(m.load(seven_junk + victim).load_status() == LoadStatus::ambiguous);
  // Over several Cookie headers too (HTTP/2 sends one per cookie).
  std::vector<std::string> headers(8, attacker);
  headers.push_back(victim);
  const std::vector<std::string_view> views(headers.begin(), headers.end());
  CHECK(m.load(std::span<const std::string_view>(views)).load_status() == LoadStatus::ambiguous);
  // Up to 8 copies of one session still load.
  std::string copies = victim;
  for (int i = 0; i < 7; ++i) copies += "; " + victim;
  CHECK(m.load(copies).get<std::string>("user") == "victim");
}

TEST_CASE("the user and the session's own ttl travel in the sealed head") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  Session s = m.create();
  s.set_user("42");
  s.set_ttl(2h);
  CHECK(s.modified());
  const Commit out = m.commit(s);
  CHECK(out.set_cookie->find("Max-Age=7200") != std::string::npos);
  const Session back = m.load(cookie_of(out));
  CHECK(back.user() == "42");
  CHECK(back.ttl() == 2h);
  clock.advance(2h + 61s);
  CHECK(m.load(cookie_of(out)).load_status() == LoadStatus::expired);
  CHECK_THROWS_AS(s.set_user(std::string(257, 'u')), std::length_error);
  CHECK_THROWS_AS(s.set_ttl(0s), std::invalid_argument);
  // Over 400 days was capped without a word; now refused, as Config refuses such a ttl.
  CHECK_THROWS_WITH_AS(s.set_ttl(24h * 401), doctest::Contains("at most 400d"), std::invalid_argument);
  CHECK(s.ttl() == 2h);  // unchanged by the refused call
  CHECK_NOTHROW(s.set_ttl(24h * 400));
}

TEST_CASE("a SessionManager can be returned from a factory and moved") {
  ManualClock clock;
  auto make = [&] { return SessionManager(make_config(clock)); };
  SessionManager m = make();
  SessionManager moved = std::move(m);
  const std::string cookie = issued(moved);
  CHECK(moved.load(cookie).load_status() == LoadStatus::loaded);
  // Move assignment: the target takes the source's keys and counters, its own are released.
  Config other = make_config(clock);
  other.cookie_name = "other";
  SessionManager assigned(std::move(other));
  assigned = std::move(moved);
  CHECK(assigned.cookie_name() == "__Host-session");
  CHECK(assigned.load(cookie).load_status() == LoadStatus::loaded);
  CHECK(assigned.usage().count(LoadStatus::loaded) == 2);
}

TEST_CASE("a schema change migrates as docs/SESSION.md shows: read the old version, write the new") {
  ManualClock clock;
  const SessionManager m(make_config(clock));
  auto v1 = m.create<NicknameV1>();
  v1.data().nickname = "ada";
  const std::string cookie_header = cookie_of(m.commit(v1));
  auto v2 = m.load<NicknameV2>(cookie_header);
  REQUIRE(v2.load_status() == LoadStatus::bad_payload);
  if (auto old = m.load<NicknameV1>(cookie_header); old.load_status() == LoadStatus::loaded) {
    v2.data().nickname = old.view().nickname;
  }
  const auto again = m.load<NicknameV2>(cookie_of(m.commit(v2)));
  CHECK(again.load_status() == LoadStatus::loaded);
  CHECK(again.view().nickname == "ada");
  CHECK_FALSE(again.view().admin);
}

TEST_CASE("persistent = false writes a browser-session cookie; the sealed expiry still enforces the ttl") {
  ManualClock clock;
  Config c = make_config(clock);
  c.persistent = false;
  const SessionManager m(std::move(c));
  Session s = m.create();
  s.set("user", "ada");
  const Commit out = m.commit(s);
  REQUIRE(out.set_cookie);
  CHECK(out.set_cookie->find("Max-Age") == std::string::npos);
  CHECK(out.set_cookie->find("Expires") == std::string::npos);
  CHECK(out.set_cookie->find("; Secure; HttpOnly; SameSite=Lax") != std::string::npos);
  const std::string cookie = cookie_of(out);
  CHECK(m.load(cookie).load_status() == LoadStatus::loaded);
  clock.advance(24h + 61s);
  CHECK(m.load(cookie).load_status() == LoadStatus::expired);
}

TEST_CASE("a load that opens nothing gives a fresh session with its own random id, typed or not") {
  Config c;
  c.keys = ring({key_a_text});
  const SessionManager m(std::move(c));
  const cookieseal::SessionId zero{};
  const Session absent = m.load("");
  const Session refused = m.load("__Host-session=garbage");
  CHECK(absent.id() != zero);
  CHECK(refused.id() != zero);
  CHECK(absent.id() != refused.id());
  const auto typed = m.load<Cart>("");
  CHECK(typed.id() != zero);
  CHECK(typed.id() != absent.id());
}
