// cookieseal - SessionManager: load (Cookie -> Session) and commit (Session -> Set-Cookie)
#include <cookieseal/session_manager.hpp>

#include <cookieseal/cookie_header.hpp>  // for_each_cookie
#include <cookieseal/set_cookie.hpp>     // set_cookie_header, delete_cookie_header, set_cookie_header_size

#include "session/payload.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>  // std::this_thread::yield while rotate() drains readers
#include <utility>
#include <vector>

namespace cookieseal {

// One keyring's codec and the cookies each of its keys opened. Immutable but for the
// counters; replaced whole by rotate(), so a request holds one consistent generation.
struct SessionManager::Generation {
  Codec codec;
  mutable std::vector<std::atomic<std::uint64_t>> opened;  // by key position; counted from const load()

  Generation(Keyring keyring, Options options)
      : codec(std::move(keyring), std::move(options)), opened(codec.keyring().size()) {}
};

namespace {

// A created_at past 9999-12-31 cannot come from a real clock; refusing it keeps every sum
// below (created_at + max_lifetime + leeway) far from overflow.
constexpr std::uint64_t latest_created_at = 253402300799;

// Several cookies of our name arrive when stale ones linger (an old Path or Domain); trying
// each costs one decryption, so a hostile header cannot make a request do more than this.
constexpr int max_candidates = 8;

Result<std::string> seal_map(const Codec& codec, std::string_view name, const detail::SessionHead& head,
                             std::chrono::sys_seconds expires_at, const void* source,
                             std::size_t* plaintext_bytes) {
  const auto& entries = *static_cast<const Session::Entries*>(source);
  auto r = codec.encode(name, detail::MapPayloadOut{head, &entries}, expires_at);
  if (!r && r.error() == Error::too_large) {
    *plaintext_bytes = detail::map_payload_bytes(head, entries).size();
  }
  return r;
}

}  // namespace

std::string CommitError::message() const {
  if (error == Error::too_large) {
    return "session too large: the Set-Cookie header would be " + std::to_string(header_bytes) +
           " bytes, browsers keep at most " + std::to_string(limit_bytes) +
           "; store less in the session (or keep the data server-side)";
  }
  return "session not written: " + std::string(to_string(error));
}

std::string Commit::message() const { return error ? error->message() : std::string(); }

SessionManager::SessionManager(Config config) : config_(std::move(config)) {
  config_.validate();  // throws ConfigError naming the field; covers the cookie name and attributes
  name_ = config_.effective_cookie_name();
  renew_after_ =
      std::chrono::seconds(std::llround(static_cast<double>(config_.ttl.count()) * config_.renew_share));
  Keyring keyring = std::move(*config_.keys);
  config_.keys.reset();  // one owner of the secrets: the codec
  generation_.store(make_generation(std::move(keyring)).release());
}

SessionManager::~SessionManager() { delete generation_.load(); }

std::unique_ptr<SessionManager::Generation> SessionManager::make_generation(Keyring keyring) const {
  Options options;
  options.ttl = config_.ttl;
  options.leeway = config_.leeway;
  options.max_value_bytes = max_set_cookie_bytes;  // no browser sends a longer value back
  options.clock = config_.clock;
  return std::make_unique<Generation>(std::move(keyring), std::move(options));
}

// A reader's side of the publication protocol (see the members' comment). All seq_cst, so
// that: if the reader saw the epoch unchanged after counting itself, rotate()'s later flip
// and drain-wait see its count; if it saw the epoch change, it retries on the new side and
// can only read the new generation.
class SessionManager::Reader {
 public:
  explicit Reader(const SessionManager& m) noexcept {
    for (;;) {
      const std::uint64_t e = m.epoch_.load();
      counter_ = &m.readers_[e & 1];
      counter_->fetch_add(1);
      if (m.epoch_.load() == e) break;
      counter_->fetch_sub(1);  // a rotation flipped the epoch meanwhile: join the new side
    }
    generation_ = m.generation_.load();
  }
  ~Reader() { counter_->fetch_sub(1); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  const Generation& operator*() const noexcept { return *generation_; }
  const Generation* operator->() const noexcept { return generation_; }

 private:
  std::atomic<std::uint64_t>* counter_ = nullptr;
  const Generation* generation_ = nullptr;
};

std::chrono::sys_seconds SessionManager::now() const {
  if (config_.clock) return config_.clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

void SessionManager::init_fresh(SessionBase& session, LoadStatus status) const {
  // The id made by the session's constructor is fresh and random already: keep it.
  session.created_at_ = now();
  session.expires_at_.reset();
  session.key_id_.reset();
  session.status_ = status;
  session.modified_ = false;
  session.destroyed_ = false;
  session.needs_reseal_ = false;
}

Session SessionManager::create() const {
  Session session;
  init_fresh(session, LoadStatus::absent);
  return session;
}

Session SessionManager::load(std::string_view cookie_header) const {
  return load(std::span<const std::string_view>(&cookie_header, 1));
}

Session SessionManager::load(std::span<const std::string_view> cookie_headers) const {
  Session session;
  OpenFn open = [](const Codec& codec, std::string_view name, std::string_view value,
                   void* target) -> Result<Opened> {
    auto r = codec.decode<detail::MapPayloadIn>(name, value);
    if (!r) return r.error();
    auto& d = r.value();
    static_cast<Session*>(target)->entries_ = std::move(d.value.entries);
    return Opened{d.value.head, d.expires_at, d.key_id, d.needs_reseal};
  };
  ResetFn reset = [](void* target) { static_cast<Session*>(target)->entries_.clear(); };
  load_into(cookie_headers, session, open, reset, &session);
  return session;
}

void SessionManager::load_into(std::span<const std::string_view> headers, SessionBase& session, OpenFn open,
                               ResetFn reset, void* target) const {
  const Reader gen(*this);  // this request's keyring, whatever rotate() does meanwhile
  const Codec& codec = gen->codec;

  // One candidate value: decode (codec checks: size, format, key, tag, expiry, payload), then
  // the checks only the session knows: absolute lifetime, then revocation.
  auto try_open = [&](std::string_view value) -> LoadStatus {
    Result<Opened> r = open(codec, name_, value, target);
    if (!r) return load_status_of(r.error());
    const Opened& o = *r;
    if (o.head.created_at > latest_created_at) {
      reset(target);
      return LoadStatus::bad_payload;
    }
    const std::chrono::sys_seconds created{
        std::chrono::seconds(static_cast<std::int64_t>(o.head.created_at))};
    const std::chrono::sys_seconds at = now();
    // Made later than now: a server whose clock runs ahead sealed it. Accepting it would stretch
    // the absolute lifetime by the clock's error, so it is refused beyond the leeway.
    if (created > at + config_.leeway) {
      reset(target);
      return LoadStatus::bad_payload;
    }
    if (at > created + config_.max_lifetime + config_.leeway) {
      reset(target);
      return LoadStatus::expired;  // over, however active: the absolute lifetime
    }
    if (config_.is_revoked) {
      bool revoked = true;  // a hook that throws fails closed
      try {
        revoked = config_.is_revoked(o.head.id, created);
      } catch (...) {
      }
      if (revoked) {
        reset(target);
        return LoadStatus::revoked;
      }
    }
    session.id_ = o.head.id;
    session.created_at_ = created;
    session.expires_at_ = o.expires_at;
    session.key_id_ = o.key_id;
    session.needs_reseal_ = o.needs_reseal;
    session.status_ = LoadStatus::loaded;
    session.modified_ = false;
    session.destroyed_ = false;
    if (const Key* key = codec.keyring().find(o.key_id)) {
      const auto position = static_cast<std::size_t>(key - codec.keyring().keys().data());
      gen->opened[position].fetch_add(1, std::memory_order_relaxed);
    }
    return LoadStatus::loaded;
  };

  std::optional<LoadStatus> first_refusal;
  int candidates = 0;
  bool loaded = false;
  for (std::string_view header : headers) {
    for_each_cookie(header, [&](const CookiePair& pair) {
      if (pair.name != name_ || pair.value.empty()) return true;  // empty: a deleted cookie, i.e. none
      const LoadStatus status = try_open(pair.value);
      if (status == LoadStatus::loaded) {
        loaded = true;
        return false;
      }
      if (!first_refusal) first_refusal = status;
      return ++candidates < max_candidates;
    });
    if (loaded || candidates >= max_candidates) break;
  }

  const LoadStatus status = loaded ? LoadStatus::loaded : first_refusal.value_or(LoadStatus::absent);
  if (!loaded) init_fresh(session, status);
  status_counts_[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
}

Commit SessionManager::commit(const Session& session) const {
  return commit_core(session, &seal_map, &session.entries_);
}

Commit SessionManager::commit_core(const SessionBase& session, SealFn seal, const void* source) const {
  Commit out;
  // 1. destroy() wins over everything: delete the cookie (same Path and Domain, or the
  //    browser keeps it).
  if (session.destroyed_) {
    out.action = Commit::Action::remove;
    out.set_cookie = delete_cookie_header(name_, config_.cookie).value();  // settings validated at start-up
    return out;
  }

  // 2. The expiry a new cookie would get: idle ttl, capped by the absolute lifetime.
  const std::chrono::sys_seconds t = now();
  const std::chrono::sys_seconds end_of_life = session.created_at_ + config_.max_lifetime;
  const std::chrono::sys_seconds expires_at = std::min(t + config_.ttl, end_of_life);

  // 3. Is a cookie needed? Changed, opened by an old key, or due for renewal: once
  //    renew_share of the ttl has passed since issue (remaining <= ttl - renew_after), and
  //    only if that actually moves the expiry (near end_of_life it cannot).
  bool due = false;
  if (session.status_ == LoadStatus::loaded && session.expires_at_) {
    const std::chrono::seconds remaining = *session.expires_at_ - t;
    due = remaining <= config_.ttl - renew_after_ && expires_at > *session.expires_at_;
  }
  if (!session.modified_ && !session.needs_reseal_ && !due) return out;  // Action::none

  // 4. Past its absolute lifetime (it opened within the leeway): the session is over.
  if (expires_at <= t) {
    out.action = Commit::Action::remove;
    out.set_cookie = delete_cookie_header(name_, config_.cookie).value();  // settings validated at start-up
    return out;
  }

  // 5. Seal under the current primary key, and refuse what a browser would silently drop.
  const detail::SessionHead head{session.id_, static_cast<std::uint64_t>(std::max<std::int64_t>(
                                                  0, session.created_at_.time_since_epoch().count()))};
  const std::chrono::seconds max_age = expires_at - t;
  const Reader gen(*this);
  std::size_t plaintext_bytes = 0;
  Result<std::string> value = seal(gen->codec, name_, head, expires_at, source, &plaintext_bytes);
  std::size_t header_bytes = 0;
  if (value) {
    header_bytes = set_cookie_header_size(name_, value->size(), config_.cookie, max_age);
  } else if (value.error() == Error::too_large) {
    header_bytes =
        set_cookie_header_size(name_, format::cookie_length(plaintext_bytes), config_.cookie, max_age);
  } else {  // encode reports only too_large today; any future error is passed on as it is
    out.error = CommitError{value.error(), 0, max_set_cookie_bytes};
    return out;
  }
  if (!value || header_bytes > max_set_cookie_bytes) {
    out.error = CommitError{Error::too_large, header_bytes, max_set_cookie_bytes};
    return out;
  }
  out.action = Commit::Action::set;
  out.set_cookie =
      set_cookie_header(name_, *value, config_.cookie, max_age, t).value();  // base64url, validated settings
  return out;
}

void SessionManager::rotate(Keyring keyring) {
  const std::lock_guard<std::mutex> lock(rotate_mutex_);                   // rotate vs rotate only
  std::unique_ptr<Generation> next = make_generation(std::move(keyring));  // may throw: nothing changed yet
  Generation* const fresh = next.get();
  const Generation* const old = generation_.load();
  generation_.store(next.release());
  // Readers counted on the current side may still hold `old`; readers arriving after the flip
  // count on the other side and read `fresh`. Wait for the current side to drain.
  const std::uint64_t e = epoch_.fetch_add(1);
  while (readers_[e & 1].load() != 0) std::this_thread::yield();
  // Nobody touches old's counters any more: carry them over for the keys that stay.
  const auto& old_keys = old->codec.keyring().keys();
  const auto& new_keys = fresh->codec.keyring().keys();
  for (std::size_t i = 0; i < new_keys.size(); ++i) {
    for (std::size_t j = 0; j < old_keys.size(); ++j) {
      if (old_keys[j].id() == new_keys[i].id()) {
        fresh->opened[i].fetch_add(old->opened[j].load(std::memory_order_relaxed), std::memory_order_relaxed);
      }
    }
  }
  delete old;
}

void SessionManager::reload_keys() { rotate(Keyring::from_env(config_.env_prefix)); }

Usage SessionManager::usage() const {
  Usage usage;
  const Reader gen(*this);
  const auto& keys = gen->codec.keyring().keys();
  usage.keys.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    usage.keys.push_back(KeyUsage{keys[i].id(), i, gen->opened[i].load(std::memory_order_relaxed)});
  }
  for (std::size_t i = 0; i < load_status_count; ++i) {
    usage.by_status[i] = status_counts_[i].load(std::memory_order_relaxed);
  }
  return usage;
}

}  // namespace cookieseal
