// cookieseal fuzz - server-side session records: any bytes a store hands back, opened by load()
//
// A SessionManager in store mode (server) over a memory store, clock fixed at 2026-01-01, holds
// one session; its reference cookie is what every iteration loads, with the fuzz input put in
// the store as that session's record (docs/STORE.md §Record) — what a tampered, corrupted or
// foreign Redis value looks like to the library.
// Input: byte 0 picks how the rest becomes the record:
//  - even: the bytes themselves (a raw record: header, ciphertext, tag);
//  - odd: an authentic record whose plaintext is the bytes (sealed with key A under a fixed
//    nonce and the record name), with the session's id patched in at plaintext bytes 2-17 when
//    there is room, so the payload decoders judge the rest.
// Checks: load() never throws or crashes and gives a fresh session with a store-record reason
// (malformed, unsupported_version, unknown_key, tampered, expired, bad_payload), or the
// session itself (same id); every refusal is counted in usage().record_errors; a loaded
// session commits and loads back as the same session.

#include "fixed_nonce.hpp"  // tests/support
#include "fuzz_support.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include "encoding/base64url.hpp"
#include "store/store_backend.hpp"

#include <array>
#include <chrono>
#include <numeric>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t fixed_now = 1767225600;  // 2026-01-01T00:00:00Z

const cookieseal::Key& key() {
  static const cookieseal::Key k = cookieseal::Key::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  return k;
}

struct World {
  std::shared_ptr<cookieseal::SessionStore> store;
  std::optional<cookieseal::SessionManager> manager;
  std::string reference;  // the Cookie header that points at the record
  cookieseal::SessionId id;
  std::string record_key;
};

World& world() {
  static World w = [] {
    World out;
    cookieseal::MemoryStoreOptions o;
    o.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(fixed_now)); };
    out.store = cookieseal::make_memory_store(o);
    cookieseal::Config config;
    std::vector<cookieseal::Key> keys;
    keys.push_back(key().clone());
    config.keys.emplace(std::move(keys));
    config.clock = [] { return std::chrono::sys_seconds(std::chrono::seconds(fixed_now)); };
    config.store = out.store;
    config.store_mode = cookieseal::StoreMode::server;
    out.manager.emplace(std::move(config));
    cookieseal::Session s = out.manager->create();
    s.set("user", "ada");
    const cookieseal::Commit c = out.manager->commit(s);
    FUZZ_CHECK(c.ok() && c.set_cookie.has_value());
    out.reference = c.set_cookie->substr(0, c.set_cookie->find(';'));
    out.id = s.id();
    out.record_key = cookieseal::StoreBackend(out.store, {}).record_key(s.id().bytes);
    return out;
  }();
  return w;
}

// An authentic record of `plaintext` (the session's id patched in where a payload holds it).
std::string authentic_record(std::span<const std::uint8_t> input, const cookieseal::SessionId& id) {
  std::vector<std::uint8_t> plaintext(input.begin(), input.end());
  if (plaintext.size() >= 2 + cookieseal::SessionId::size) {
    std::copy(id.bytes.begin(), id.bytes.end(), plaintext.begin() + 2);
  }
  static constexpr std::array<std::uint8_t, cookieseal::format::nonce_bytes> nonce{};
  const std::string text = test_support::seal_with_fixed_nonce(
      key(), cookieseal::StoreBackend::record_name(world().manager->cookie_name()), fixed_now + 3600, nonce,
      plaintext);
  std::string raw(cookieseal::detail::base64url_decoded_length(text.size()), '\0');
  FUZZ_CHECK(cookieseal::detail::base64url_decode(text, reinterpret_cast<std::uint8_t*>(raw.data())));
  return raw;
}

std::uint64_t refusals(const cookieseal::Usage& usage) {
  return std::accumulate(usage.record_errors.begin(), usage.record_errors.end(), std::uint64_t{0});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  World& w = world();
  const cookieseal::SessionManager& m = *w.manager;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  const bool authentic = (data[0] & 1) != 0;
  const std::string record = authentic ? authentic_record(rest, w.id)
                                       : std::string(reinterpret_cast<const char*>(rest.data()), rest.size());
  if (!w.store->save(w.record_key, record, std::chrono::hours(1), std::nullopt))
    return 0;  // store full: no case

  using cookieseal::LoadStatus;
  const std::uint64_t refused_before = refusals(m.usage());
  cookieseal::Session s = m.load(w.reference);
  const LoadStatus status = s.load_status();
  if (status != LoadStatus::loaded) {
    FUZZ_CHECK(status == LoadStatus::malformed || status == LoadStatus::unsupported_version ||
               status == LoadStatus::unknown_key || status == LoadStatus::tampered ||
               status == LoadStatus::expired || status == LoadStatus::bad_payload);
    FUZZ_CHECK(s.empty() && !s.stored() && s.id() != w.id);
    // A record that did not open is counted; one that opened but is no session payload
    // (bad_payload, expired by its head) is refused by the session layer, like a cookie.
    if (status != LoadStatus::bad_payload && status != LoadStatus::expired) {
      FUZZ_CHECK(refusals(m.usage()) == refused_before + 1);
    }
    return 0;
  }
  FUZZ_CHECK(authentic);  // nothing opens without a key
  FUZZ_CHECK(s.id() == w.id && s.stored());
  // What commit writes loads back as the same session.
  s.mark_modified();
  const cookieseal::Commit out = m.commit(s);
  if (!out.ok() || out.action != cookieseal::Commit::Action::set) return 0;  // e.g. past its lifetime
  const std::string cookie = out.set_cookie->substr(0, out.set_cookie->find(';'));
  const cookieseal::Session again = m.load(cookie);
  FUZZ_CHECK(again.load_status() == LoadStatus::loaded);
  FUZZ_CHECK(again.id() == s.id() && again.entries().size() == s.entries().size());
  return 0;
}
