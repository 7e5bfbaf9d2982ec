// cookieseal - the store backend (docs/STORE.md): reference cookies, sealed records, user index
#include "store/store_backend.hpp"

#include <cookieseal/detail/archive.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/set_cookie.hpp>  // max_set_cookie_bytes

#include "crypto/sodium.hpp"  // crypto_generichash, sodium_memcmp
#include "encoding/text.hpp"  // to_hex

#include <algorithm>
#include <utility>

namespace cookieseal {
namespace {

using std::chrono::sys_seconds;
using Id = std::span<const std::uint8_t, 16>;

constexpr std::size_t id_offset = 2;  // after the endianness flag and the layout byte
constexpr std::size_t id_bytes = 16;

sys_seconds at(std::uint64_t epoch_seconds) noexcept {
  return sys_seconds(
      std::chrono::seconds(static_cast<std::int64_t>(std::min<std::uint64_t>(epoch_seconds, 1ULL << 40))));
}

std::uint64_t read_le64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

// The reference's id and issue time, when the plaintext is exactly a layout-5 reference as
// seal_reference() writes it (canonical: nothing else is accepted).
bool read_reference(std::span<const std::uint8_t> p, std::array<std::uint8_t, id_bytes>& id,
                    std::uint64_t& issued_at) noexcept {
  if (p.size() != reference_plaintext_bytes || p[0] != detail::payload_little_endian ||
      p[1] != layout_reference) {
    return false;
  }
  std::copy_n(p.data() + id_offset, id_bytes, id.begin());
  issued_at = read_le64(p.data() + id_offset + id_bytes);
  return true;
}

// The head of any session payload (layouts 1-4), whatever its kind, for listings.
bool read_any_head(std::span<const std::uint8_t> p, detail::SessionHead& head) {
  if (p.size() < 2) return false;
  const std::uint8_t l = p[1];
  const bool map = l == detail::layout_map || l == detail::layout_map_v1;
  const bool typed = l == detail::layout_typed || l == detail::layout_typed_v1;
  if (!map && !typed) return false;
  return detail::read_head(p, map ? detail::layout_map : detail::layout_typed, head);
}

// Whether the record's plaintext is a session payload of this id: a record copied under
// another session's key does not open as that session.
bool record_of(std::span<const std::uint8_t> p, Id id) noexcept {
  return p.size() >= id_offset + id_bytes && sodium_memcmp(p.data() + id_offset, id.data(), id_bytes) == 0;
}

}  // namespace

std::size_t inline_value_limit(std::string_view name, const CookieAttributes& attributes,
                               std::chrono::seconds longest_max_age) noexcept {
  // The header grows by exactly one byte per byte of value.
  const std::size_t empty = set_cookie_header_size(name, 0, attributes, longest_max_age);
  return empty >= max_set_cookie_bytes ? 0 : max_set_cookie_bytes - empty;
}

Result<std::string> seal_reference(const Sealer& sealer, std::string_view cookie_name, Id id,
                                   std::uint64_t issued_at, sys_seconds expires_at) {
  // [flag 0x01 | layout 0x05 | id (16) | issued_at (u64 LE)], cereal PortableBinary bytes.
  std::string buffer(format::header_bytes, '\0');
  {
    detail::BufferOutputArchive ar(buffer);
    ar(layout_reference);
    for (std::uint8_t b : id) ar(b);
    ar(issued_at);
  }
  return sealer.seal_prepared(cookie_name, buffer, expires_at);
}

StoreBackend::StoreBackend(std::shared_ptr<SessionStore> store, StoreBackendOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  detail::ensure_sodium();
  if (!store_) throw ConfigError("session store: no store given");
  const std::size_t k = options_.hash_key.size();
  if (k != 0 && (k < crypto_generichash_KEYBYTES_MIN || k > crypto_generichash_KEYBYTES_MAX)) {
    throw ConfigError("session store: hash_key must be 16 to 64 bytes");
  }
}

std::string StoreBackend::record_name(std::string_view cookie_name) {
  return "cookieseal-store:" + std::string(cookie_name);
}

std::string StoreBackend::hash_hex(std::string_view domain, std::span<const std::uint8_t> bytes) const {
  // BLAKE2b-256(domain || bytes), keyed when a hash_key is set: one-way, so the store never
  // holds an id (or, keyed, a user name) and a dump cannot be turned into a cookie.
  crypto_generichash_state state;
  const auto* key = reinterpret_cast<const unsigned char*>(options_.hash_key.data());
  crypto_generichash_init(&state, options_.hash_key.empty() ? nullptr : key, options_.hash_key.size(),
                          store_key_bytes);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()), domain.size());
  crypto_generichash_update(&state, bytes.data(), bytes.size());
  std::array<std::uint8_t, store_key_bytes> out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return detail::to_hex(out);
}

std::string StoreBackend::record_key(Id id) const {
  return "s:" + hash_hex("cookieseal-store-v1/session\n", id);
}

std::string StoreBackend::index_key(std::string_view user) const {
  return "u:" + hash_hex("cookieseal-store-v1/user\n",
                         std::span(reinterpret_cast<const std::uint8_t*>(user.data()), user.size()));
}

Error StoreBackend::count(Error error) const noexcept {
  record_errors_[static_cast<std::size_t>(error)].fetch_add(1, std::memory_order_relaxed);
  return error;
}

std::array<std::uint64_t, error_count> StoreBackend::record_errors() const noexcept {
  std::array<std::uint64_t, error_count> out{};
  for (std::size_t i = 0; i < error_count; ++i) out[i] = record_errors_[i].load(std::memory_order_relaxed);
  return out;
}

std::chrono::milliseconds StoreBackend::store_ttl(const Sealer& sealer, sys_seconds expires_at) {
  // The session's remaining lifetime, plus the leeway its reference cookie still opens for.
  const auto ttl = expires_at - sealer.now() + sealer.options().leeway;
  return std::max<std::chrono::milliseconds>(ttl, std::chrono::seconds(1));
}

Result<Opened> StoreBackend::open(const Sealer& sealer, std::string_view cookie_name,
                                  std::string_view cookie_value) const {
  Placement ignored;
  return open_placed(sealer, cookie_name, cookie_value, ignored);
}

Result<Opened> StoreBackend::open_placed(const Sealer& sealer, std::string_view cookie_name,
                                         std::string_view cookie_value, Placement& placement) const {
  placement = Placement{};
  // 1. The cookie itself, under the cookie name: a reference cannot be forged without a key.
  Result<Opened> cookie = sealer.open(cookie_name, cookie_value);
  if (!cookie) return cookie;
  // 2. The layout byte decides: a full session payload (1-4) is the session itself.
  const auto plaintext = cookie->plaintext();
  if (plaintext.size() < 2 || plaintext[1] != layout_reference) return cookie;
  std::array<std::uint8_t, id_bytes> id{};
  std::uint64_t issued_at = 0;
  if (!read_reference(plaintext, id, issued_at)) return Error::bad_payload;
  placement.expires_at = cookie->expires_at();
  placement.issued_at = issued_at;
  placement.reference_needs_reseal = cookie->needs_reseal();
  static_assert(sizeof(placement.reference_key) == format::key_id_bytes);
  placement.reference_key = cookie->key_id().bytes;
  // 3. The record it points to.
  return open_record(sealer, cookie_name, id, placement);
}

Result<Opened> StoreBackend::open_record(const Sealer& sealer, std::string_view cookie_name, Id id,
                                         Placement& placement) const {
  Result<std::optional<StoredRecord>> loaded = store_->load(record_key(id));
  if (!loaded) return loaded.error();
  if (!*loaded) return Error::expired;  // the store forgot it: logged out, or its ttl passed
  const StoredRecord& stored = **loaded;
  Result<Opened> record =
      sealer.open_record(record_name(cookie_name), stored.record, options_.max_record_bytes);
  if (!record) return count(record.error());
  if (!record_of(record->plaintext(), id)) return count(Error::tampered);
  placement.stored = true;
  placement.version = stored.version;
  std::copy(id.begin(), id.end(), placement.id.begin());
  return record;
}

Result<std::string> StoreBackend::save(const Sealer& sealer, std::string_view cookie_name,
                                       const detail::SessionHead& head, std::string& buffer,
                                       sys_seconds expires_at) const {
  return save_placed(sealer, cookie_name, head, buffer, expires_at, SaveContext{});
}

Result<std::string> StoreBackend::save_placed(const Sealer& sealer, std::string_view cookie_name,
                                              const detail::SessionHead& head, std::string& buffer,
                                              sys_seconds expires_at, const SaveContext& context) const {
  const std::size_t plaintext_bytes = buffer.size() - format::header_bytes;
  const bool inline_fits = format::cookie_length(plaintext_bytes) <= options_.inline_value_bytes;
  if (options_.mode == StoreMode::server || !inline_fits) {
    return store(sealer, cookie_name, head, buffer, expires_at, context);
  }
  // automatic, and it fits the cookie: the cookie is the session; a record it had goes.
  Result<std::string> value = sealer.seal_prepared(cookie_name, buffer, expires_at);
  if (!value || !context.loaded.stored) return value;
  if (Result<void> removed = remove(head); !removed) return removed.error();
  return value;
}

Result<std::string> StoreBackend::store(const Sealer& sealer, std::string_view cookie_name,
                                        const detail::SessionHead& head, std::string& buffer,
                                        sys_seconds expires_at, const SaveContext& context) const {
  // 1. Seal the record under the store name, until the latest any renewal can reach.
  const sys_seconds latest = std::max(expires_at, at(head.created_at) + options_.lifetimes.max_lifetime);
  Result<std::string> record =
      sealer.seal_record(record_name(cookie_name), buffer, latest, options_.max_record_bytes);
  if (!record) return record;
  // 2. One write, with the version check when asked, and the user's index in the same call
  //    (one round trip to Redis).
  std::optional<std::uint64_t> expected;
  if (context.check_version) expected = context.loaded.version;
  const std::string key = record_key(head.id);
  const std::chrono::milliseconds ttl = store_ttl(sealer, expires_at);
  // The index entry lasts until the session's absolute end, so it is written only when the
  // session is new to the store or its id or user changed, not on every write or renewal.
  const bool same_id =
      context.loaded.stored && sodium_memcmp(context.loaded.id.data(), head.id.data(), id_bytes) == 0;
  const bool index_it = !head.user.empty() && !(same_id && context.loaded.user == head.user);
  Result<std::uint64_t> saved = std::uint64_t{0};
  if (!index_it) {
    saved = store_->save(key, *record, ttl, expected);
  } else {
    const std::string index = index_key(head.user);
    saved = store_->save_indexed(key, *record, ttl, expected, index_entry(sealer, index, key, head));
  }
  if (!saved) return saved.error();
  // 3. A new id (regenerate_id()): the record of the old one goes.
  if (context.loaded.stored && !same_id) {
    if (Result<void> removed = remove_id(context.loaded.id, head.user); !removed) return removed.error();
  }
  // 4. The cookie: a reference to it.
  return seal_reference(sealer, cookie_name, head.id, head.issued_at, expires_at);
}

IndexUpdate StoreBackend::index_entry(const Sealer& sealer, std::string_view index, std::string_view key,
                                      const detail::SessionHead& head) const noexcept {
  // The member lives as long as its session can (absolute lifetime and leeway); one that idled
  // out earlier has no record any more, and listings drop it.
  const sys_seconds end = at(head.created_at) + options_.lifetimes.max_lifetime + sealer.options().leeway;
  return IndexUpdate{index, key.substr(2), std::chrono::system_clock::time_point(end)};
}

Result<std::optional<std::string>> StoreBackend::renew(const Sealer& sealer, std::string_view cookie_name,
                                                       const detail::SessionHead& head,
                                                       const Placement& placement,
                                                       sys_seconds expires_at) const {
  if (!placement.stored) return std::optional<std::string>();  // a cookie session is rewritten
  // A ttl touch instead of a rewrite, and a new reference with the new expiry.
  // The user's index entry already lasts until the session's absolute end: nothing to move.
  Result<bool> touched = store_->touch(record_key(head.id), store_ttl(sealer, expires_at));
  if (!touched) return touched.error();
  if (!*touched) return Error::expired;
  Result<std::string> reference = seal_reference(sealer, cookie_name, head.id, head.issued_at, expires_at);
  if (!reference) return reference.error();
  return std::optional<std::string>(std::move(*reference));
}

Result<void> StoreBackend::remove(const detail::SessionHead& head) const {
  return remove_id(head.id, head.user);
}

Result<void> StoreBackend::remove_id(Id id, std::string_view user) const {
  const std::string key = record_key(id);
  if (Result<void> removed = store_->remove(key); !removed) return removed;
  if (user.empty()) return {};
  return store_->index_remove(index_key(user), std::string_view(key).substr(2));
}

Result<std::vector<SessionListing>> StoreBackend::sessions_of(const Sealer& sealer,
                                                              std::string_view cookie_name,
                                                              std::string_view user,
                                                              const detail::SessionHead* current,
                                                              std::size_t limit) const {
  const std::string index = index_key(user);
  const auto now = std::chrono::system_clock::time_point(sealer.now());
  Result<std::vector<IndexEntry>> members =
      store_->index_list(index, now, std::min(limit, options_.max_listed));
  if (!members) return members.error();
  const std::string current_key = current ? record_key(current->id).substr(2) : std::string();
  std::vector<SessionListing> out;
  for (const IndexEntry& entry : *members) {
    // Each member is checked against its record: the index may outlive a logout or a change
    // of user, and only a record that opens as this user's session is listed.
    Result<std::optional<StoredRecord>> loaded = store_->load("s:" + entry.member);
    if (!loaded) return loaded.error();
    detail::SessionHead head;
    std::optional<Result<Opened>> record;
    if (*loaded) {
      record.emplace(
          sealer.open_record(record_name(cookie_name), (*loaded)->record, options_.max_record_bytes));
    }
    if (!record || !*record || !read_any_head((**record).plaintext(), head) || head.user != user ||
        record_key(head.id).substr(2) != entry.member) {
      if (record && !*record) count(record->error());
      if (Result<void> dropped = store_->index_remove(index, entry.member); !dropped) return dropped.error();
      continue;
    }
    out.push_back(SessionListing{entry.member, head.created_at, head.issued_at,
                                 std::chrono::floor<std::chrono::seconds>(entry.expires_at),
                                 entry.member == current_key});
  }
  return out;
}

Result<std::size_t> StoreBackend::remove_others(const Sealer& sealer, std::string_view cookie_name,
                                                std::string_view user,
                                                const detail::SessionHead& keep) const {
  Result<std::vector<SessionListing>> listed =
      sessions_of(sealer, cookie_name, user, &keep, options_.max_listed);
  if (!listed) return listed.error();
  const std::string index = index_key(user);
  std::size_t ended = 0;
  for (const SessionListing& s : *listed) {
    if (s.current) continue;
    if (Result<void> removed = store_->remove("s:" + s.handle); !removed) return removed.error();
    if (Result<void> dropped = store_->index_remove(index, s.handle); !dropped) return dropped.error();
    ++ended;
  }
  return ended;
}

}  // namespace cookieseal
