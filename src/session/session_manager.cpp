// cookieseal - SessionManager: the glue of keys, policy and backend (docs/ARCHITECTURE.md)
#include <cookieseal/session_manager.hpp>

#include <cookieseal/cookie_header.hpp>  // for_each_cookie
#include <cookieseal/set_cookie.hpp>     // set_cookie_header, delete_cookie_header, set_cookie_header_size

#include "revocation/common.hpp"  // check_user
#include "session/backend.hpp"
#include "session/payload.hpp"
#include "session/policy.hpp"
#include "store/store_backend.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace cookieseal {

// Several cookies of our name arrive when stale ones linger (an old Path or Domain); trying
// each costs one decryption, so a hostile header cannot make a request do more than this.
constexpr int max_candidates = 8;
// The most sessions sessions_of() lists for one user (documented in session_manager.hpp).
constexpr std::size_t max_listed_sessions = 256;

struct SessionManager::State {
  Config config;
  std::string name;
  LiveKeyring keys;
  std::unique_ptr<SessionBackend> backend;
  const StoreBackend* store = nullptr;  // the backend, when it is a store's (for its counters)
  mutable std::array<std::atomic<std::uint64_t>, load_status_count> status_counts{};

  State(Config c, Keyring keyring, SealerOptions options)
      : config(std::move(c)),
        name(config.effective_cookie_name()),
        keys(std::move(keyring), std::move(options)) {
    if (!config.store) {
      backend = make_cookie_backend();
      return;
    }
    StoreBackendOptions o;
    o.mode = config.store_mode;
    o.lifetimes = config.lifetimes;
    // automatic: a session stays in its cookie while even the longest Max-Age keeps the
    // Set-Cookie within 4096 bytes, so moving it never depends on when it is written.
    o.inline_value_bytes = inline_value_limit(name, config.cookie, max_cookie_age);
    auto made = std::make_unique<StoreBackend>(config.store, std::move(o));
    store = made.get();
    backend = std::move(made);
  }
};

namespace {

Config validated(Config config) {
  config.validate();  // throws ConfigError naming the field
  return config;
}

SealerOptions sealer_options(const Config& config) {
  // No browser sends a longer value back than fits a 4096-byte cookie.
  return SealerOptions{config.lifetimes.effective_leeway(), max_set_cookie_bytes, config.clock};
}

// The one point where revocation is consulted: after the cookie opened and the policy accepted
// its head, before the data is decoded. The list answers from memory (no network).
LoadStatus revocation_status(const Config& config, const detail::SessionHead& head,
                             std::chrono::sys_seconds now) noexcept {
  SessionId id;
  id.bytes = head.id;
  const std::chrono::sys_seconds created = policy::at(head.created_at);
  if (config.revocation) {
    switch (config.revocation->check(id, head.user, created, now)) {
      case RevocationVerdict::valid: break;
      case RevocationVerdict::revoked: return LoadStatus::revoked;
      case RevocationVerdict::stale: return LoadStatus::stale;  // too old to trust: fail closed
    }
  }
  if (!config.is_revoked) return LoadStatus::loaded;
  bool revoked = true;  // a hook that throws fails closed
  try {
    revoked = config.is_revoked(id, created);
  } catch (...) {
  }
  return revoked ? LoadStatus::revoked : LoadStatus::loaded;
}

// One load(): every candidate cookie of our name tried in order; more than max_candidates is
// ambiguous.
class Candidates {
 public:
  Candidates(const Config& config, const SessionBackend& backend, const LiveKeyring::Pin& pin,
             std::string_view name, detail::PayloadIo& io, std::chrono::sys_seconds now)
      : config_(config), backend_(backend), pin_(pin), name_(name), io_(io), now_(now) {}

  // Tries one value; false once no more candidates may be tried.
  bool add(std::string_view value) {
    // More cookies of the name than any browser sends for one host: an attacker hiding the
    // victim's cookie behind copies of their own. None is trusted.
    if (tried_ == max_candidates) {
      ambiguous_ = true;
      return false;
    }
    const LoadStatus status = try_value(value);
    if (status != LoadStatus::loaded && !first_refusal_) first_refusal_ = status;
    ++tried_;
    return true;
  }

  // The outcome: loaded only when exactly one session opened from at most max_candidates cookies.
  [[nodiscard]] LoadStatus status() const noexcept {
    if (ambiguous_) return LoadStatus::ambiguous;
    if (chosen_) return LoadStatus::loaded;
    return first_refusal_.value_or(LoadStatus::absent);
  }
  [[nodiscard]] const detail::SessionHead& head() const noexcept { return *chosen_; }
  [[nodiscard]] std::chrono::sys_seconds expires_at() const noexcept { return expires_at_; }
  [[nodiscard]] KeyId key_id() const noexcept { return key_id_; }
  [[nodiscard]] bool needs_reseal() const noexcept { return needs_reseal_; }
  [[nodiscard]] const detail::Placement& placement() const noexcept { return placement_; }

 private:
  LoadStatus try_value(std::string_view value) {
    detail::Placement placement;
    Result<Opened> opened = backend_.open_placed(pin_.sealer(), name_, value, placement);
    if (!opened) return load_status_of(opened.error());
    // The head first: the policy decides before any data is decoded.
    detail::SessionHead head;
    if (!detail::read_head(opened->plaintext(), io_.layout(), head)) return LoadStatus::bad_payload;
    // A stored session's idle clock is its reference's: a renewal moved that without a rewrite.
    if (placement.stored) head.issued_at = std::max(head.issued_at, placement.issued_at);
    if (const LoadStatus s = policy::check_head(head, now_, config_.lifetimes); s != LoadStatus::loaded)
      return s;
    // The data is decoded (into load()'s local value) while the revocation list's memory for
    // this id is fetched: with a large list that read misses the cache, and the decoding hides
    // it. A revoked session's data is then dropped; a later candidate's read replaces it.
    if (config_.revocation) config_.revocation->prefetch(SessionId{head.id});
    const bool first = !chosen_;
    if (first && !io_.read(opened->plaintext(), head)) return LoadStatus::bad_payload;
    if (const LoadStatus s = revocation_status(config_, head, now_); s != LoadStatus::loaded) return s;
    if (!first) {
      if (head.id != chosen_->id) ambiguous_ = true;  // two sessions: a planted cookie is one
      return LoadStatus::loaded;
    }
    chosen_ = std::move(head);
    expires_at_ = placement.stored ? placement.expires_at : opened->expires_at();
    key_id_ = opened->key_id();
    // An old layout, or a record or reference under an old key, is rewritten.
    needs_reseal_ = opened->needs_reseal() || chosen_->legacy || placement.reference_needs_reseal;
    placement_ = std::move(placement);
    if (placement_.stored) placement_.user = chosen_->user;
    pin_.count_open(key_id_);
    if (placement_.stored && placement_.reference_key != key_id_.bytes) {
      KeyId reference;
      reference.bytes = placement_.reference_key;
      pin_.count_open(reference);
    }
    return LoadStatus::loaded;
  }

  const Config& config_;
  const SessionBackend& backend_;
  const LiveKeyring::Pin& pin_;
  std::string_view name_;
  detail::PayloadIo& io_;
  std::chrono::sys_seconds now_;
  std::optional<detail::SessionHead> chosen_;
  std::optional<LoadStatus> first_refusal_;
  std::chrono::sys_seconds expires_at_{};
  detail::Placement placement_;
  KeyId key_id_;
  bool needs_reseal_ = false;
  bool ambiguous_ = false;
  int tried_ = 0;
};

}  // namespace

std::string CommitError::message() const {
  switch (error) {
    case Error::too_large:
      if (stored_record) {
        return "session too large for the store: the sealed record would be " + std::to_string(header_bytes) +
               " bytes, the store takes at most " + std::to_string(limit_bytes) +
               "; store less in the session";
      }
      return "session too large: the Set-Cookie header would be " + std::to_string(header_bytes) +
             " bytes, browsers keep at most " + std::to_string(limit_bytes) +
             "; store less in the session, or configure a session store (Config::store, COOKIESEAL_STORE) "
             "in automatic mode";
    case Error::unavailable:
      return "session not written: the session store could not be reached or is full; the browser keeps its "
             "previous cookie";
    case Error::conflict:
      return "session not written: another request changed this session since it was loaded (version check, "
             "Config::check_version); load it again and retry";
    case Error::expired: return "session not written: its store record is gone (the session ended elsewhere)";
    default: break;
  }
  return "session not written: " + std::string(to_string(error));
}

std::string Commit::message() const { return error ? error->message() : std::string(); }

SessionManager::SessionManager(Config config) {
  Config checked = validated(std::move(config));
  Keyring keyring = std::move(*checked.keys);
  checked.keys.reset();  // one owner of the secrets: the live keyring
  SealerOptions options = sealer_options(checked);
  state_ = std::make_unique<State>(std::move(checked), std::move(keyring), std::move(options));
}

SessionManager::~SessionManager() = default;
SessionManager::SessionManager(SessionManager&&) noexcept = default;
SessionManager& SessionManager::operator=(SessionManager&&) noexcept = default;

const std::string& SessionManager::cookie_name() const noexcept { return state_->name; }
const Config& SessionManager::config() const noexcept { return state_->config; }

std::chrono::sys_seconds SessionManager::now() const {
  if (state_->config.clock) return state_->config.clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

void SessionManager::init_fresh(SessionBase& session, LoadStatus status, bool draw_id) const {
  // A session made by its default constructor has a fresh random id already: keep it.
  if (draw_id) session.id_ = SessionId::generate();
  session.created_at_ = now();
  session.expires_at_.reset();
  session.key_id_.reset();
  session.status_ = status;
  session.modified_ = false;
  session.destroyed_ = false;
  session.needs_reseal_ = false;
  session.user_.clear();
  session.own_ttl_ = 0;
  session.extend_by_ = 0;
  session.placement_ = detail::Placement{};
}

Session SessionManager::create() const {
  Session session;
  init_fresh(session, LoadStatus::absent, false);
  return session;
}

Session SessionManager::load(std::string_view cookie_header) const {
  return load(std::span<const std::string_view>(&cookie_header, 1));
}

Session SessionManager::load(std::span<const std::string_view> cookie_headers) const {
  Session session{detail::UnsetId{}};  // its id comes from the cookie, or is drawn if none opens
  Session::Entries entries;            // decoded here; moved into the session only once every check passed
  detail::MapPayloadIo io(&entries, nullptr);
  if (load_into(cookie_headers, session, io)) session.entries_ = std::move(entries);
  return session;
}

bool SessionManager::load_into(std::span<const std::string_view> headers, SessionBase& session,
                               detail::PayloadIo& io) const {
  const State& s = *state_;
  const LiveKeyring::Pin pin = s.keys.pin();  // this request's keyring, whatever rotate() does
  Candidates candidates(s.config, *s.backend, pin, s.name, io, now());
  bool more = true;
  for (std::string_view header : headers) {
    for_each_cookie(header, [&](const CookiePair& pair) {
      if (pair.name != s.name || pair.value.empty()) return true;  // empty: a deleted cookie, i.e. none
      return more = candidates.add(pair.value);
    });
    if (!more) break;
  }
  const LoadStatus status = candidates.status();
  s.status_counts[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  if (status != LoadStatus::loaded) {
    init_fresh(session, status, true);
    return false;
  }
  const detail::SessionHead& head = candidates.head();
  session.id_.bytes = head.id;
  session.created_at_ = policy::at(head.created_at);
  session.expires_at_ = candidates.expires_at();
  session.key_id_ = candidates.key_id();
  session.needs_reseal_ = candidates.needs_reseal();
  session.user_ = head.user;
  session.own_ttl_ = head.ttl;
  session.extend_by_ = 0;
  session.placement_ = candidates.placement();
  session.status_ = LoadStatus::loaded;
  session.modified_ = false;
  session.destroyed_ = false;
  return true;
}

Commit SessionManager::commit(const Session& session) const {
  const detail::MapPayloadIo io(nullptr, &session.entries_);
  return commit_core(session, io);
}

namespace {

detail::SessionHead head_of(const SessionId& id, std::chrono::sys_seconds created_at,
                            std::chrono::sys_seconds now, std::uint32_t own_ttl, std::string_view user) {
  detail::SessionHead head;
  head.id = id.bytes;
  head.created_at = policy::epoch_seconds(created_at);
  head.issued_at = std::max(head.created_at, policy::epoch_seconds(now));
  head.ttl = own_ttl;
  head.user = std::string(user);
  return head;
}

Commit too_large(std::size_t header_bytes) {
  Commit out;
  out.error = CommitError{Error::too_large, header_bytes, max_set_cookie_bytes};
  return out;
}

Commit failed(Error error) {
  Commit out;
  out.error = CommitError{error, 0, max_set_cookie_bytes};
  return out;
}

// A deleting Set-Cookie (same Path and Domain, or the browser keeps the cookie).
Commit removal(const std::string& name, const CookieAttributes& cookie) {
  Result<std::string> header = delete_cookie_header(name, cookie);
  if (!header) return failed(header.error());  // cannot happen: validated at start-up
  Commit out;
  out.action = Commit::Action::remove;
  out.set_cookie = std::move(*header);
  return out;
}

}  // namespace

namespace {

// The own ttl commit() writes: the session's, lengthened by what extend() asked for (capped at
// 400 days; next_expiry caps at the absolute lifetime).
std::uint32_t written_ttl(std::uint32_t own_ttl, std::uint32_t extend_by,
                          const Lifetimes& lifetimes) noexcept {
  if (extend_by == 0) return own_ttl;
  const auto sum =
      std::min(policy::session_ttl(own_ttl, lifetimes) + std::chrono::seconds(extend_by), max_ttl);
  return static_cast<std::uint32_t>(sum.count());
}

}  // namespace

Commit SessionManager::cookie_commit(const std::string& value, std::chrono::sys_seconds expires_at,
                                     std::chrono::sys_seconds now) const {
  const State& s = *state_;
  const std::chrono::seconds max_age = expires_at - now;
  const std::size_t header_bytes =
      s.config.persistent ? set_cookie_header_size(s.name, value.size(), s.config.cookie, max_age)
                          : session_cookie_header_size(s.name, value.size(), s.config.cookie);
  if (header_bytes > max_set_cookie_bytes) return too_large(header_bytes);
  Result<std::string> header = s.config.persistent
                                   ? set_cookie_header(s.name, value, s.config.cookie, max_age, now)
                                   : session_cookie_header(s.name, value, s.config.cookie);
  if (!header) return failed(header.error());  // cannot happen: name and attributes were validated
  Commit out;
  out.action = Commit::Action::set;
  out.set_cookie = std::move(*header);
  return out;
}

detail::SessionHead SessionManager::record_head(const SessionBase& session, std::chrono::sys_seconds now) {
  detail::SessionHead head = head_of(session.id_, session.created_at_, now, session.own_ttl_, session.user_);
  if (session.placement_.stored)
    head.id = session.placement_.id;  // the record read, even after regenerate_id()
  return head;
}

std::chrono::seconds SessionManager::ttl_of(const SessionBase& session) const noexcept {
  const Lifetimes& lifetimes = state_->config.lifetimes;
  return policy::session_ttl(written_ttl(session.own_ttl_, session.extend_by_, lifetimes), lifetimes);
}

Commit SessionManager::commit_core(const SessionBase& session, const detail::PayloadIo& io) const {
  const State& s = *state_;
  const detail::Placement& placement = session.placement_;
  const std::chrono::sys_seconds t = now();
  // 1. destroy() wins over everything: a stored record is deleted (its reference then opens
  //    nothing on any server), and the cookie too (same Path and Domain, or the browser keeps it).
  if (session.destroyed_) {
    if (placement.stored) {
      if (auto removed = s.backend->remove(record_head(session, t)); !removed) return failed(removed.error());
    }
    return removal(s.name, s.config.cookie);
  }
  // 2. The expiry a new cookie would get, and 3. whether one is needed at all.
  const Lifetimes& lifetimes = s.config.lifetimes;
  const std::uint32_t own_ttl = written_ttl(session.own_ttl_, session.extend_by_, lifetimes);
  const std::chrono::seconds ttl = policy::session_ttl(own_ttl, lifetimes);
  const std::chrono::sys_seconds expires_at = policy::next_expiry(session.created_at_, t, ttl, lifetimes);
  const bool due = session.status_ == LoadStatus::loaded && session.expires_at_ &&
                   policy::renewal_due(*session.expires_at_, t, ttl, expires_at, lifetimes);
  if (!session.modified_ && !session.needs_reseal_ && !due) return Commit{};  // Action::none
  // 4. Past its absolute lifetime (it opened within the leeway): the session is over (a
  //    stored record expires by its own ttl).
  if (expires_at <= t) return removal(s.name, s.config.cookie);
  // (The head is built only now: most commits send nothing and need none.)
  const detail::SessionHead head = head_of(session.id_, session.created_at_, t, own_ttl, session.user_);
  const LiveKeyring::Pin pin = s.keys.pin();
  // 5. Renewal of an unmodified stored session: a ttl touch and a new reference, no rewrite.
  if (!session.modified_ && !session.needs_reseal_ && placement.stored) {
    Result<std::optional<std::string>> renewed =
        s.backend->renew(pin.sealer(), s.name, head, placement, expires_at);
    if (!renewed && renewed.error() == Error::expired)
      return removal(s.name, s.config.cookie);  // ended elsewhere
    if (!renewed) return failed(renewed.error());
    if (*renewed) return cookie_commit(**renewed, expires_at, t);
  }
  // 6. Seal under the current primary key (in the cookie, or in the store with a reference),
  //    and refuse what a browser would silently drop.
  detail::Scratch scratch;
  std::string& buffer = scratch.bytes();
  buffer.assign(format::header_bytes, '\0');
  {
    detail::BufferOutputArchive ar(buffer);
    io.write(ar, head);
  }
  const std::size_t plaintext_bytes = buffer.size() - format::header_bytes;
  const SaveContext context{placement, s.config.check_version};
  Result<std::string> value = s.backend->save_placed(pin.sealer(), s.name, head, buffer, expires_at, context);
  if (value) return cookie_commit(*value, expires_at, t);
  if (value.error() != Error::too_large) return failed(value.error());
  if (s.store) {  // the record was over the store's limit (a cookie would have been placed inline)
    Commit out;
    // A record is the raw sealed bytes: header, ciphertext and tag (docs/STORE.md §Record).
    out.error = CommitError{Error::too_large, format::min_raw_bytes + plaintext_bytes,
                            s.store->max_record_bytes(), true};
    return out;
  }
  const std::size_t value_bytes = format::cookie_length(plaintext_bytes);
  return too_large(s.config.persistent
                       ? set_cookie_header_size(s.name, value_bytes, s.config.cookie, expires_at - t)
                       : session_cookie_header_size(s.name, value_bytes, s.config.cookie));
}

void SessionManager::rotate(Keyring keyring) { state_->keys.rotate(std::move(keyring)); }

void SessionManager::reload_keys() { rotate(state_->config.key_source.read()); }

namespace {

Revocation& revocation_list(const Config& config) {
  if (!config.revocation) {
    throw std::logic_error(
        "cookieseal: revoke*() needs a revocation list (Config::revocation, COOKIESEAL_REVOCATION)");
  }
  return *config.revocation;
}

}  // namespace

Result<void> SessionManager::revoke(const SessionBase& session) const {
  const Config& c = state_->config;
  return revocation_list(c).revoke(session.id(), policy::forget_at(session.created_at(), c.lifetimes));
}

// Every session created until now: a not-before of now + 1 s, since created_at has whole seconds
// and one made earlier in this second must go too (a login in the same second simply repeats).
Result<void> SessionManager::revoke_user(std::string_view user) const {
  const Config& c = state_->config;
  const std::chrono::sys_seconds t = now();
  return revocation_list(c).revoke_user(user, t + std::chrono::seconds(1), policy::forget_at(t, c.lifetimes));
}

Result<void> SessionManager::revoke_all() const {
  const Config& c = state_->config;
  const std::chrono::sys_seconds t = now();
  return revocation_list(c).revoke_all(t + std::chrono::seconds(1), policy::forget_at(t, c.lifetimes));
}

Result<std::vector<SessionListing>> SessionManager::sessions_of(std::string_view user,
                                                                const SessionBase* current) const {
  const State& s = *state_;
  if (!s.store) return Error::unavailable;  // sessions in cookies exist only in browsers
  if (Result<void> checked = detail::check_user(user); !checked) return checked.error();
  const LiveKeyring::Pin pin = s.keys.pin();
  std::optional<detail::SessionHead> head;
  if (current != nullptr) head = record_head(*current, now());
  return s.backend->sessions_of(pin.sealer(), s.name, user, head ? &*head : nullptr, max_listed_sessions);
}

Result<std::size_t> SessionManager::end_other_sessions(const SessionBase& current) const {
  const State& s = *state_;
  if (!s.store) return Error::unavailable;
  if (current.user_.empty()) return Error::malformed;  // whose other sessions? set_user() first
  const LiveKeyring::Pin pin = s.keys.pin();
  return s.backend->remove_others(pin.sealer(), s.name, current.user_, record_head(current, now()));
}

Usage SessionManager::usage() const {
  Usage usage;
  if (state_->store) usage.record_errors = state_->store->record_errors();
  usage.keys = state_->keys.usage();
  if (state_->config.revocation) usage.revocation = state_->config.revocation->stats(now());
  for (std::size_t i = 0; i < load_status_count; ++i) {
    usage.by_status[i] = state_->status_counts[i].load(std::memory_order_relaxed);
  }
  return usage;
}

}  // namespace cookieseal
