// Tests for src/store/store_backend.hpp: reference cookies, sealed records, renewal by touch,
// version checks, automatic placement, a user's other sessions, bad records, an unreachable store
#include "store/store_backend.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/sealer.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/set_cookie.hpp>

#include "encoding/base64url.hpp"
#include "session/payload.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using cookieseal::Error;
using cookieseal::IndexEntry;
using cookieseal::Opened;
using cookieseal::Placement;
using cookieseal::Result;
using cookieseal::SaveContext;
using cookieseal::Sealer;
using cookieseal::SealerOptions;
using cookieseal::SessionStore;
using cookieseal::StoreBackend;
using cookieseal::StoreBackendOptions;
using cookieseal::StoredRecord;
using cookieseal::StoreMode;
using cookieseal::detail::SessionHead;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

namespace {

constexpr std::string_view name = "__Host-session";
constexpr std::string_view secret = "the-secret-cart-contents";

// A store that remembers every byte it was given, to check what a dump would show.
class RecordingStore final : public SessionStore {
 public:
  explicit RecordingStore(std::shared_ptr<SessionStore> inner) : inner_(std::move(inner)) {}
  std::vector<std::string> seen;  // read by the tests once the writers are done

  void record(std::string_view a, std::string_view b) {
    const std::lock_guard lock(mutex_);
    seen.emplace_back(a);
    seen.emplace_back(b);
  }

  Result<std::optional<StoredRecord>> load(std::string_view key) override { return inner_->load(key); }
  Result<std::uint64_t> save(std::string_view key, std::string_view record, std::chrono::milliseconds ttl,
                             std::optional<std::uint64_t> expected) override {
    this->record(key, record);
    return inner_->save(key, record, ttl, expected);
  }
  Result<void> remove(std::string_view key) override { return inner_->remove(key); }
  Result<bool> touch(std::string_view key, std::chrono::milliseconds ttl) override {
    return inner_->touch(key, ttl);
  }
  Result<void> index_add(std::string_view index, std::string_view member, TimePoint at) override {
    record(index, member);
    return inner_->index_add(index, member, at);
  }
  Result<std::vector<IndexEntry>> index_list(std::string_view index, TimePoint now,
                                             std::size_t limit) override {
    return inner_->index_list(index, now, limit);
  }
  Result<void> index_remove(std::string_view index, std::string_view member) override {
    return inner_->index_remove(index, member);
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<SessionStore> inner_;
};

// A store that cannot be reached.
class DownStore final : public SessionStore {
 public:
  Result<std::optional<StoredRecord>> load(std::string_view) override { return Error::unavailable; }
  Result<std::uint64_t> save(std::string_view, std::string_view, std::chrono::milliseconds,
                             std::optional<std::uint64_t>) override {
    return Error::unavailable;
  }
  Result<void> remove(std::string_view) override { return Error::unavailable; }
  Result<bool> touch(std::string_view, std::chrono::milliseconds) override { return Error::unavailable; }
  Result<void> index_add(std::string_view, std::string_view, TimePoint) override {
    return Error::unavailable;
  }
  Result<std::vector<IndexEntry>> index_list(std::string_view, TimePoint, std::size_t) override {
    return Error::unavailable;
  }
  Result<void> index_remove(std::string_view, std::string_view) override { return Error::unavailable; }
};

Sealer make_sealer(const ManualClock& clock, std::initializer_list<const char*> keys = {key_a_text}) {
  return Sealer(ring(keys), SealerOptions{60s, 4096, clock.fn()});
}

struct World {
  ManualClock clock;
  std::shared_ptr<RecordingStore> store;
  Sealer sealer = make_sealer(clock);
  std::unique_ptr<StoreBackend> backend;

  explicit World(StoreBackendOptions options = {}) {
    cookieseal::MemoryStoreOptions memory;
    auto now = clock.now;
    memory.clock = [now] { return TimePoint(*now); };
    store = std::make_shared<RecordingStore>(cookieseal::make_memory_store(memory));
    backend = std::make_unique<StoreBackend>(store, std::move(options));
  }

  [[nodiscard]] SessionHead head(std::string user = "") const {
    SessionHead h;
    h.id = cookieseal::SessionId::generate().bytes;
    h.created_at = static_cast<std::uint64_t>(clock.now->time_since_epoch().count());
    h.issued_at = h.created_at;
    h.user = std::move(user);
    return h;
  }
  [[nodiscard]] std::chrono::sys_seconds in(std::chrono::seconds s) const { return *clock.now + s; }

  // What SessionManager hands a backend: header room, then the payload.
  static std::string payload(const SessionHead& h, std::size_t data_bytes) {
    cookieseal::Session::Entries entries;
    entries.emplace("cart", std::string(secret) + std::string(data_bytes, 'x'));
    return cookieseal::detail::map_payload_bytes(h, entries);
  }
  Result<std::string> save(const SessionHead& h, std::size_t data_bytes = 10, SaveContext context = {},
                           std::chrono::seconds ttl = 3600s) const {
    std::string buffer(cookieseal::format::header_bytes, '\0');
    buffer += payload(h, data_bytes);
    return backend->save_placed(sealer, name, h, buffer, in(ttl), context);
  }
  Result<Opened> open(std::string_view cookie, Placement& placement) const {
    return backend->open_placed(sealer, name, cookie, placement);
  }
  [[nodiscard]] std::string key(const SessionHead& h) const { return backend->record_key(h.id); }
  [[nodiscard]] std::string stored(const SessionHead& h) const { return (*store->load(key(h)))->record; }
  void put(const SessionHead& h, std::string_view record) const {
    REQUIRE(store->save(key(h), record, 3600s, std::nullopt));
  }
  [[nodiscard]] Error open_error(std::string_view cookie) const {
    Placement placement;
    Result<Opened> opened = open(cookie, placement);
    REQUIRE_FALSE(opened);
    return opened.error();
  }
};

bool plaintext_is(const Opened& opened, const std::string& expected) {
  const auto p = opened.plaintext();
  return std::string(reinterpret_cast<const char*>(p.data()), p.size()) == expected;
}

std::string to_base64url(std::string_view raw) {
  std::string out(cookieseal::format::base64url_length(raw.size()), '\0');
  cookieseal::detail::base64url_encode(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size(),
                                       out.data());
  return out;
}

std::string from_base64url(std::string_view text) {
  std::string out(cookieseal::detail::base64url_decoded_length(text.size()), '\0');
  REQUIRE(cookieseal::detail::base64url_decode(text, reinterpret_cast<std::uint8_t*>(out.data())));
  return out;
}

std::size_t errors_of(const StoreBackend& backend, Error e) {
  return backend.record_errors()[static_cast<std::size_t>(e)];
}

}  // namespace

TEST_CASE("a session saved to the store comes back through its reference cookie") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  Placement placement;
  auto opened = w.open(*cookie, placement);
  REQUIRE(opened);
  CHECK(plaintext_is(*opened, World::payload(h, 10)));
  CHECK(placement.stored);
  CHECK(placement.version != 0);
  CHECK(placement.expires_at == w.in(3600s));
  CHECK(placement.issued_at == h.issued_at);
}

TEST_CASE("the reference cookie stays small whatever the session holds") {
  const World w;
  auto cookie = w.save(w.head(), 100000);
  REQUIRE(cookie);
  CHECK(cookie->size() == cookieseal::format::cookie_length(cookieseal::reference_plaintext_bytes));
  CHECK(cookie->size() == 106);
}

TEST_CASE("a store dump holds neither the session id nor the data nor the user name") {
  const World w;
  const SessionHead h = w.head("ada@example.com");
  REQUIRE(w.save(h));
  const std::string id_hex = cookieseal::SessionId{h.id}.hex();
  const std::string id_raw(reinterpret_cast<const char*>(h.id.data()), h.id.size());
  REQUIRE_FALSE(w.store->seen.empty());
  for (const std::string& bytes : w.store->seen) {
    CHECK(bytes.find(id_hex) == std::string::npos);
    CHECK(bytes.find(id_raw) == std::string::npos);
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find("ada@example.com") == std::string::npos);
  }
}

TEST_CASE("a stored record does not open as a cookie, nor a cookie as a record") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  // The record is sealed under "cookieseal-store:<name>": presented as the cookie (its bytes
  // in base64url, as a cookie carries them) it fails.
  CHECK(w.open_error(to_base64url(w.stored(h))) == Error::tampered);
  // A reference cookie's sealed bytes written as the record fail as a record, and are counted.
  w.put(h, from_base64url(*cookie));
  CHECK(w.open_error(*cookie) == Error::tampered);
  CHECK(errors_of(*w.backend, Error::tampered) == 1);
}

TEST_CASE("a record is the sealed bytes themselves: header, ciphertext and tag, no text encoding") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h, 100);
  REQUIRE(cookie);
  const std::string record = w.stored(h);
  CHECK(record.size() == cookieseal::format::min_raw_bytes + World::payload(h, 100).size());
  CHECK(static_cast<std::uint8_t>(record[0]) == cookieseal::format::version);
  const auto primary = w.sealer.keyring().primary().id().bytes;
  CHECK(std::equal(primary.begin(), primary.end(),
                   reinterpret_cast<const std::uint8_t*>(record.data()) + cookieseal::format::key_id_offset));
  // The same sealed bytes as base64url text are not a record.
  w.put(h, to_base64url(record));
  CHECK(w.open_error(*cookie) == Error::unsupported_version);
}

TEST_CASE("max_record_bytes counts the record's bytes: a record of exactly that size is written") {
  const SessionHead probe = World().head();
  StoreBackendOptions options;
  options.max_record_bytes = cookieseal::format::min_raw_bytes + World::payload(probe, 10).size();
  const World w(options);
  const SessionHead h = w.head();
  auto fits = w.save(h, 10);
  REQUIRE(fits);
  CHECK(w.stored(h).size() == options.max_record_bytes);
  Placement placement;
  CHECK(w.open(*fits, placement));
  auto over = w.save(h, 11);
  REQUIRE_FALSE(over);
  CHECK(over.error() == Error::too_large);
}

TEST_CASE("a tampered record is refused as tampered and counted") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  std::string record = w.stored(h);
  record[record.size() / 2] = record[record.size() / 2] == 'A' ? 'B' : 'A';
  w.put(h, record);
  CHECK(w.open_error(*cookie) == Error::tampered);
  CHECK(errors_of(*w.backend, Error::tampered) == 1);
}

TEST_CASE("another session's record copied under this session's key does not open") {
  const World w;
  const SessionHead victim = w.head();
  const SessionHead attacker = w.head();
  auto cookie = w.save(attacker);
  REQUIRE(w.save(victim));
  w.put(attacker, w.stored(victim));  // a store writer swaps records
  CHECK(w.open_error(*cookie) == Error::tampered);
}

TEST_CASE("a record sealed under a foreign key is unknown_key") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  const Sealer foreign = make_sealer(w.clock, {key_b_text});
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += World::payload(h, 10);
  auto record = foreign.seal_record(StoreBackend::record_name(name), buffer, w.in(3600s), 1 << 20);
  REQUIRE(record);
  w.put(h, *record);
  CHECK(w.open_error(*cookie) == Error::unknown_key);
  CHECK(errors_of(*w.backend, Error::unknown_key) == 1);
}

TEST_CASE("a garbage record is malformed and an oversized one too_large") {
  StoreBackendOptions options;
  options.max_record_bytes = 1000;
  const World w(options);
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  w.put(h, "not a sealed record \x01\x02");
  CHECK(w.open_error(*cookie) == Error::malformed);
  w.put(h, std::string(1001, 'A'));
  CHECK(w.open_error(*cookie) == Error::too_large);
  CHECK(errors_of(*w.backend, Error::malformed) == 1);
  CHECK(errors_of(*w.backend, Error::too_large) == 1);
}

TEST_CASE("a session larger than max_record_bytes is not saved: too_large") {
  StoreBackendOptions options;
  options.max_record_bytes = 1000;
  const World w(options);
  auto cookie = w.save(w.head(), 2000);
  REQUIRE_FALSE(cookie);
  CHECK(cookie.error() == Error::too_large);
}

TEST_CASE("a reference whose plaintext is not exactly a layout-5 reference is bad_payload") {
  const World w;
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += std::string("\x01\x05", 2) + std::string(20, 'z');  // layout 5, wrong length
  auto forged = w.sealer.seal_prepared(name, buffer, w.in(60s));
  REQUIRE(forged);
  CHECK(w.open_error(*forged) == Error::bad_payload);
}

TEST_CASE("destroying a session deletes its record: the old reference no longer opens") {
  const World w;
  const SessionHead h = w.head("ada");
  auto cookie = w.save(h);
  REQUIRE(cookie);
  REQUIRE(w.backend->remove(h));
  CHECK_FALSE((*w.store->load(w.key(h))).has_value());
  CHECK(w.open_error(*cookie) == Error::expired);
  auto listed = w.backend->sessions_of(w.sealer, name, "ada", nullptr, 10);
  REQUIRE(listed);
  CHECK(listed->empty());
}

TEST_CASE("a session saved under a new id removes the old id's record") {
  const World w;
  const SessionHead before = w.head("ada");
  auto old_cookie = w.save(before);
  Placement placement;
  REQUIRE(w.open(*old_cookie, placement));
  SessionHead after = before;
  after.id = cookieseal::SessionId::generate().bytes;  // regenerate_id() at login
  auto new_cookie = w.save(after, 10, SaveContext{placement, false});
  REQUIRE(new_cookie);
  CHECK(w.open_error(*old_cookie) == Error::expired);
  CHECK(w.open(*new_cookie, placement));
  CHECK(w.backend->sessions_of(w.sealer, name, "ada", nullptr, 10)->size() == 1);
}

TEST_CASE("the store forgets a record when its session's own lifetime and the leeway have passed") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h, 10, {}, 600s);  // a session with a 10-minute ttl of its own
  REQUIRE(cookie);
  w.clock.advance(600s + 59s);
  CHECK((*w.store->load(w.key(h))).has_value());
  w.clock.advance(1s);
  CHECK_FALSE((*w.store->load(w.key(h))).has_value());
}

TEST_CASE("renewal touches the record's ttl and issues a new reference without rewriting the record") {
  const World w;
  SessionHead h = w.head();
  auto cookie = w.save(h, 10, {}, 600s);
  REQUIRE(cookie);
  Placement placement;
  REQUIRE(w.open(*cookie, placement));
  const std::size_t writes = w.store->seen.size();
  w.clock.advance(500s);
  h.issued_at += 500;
  auto renewed = w.backend->renew(w.sealer, name, h, placement, w.in(600s));
  REQUIRE(renewed);
  REQUIRE(renewed->has_value());
  CHECK(w.store->seen.size() == writes);  // no save
  w.clock.advance(600s);                  // past the first expiry: the touched record lives
  Placement again;
  REQUIRE(w.open(**renewed, again));
  CHECK(again.version == placement.version);
  CHECK(again.issued_at == h.issued_at);
  CHECK(again.expires_at == w.in(0s));
}

TEST_CASE("renewal of a session that lives in the cookie asks for a rewrite") {
  const World w;
  auto renewed = w.backend->renew(w.sealer, name, w.head(), Placement{}, w.in(600s));
  REQUIRE(renewed);
  CHECK_FALSE(renewed->has_value());
}

TEST_CASE("renewal of a session whose record is gone is expired") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  Placement placement;
  REQUIRE(w.open(*cookie, placement));
  REQUIRE(w.store->remove(w.key(h)));
  auto renewed = w.backend->renew(w.sealer, name, h, placement, w.in(600s));
  REQUIRE_FALSE(renewed);
  CHECK(renewed.error() == Error::expired);
}

TEST_CASE("two requests committing one session: the last write wins unless the version is checked") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  Placement first;
  Placement second;
  REQUIRE(w.open(*cookie, first));
  REQUIRE(w.open(*cookie, second));
  SaveContext checked{first, true};
  REQUIRE(w.save(h, 20, checked));  // the first commit wins
  checked.loaded = second;
  auto lost = w.save(h, 30, checked);
  REQUIRE_FALSE(lost);
  CHECK(lost.error() == Error::conflict);
  REQUIRE(w.save(h, 40, SaveContext{second, false}));  // unchecked: last write wins
  Placement now;
  auto opened = w.open(*cookie, now);
  REQUIRE(opened);
  CHECK(plaintext_is(*opened, World::payload(h, 40)));
}

TEST_CASE("automatic mode keeps a small session in the cookie and a large one in the store") {
  StoreBackendOptions options;
  options.mode = StoreMode::automatic;
  options.inline_value_bytes = 1000;
  const World w(options);
  const SessionHead h = w.head();
  auto small = w.save(h, 10);
  REQUIRE(small);
  CHECK(w.store->seen.empty());
  Placement placement;
  REQUIRE(w.open(*small, placement));
  CHECK_FALSE(placement.stored);
  // It grows past the cookie: into the store.
  auto large = w.save(h, 5000, SaveContext{placement, false});
  REQUIRE(large);
  REQUIRE(w.open(*large, placement));
  CHECK(placement.stored);
  // It shrinks again: back into the cookie, and the record is deleted.
  auto back = w.save(h, 10, SaveContext{placement, false});
  REQUIRE(back);
  CHECK_FALSE((*w.store->load(w.key(h))).has_value());
  REQUIRE(w.open(*back, placement));
  CHECK_FALSE(placement.stored);
}

TEST_CASE("server mode opens a full cookie payload, so sessions from cookie mode carry over") {
  const World w;
  const SessionHead h = w.head();
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += World::payload(h, 10);
  auto cookie = w.sealer.seal_prepared(name, buffer, w.in(600s));
  REQUIRE(cookie);
  Placement placement;
  auto opened = w.open(*cookie, placement);
  REQUIRE(opened);
  CHECK_FALSE(placement.stored);
  CHECK(plaintext_is(*opened, World::payload(h, 10)));
}

TEST_CASE("a record written before a rotation opens and is resealed under the new primary") {
  World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  const Sealer rotated = make_sealer(w.clock, {key_b_text, key_a_text});
  Placement placement;
  auto opened = w.backend->open_placed(rotated, name, *cookie, placement);
  REQUIRE(opened);
  CHECK(opened->needs_reseal());
  CHECK(placement.reference_needs_reseal);
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += World::payload(h, 10);
  REQUIRE(w.backend->save_placed(rotated, name, h, buffer, w.in(600s), SaveContext{placement, false}));
  auto info = cookieseal::inspect(to_base64url(w.stored(h)), 1 << 20);  // the record's header
  REQUIRE(info);
  CHECK(info->key_id == rotated.keyring().primary().id());
}

TEST_CASE("a user's sessions are listed with the current one marked, and the others can be ended") {
  const World w;
  const SessionHead laptop = w.head("ada");
  const SessionHead phone = w.head("ada");
  const SessionHead other = w.head("bob");
  auto laptop_cookie = w.save(laptop);
  auto phone_cookie = w.save(phone);
  REQUIRE(w.save(other));
  auto listed = w.backend->sessions_of(w.sealer, name, "ada", &laptop, 10);
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(std::count_if(listed->begin(), listed->end(), [](const auto& s) { return s.current; }) == 1);
  auto ended = w.backend->remove_others(w.sealer, name, "ada", laptop);
  REQUIRE(ended);
  CHECK(*ended == 1);
  CHECK(w.open_error(*phone_cookie) == Error::expired);
  Placement placement;
  CHECK(w.open(*laptop_cookie, placement));
  CHECK(w.backend->sessions_of(w.sealer, name, "bob", nullptr, 10)->size() == 1);
}

TEST_CASE("a session whose user changed is no longer listed under the old user") {
  const World w;
  SessionHead h = w.head("ada");
  REQUIRE(w.save(h));
  h.user = "bob";  // signed out and in as someone else, same session
  REQUIRE(w.save(h));
  CHECK(w.backend->sessions_of(w.sealer, name, "ada", nullptr, 10)->empty());
  auto ended = w.backend->remove_others(w.sealer, name, "ada", w.head("ada"));
  REQUIRE(ended);
  CHECK(*ended == 0);  // bob's session is not ada's to end
  CHECK((*w.store->load(w.key(h))).has_value());
}

TEST_CASE(
    "the user index is written when a session enters the store or changes id or user, not on every "
    "write or renewal") {
  const World w;
  const SessionHead h = w.head("ada");
  auto index_writes = [&] {
    return std::count_if(w.store->seen.begin(), w.store->seen.end(),
                         [](const std::string& s) { return s.starts_with("u:"); });
  };
  auto cookie = w.save(h);
  REQUIRE(cookie);
  CHECK(index_writes() == 1);
  Placement placement;
  REQUIRE(w.open(*cookie, placement));
  placement.user = "ada";  // what SessionManager notes on load
  REQUIRE(w.save(h, 20, SaveContext{placement, false}));
  CHECK(index_writes() == 1);  // same id, same user: the entry already lasts the session's life
  REQUIRE(w.backend->renew(w.sealer, name, h, placement, w.in(3600s)));
  CHECK(index_writes() == 1);
  SessionHead bob = h;
  bob.user = "bob";
  REQUIRE(w.save(bob, 20, SaveContext{placement, false}));
  CHECK(index_writes() == 2);
  SessionHead renamed = h;  // regenerate_id()
  renamed.id = cookieseal::SessionId::generate().bytes;
  REQUIRE(w.save(renamed, 20, SaveContext{placement, false}));
  CHECK(index_writes() == 3);
  CHECK(w.backend->sessions_of(w.sealer, name, "ada", nullptr, 10)->size() == 1);
  CHECK(w.backend->sessions_of(w.sealer, name, "bob", nullptr, 10)
            ->empty());  // its record went with the old id
}

TEST_CASE("the user index expires with its sessions") {
  const World w;
  REQUIRE(w.save(w.head("ada"), 10, {}, 600s));
  w.clock.advance(660s);
  CHECK(w.backend->sessions_of(w.sealer, name, "ada", nullptr, 10)->empty());
}

TEST_CASE("an unreachable store is unavailable on open, save, renew, remove and listing") {
  const World w;
  const SessionHead h = w.head("ada");
  auto cookie = w.save(h);
  REQUIRE(cookie);
  const StoreBackend down(std::make_shared<DownStore>(), {});
  Placement placement;
  auto opened = down.open_placed(w.sealer, name, *cookie, placement);
  REQUIRE_FALSE(opened);
  CHECK(opened.error() == Error::unavailable);
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += World::payload(h, 10);
  auto saved = down.save(w.sealer, name, h, buffer, w.in(600s));
  REQUIRE_FALSE(saved);
  CHECK(saved.error() == Error::unavailable);
  placement.stored = true;
  CHECK(down.renew(w.sealer, name, h, placement, w.in(600s)).error() == Error::unavailable);
  CHECK(down.remove(h).error() == Error::unavailable);
  CHECK(down.sessions_of(w.sealer, name, "ada", nullptr, 10).error() == Error::unavailable);
}

TEST_CASE("the cookie backend keeps the seam's defaults: no index, renewal by rewrite") {
  const auto cookie = cookieseal::make_cookie_backend();
  const ManualClock clock;
  const Sealer sealer = make_sealer(clock);
  SessionHead h;
  CHECK(cookie->sessions_of(sealer, name, "ada", nullptr, 10).error() == Error::unavailable);
  CHECK(cookie->remove_others(sealer, name, "ada", h).error() == Error::unavailable);
  auto renewed = cookie->renew(sealer, name, h, Placement{}, *clock.now + 60s);
  REQUIRE(renewed);
  CHECK_FALSE(renewed->has_value());
}

TEST_CASE("a store backend needs a store and a hash key of 16 to 64 bytes") {
  CHECK(test_support::config_error_of([] { StoreBackend b(nullptr, {}); }) ==
        "session store: no store given");
  StoreBackendOptions options;
  options.hash_key = "short";
  CHECK_FALSE(test_support::config_error_of([&] {
                StoreBackend b(cookieseal::make_memory_store(), options);
              }).empty());
}

TEST_CASE("a keyed hash gives other store keys than the unkeyed one") {
  StoreBackendOptions options;
  options.hash_key = std::string(32, 'k');
  const StoreBackend keyed(cookieseal::make_memory_store(), options);
  const StoreBackend plain(cookieseal::make_memory_store(), {});
  const std::array<std::uint8_t, 16> id{};
  CHECK(keyed.record_key(id) != plain.record_key(id));
  CHECK(plain.record_key(id).size() == 2 + 2 * cookieseal::store_key_bytes);
  CHECK(keyed.index_key("ada") != plain.index_key("ada"));
}

TEST_CASE("inline_value_limit is the longest cookie value whose Set-Cookie fits 4096 bytes") {
  const cookieseal::CookieAttributes attributes;
  const auto max_age = std::chrono::hours(24 * 7);
  const std::size_t limit = cookieseal::inline_value_limit(name, attributes, max_age);
  CHECK(limit > 3900);
  CHECK(cookieseal::set_cookie_header_size(name, limit, attributes, max_age) ==
        cookieseal::max_set_cookie_bytes);
  CHECK(cookieseal::inline_value_limit(std::string(5000, 'n'), attributes, max_age) == 0);
}

TEST_CASE("any bytes as a stored record give a typed error, never a session or a crash") {
  const World w;
  const SessionHead h = w.head();
  auto cookie = w.save(h);
  REQUIRE(cookie);
  const std::string good = w.stored(h);
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525U + 1013904223U; };
  for (int i = 0; i < 2000; ++i) {
    std::string record = good;
    if (i % 2 == 0) {  // random bytes of a random length
      record.assign(next() % 300, '\0');
      for (char& c : record) c = static_cast<char>(next() >> 24);
    } else {  // the real record with a few characters changed, cut or extended
      for (int k = 0; k < 3; ++k) record[next() % record.size()] = "AZaz09-_"[next() % 8];
      if (next() % 4 == 0) record.resize(next() % record.size());
      if (next() % 4 == 0) record += "AAAA";
    }
    if (record == good) continue;
    w.put(h, record);
    const Error e = w.open_error(*cookie);
    CHECK((e == Error::malformed || e == Error::tampered || e == Error::unsupported_version ||
           e == Error::unknown_key || e == Error::too_large));
  }
}

TEST_CASE("one store backend serves several threads, each committing its own sessions") {
  const World w;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        const SessionHead h = w.head("user");
        auto cookie = w.save(h, static_cast<std::size_t>(i));
        Placement placement;
        if (!cookie || !w.backend->open_placed(w.sealer, name, *cookie, placement) || !placement.stored)
          ++failures;
        if (!w.backend->remove(h)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
}
