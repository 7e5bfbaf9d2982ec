// cookieseal - the Redis revocation list: writes to a sorted set + pub/sub, a local replica
// followed by a subscriber thread with periodic full resyncs (docs/REVOCATION.md)
#include <cookieseal/revocation.hpp>

#include "redis/connection.hpp"
#include "revocation/common.hpp"
#include "revocation/entry.hpp"
#include "revocation/replica.hpp"

#include <hiredis/hiredis.h>  // redisReply, REDIS_REPLY_*

#include <fcntl.h>   // O_CLOEXEC, O_NONBLOCK
#include <poll.h>    // poll: the subscriber socket and the stop pipe
#include <unistd.h>  // pipe2, read, write, close

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cookieseal {
namespace {

using namespace std::chrono_literals;
using redis::Expect;

// A full sync reads at most this many entries (about 54 MB of replica); more is garbage or an
// attack through Redis, and the rest is counted as bad rather than allocated.
constexpr std::size_t max_entries = std::size_t{1} << 20 << 4;
constexpr std::size_t scan_count = 1000;  // ZSCAN COUNT hint: bounds one reply
constexpr auto ping_every = 1s;           // subscriber liveness; each PONG proves the replica current

std::int64_t sys_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view text(const redisReply& r) noexcept { return {r.str, r.len}; }

// ZREMRANGEBYSCORE's upper bound for what has expired: scores before the second `now` (an
// entry holds through its forget_at second).
std::string expired_before(std::int64_t now) {
  std::string bound(1, '(');
  bound += std::to_string(now);
  return bound;
}

// A score as Redis prints it ("1700000000", maybe "1.7e+09"); nullopt unless finite.
std::optional<std::int64_t> parse_score(std::string_view s) noexcept {
  double d = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(d) || std::fabs(d) > 1e15)
    return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// The subscriber's liveness probe: one PING at a time.
struct Ping {
  std::int64_t sent = 0;  // when the pending PING went out (seconds since the epoch)
  bool pending = false;
  int unanswered = 0;  // periods the pending PING has waited
};

// Sends a PING unless one is pending; false when one has gone unanswered for three periods
// (the connection is dead without saying so) or the send fails.
bool keep_alive(redis::Connection& sub, Ping& ping) {
  if (ping.pending) return ++ping.unanswered < 3;
  const redis::Args args{"PING"};
  if (!sub.append(args) || !sub.flush()) return false;
  ping = Ping{sys_now(), true, 0};
  return true;
}

// The stop pipe: the destructor writes a byte, the follower's poll() wakes.
class Wakeup {
 public:
  Wakeup() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) throw ConfigError("revocation: cannot create a pipe");
  }
  ~Wakeup() {
    close(fds_[0]);
    close(fds_[1]);
  }
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;
  void signal() noexcept { [[maybe_unused]] auto n = write(fds_[1], "x", 1); }
  [[nodiscard]] int fd() const noexcept { return fds_[0]; }

 private:
  int fds_[2] = {-1, -1};
};

class RedisRevocation final : public Revocation {
 public:
  RedisRevocation(const RedisSettings& settings, RevocationOptions options)
      : options_(options),
        key_("{" + settings.prefix + "revocation}:entries"),
        channel_(settings.prefix + "revocation:events"),
        settings_(settings),
        pool_(settings) {
    if (!options_.follow) return;
    follower_ = std::thread([this] { follow(); });
    std::unique_lock lock(mutex_);
    synced_cv_.wait_for(lock, options_.initial_sync_wait, [this] { return last_complete_.load() != 0; });
  }
  ~RedisRevocation() override {
    stopping_ = true;
    wakeup_.signal();
    if (follower_.joinable()) follower_.join();
  }
  RedisRevocation(const RedisRevocation&) = delete;
  RedisRevocation& operator=(const RedisRevocation&) = delete;

  RevocationVerdict check(const SessionId& id, std::string_view user, std::chrono::sys_seconds created_at,
                          std::chrono::sys_seconds now) const noexcept override;
  void prefetch(const SessionId& id) const noexcept override { replica_.prefetch(id); }
  Result<void> revoke(const SessionId& id, std::chrono::sys_seconds forget_at) override {
    return write(detail::id_member(id), detail::seconds(forget_at));
  }
  Result<void> revoke_user(std::string_view user, std::chrono::sys_seconds not_before,
                           std::chrono::sys_seconds forget_at) override {
    if (auto ok = detail::check_user(user); !ok) return ok;
    return write(detail::user_member(user, detail::seconds(not_before)), detail::seconds(forget_at));
  }
  Result<void> revoke_all(std::chrono::sys_seconds not_before, std::chrono::sys_seconds forget_at) override {
    return write(detail::all_member(detail::seconds(not_before)), detail::seconds(forget_at));
  }
  RevocationStats stats(std::chrono::sys_seconds now) const override;

 private:
  Result<void> write(const std::string& member, std::int64_t forget_at);
  std::array<redis::Args, 2> expire_at(const std::string& when) const;
  bool extend_expiry(redis::Connection& c, std::int64_t latest);
  void follow();
  bool follow_once(redis::Backoff& backoff);
  bool subscribe(redis::Connection& sub);
  bool full_sync(redis::Connection& c);
  bool scan_page(redis::Connection& c, std::string& cursor, std::int64_t now, std::int64_t& latest);
  bool pump(redis::Connection& sub, Ping& ping);
  void on_reply(const redisReply& r, Ping& ping);
  bool wait(int fd, std::chrono::milliseconds timeout) const;
  void mark_complete(std::int64_t at);

  const RevocationOptions options_;
  const std::string key_, channel_;
  const RedisSettings settings_;
  redis::Pool pool_;
  detail::Replica replica_;
  std::atomic<std::int64_t> last_complete_{0};  // 0: never synced
  std::atomic<bool> connected_{false}, stopping_{false};
  std::atomic<std::uint64_t> bad_entries_{0}, resyncs_{0};
  Wakeup wakeup_;
  std::mutex mutex_;
  std::condition_variable synced_cv_;
  std::thread follower_;
};

RevocationVerdict RedisRevocation::check(const SessionId& id, std::string_view user,
                                         std::chrono::sys_seconds created_at,
                                         std::chrono::sys_seconds now) const noexcept {
  const std::int64_t t = detail::seconds(now);
  if (replica_.revoked(id, user, detail::seconds(created_at), t)) return RevocationVerdict::revoked;
  const std::int64_t complete = last_complete_.load(std::memory_order_relaxed);
  if (complete == 0) return RevocationVerdict::stale;  // knows nothing yet
  if (options_.max_stale && t - complete > options_.max_stale->count()) return RevocationVerdict::stale;
  return RevocationVerdict::valid;
}

RevocationStats RedisRevocation::stats(std::chrono::sys_seconds now) const {
  RevocationStats s;
  replica_.fill(s, detail::seconds(now));
  const std::int64_t complete = last_complete_.load();
  s.synced = complete != 0;
  if (s.synced)
    s.staleness = std::chrono::seconds(std::max<std::int64_t>(0, detail::seconds(now) - complete));
  s.connected = connected_.load();
  s.bad_entries = bad_entries_.load();
  s.resyncs = resyncs_.load();
  return s;
}

// ZADD GT (the later forget_at wins), the trim of what has expired, the key's expiry and
// PUBLISH, pipelined: one round trip. The entry is in the sorted set before the message goes
// out, so a server that misses the message finds it at its next full sync. Every reply is
// read, so the connection stays in step even when one of them is an error.
Result<void> RedisRevocation::write(const std::string& member, std::int64_t forget_at) {
  auto lease = pool_.acquire();
  if (!lease) return Error::unavailable;
  redis::Connection& c = **lease;
  const std::string score = std::to_string(forget_at);
  const std::string payload = score + " " + member;
  const std::string expired = expired_before(sys_now());
  const redis::Args zadd{"ZADD", key_, "GT", score, member};
  const redis::Args trim{"ZREMRANGEBYSCORE", key_, "-inf", expired};
  const redis::Args publish{"PUBLISH", channel_, payload};
  const std::string until = std::to_string(forget_at + 1);
  const std::array<redis::Args, 2> expire = expire_at(until);
  if (!c.append(zadd) || !c.append(trim) || !c.append(expire[0]) || !c.append(expire[1]) ||
      !c.append(publish))
    return Error::unavailable;
  bool ok = true;
  for (int i = 0; i < 5; ++i) ok = c.read_reply(Expect::integer).ok() && ok;
  if (!ok) return Error::unavailable;
  detail::apply_entry(replica_, member, forget_at, sys_now());  // this server at once
  return {};
}

// The key's expiry, `when` = the latest forget_at + 1 (an entry holds through its forget_at
// second): EXPIREAT NX gives one to a key that has none (just made by ZADD), then EXPIREAT GT
// moves an existing one later, never earlier. Both, since GT counts a key without expiry as
// expiring never and would not set it. So the key disappears by itself once its last entry
// has expired, even when nobody syncs.
std::array<redis::Args, 2> RedisRevocation::expire_at(const std::string& when) const {
  return {redis::Args{"EXPIREAT", key_, when, "NX"}, redis::Args{"EXPIREAT", key_, when, "GT"}};
}

// A full sync's view of the latest entry, as the key's expiry: heals a key whose entries were
// written without one (by hand, or by a version before writes set it). False only when the
// connection broke; an error reply leaves the replica as good as it was.
bool RedisRevocation::extend_expiry(redis::Connection& c, std::int64_t latest) {
  const std::string when = std::to_string(latest + 1);
  const std::array<redis::Args, 2> expire = expire_at(when);
  if (!c.append(expire[0]) || !c.append(expire[1])) return false;
  (void)c.read_reply(Expect::integer);
  (void)c.read_reply(Expect::integer);
  return !c.broken();
}

void RedisRevocation::mark_complete(std::int64_t at) {
  if (last_complete_.exchange(at) == 0) {
    const std::lock_guard lock(mutex_);
    synced_cv_.notify_all();
  }
}

void RedisRevocation::follow() {
  redis::Backoff backoff(50ms, 2000ms);
  while (!stopping_) {
    follow_once(backoff);
    connected_ = false;
    if (!stopping_) wait(-1, backoff.next());
  }
}

// True when woken by `fd`; false on timeout or stop.
bool RedisRevocation::wait(int fd, std::chrono::milliseconds timeout) const {
  pollfd fds[2] = {{wakeup_.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  const int n = poll(fds, fd < 0 ? 1 : 2, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
  if (n <= 0 || stopping_) return false;
  return (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

// One connection's life: subscribe, full sync, then messages, pings and periodic resyncs
// until something fails. Subscribing first means nothing published after the sync's scan
// started can be missed: it is in the socket when the sync ends.
bool RedisRevocation::follow_once(redis::Backoff& backoff) {
  auto sub = redis::Connection::open(settings_);
  if (!sub || !subscribe(**sub)) return false;
  auto sync = redis::Connection::open(settings_);
  if (!sync) return false;
  connected_ = true;  // before the sync: whoever sees it synced sees it connected
  if (!full_sync(**sync)) return false;
  backoff.reset();
  auto next_sync = std::chrono::steady_clock::now() + options_.resync_interval;
  auto next_ping = std::chrono::steady_clock::now() + ping_every;
  Ping ping;
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    const auto until = std::min(next_sync, next_ping) - now;
    if (wait((*sub)->fd(), std::chrono::duration_cast<std::chrono::milliseconds>(until)) &&
        !pump(**sub, ping)) {
      return false;
    }
    if (std::chrono::steady_clock::now() >= next_ping) {
      if (!keep_alive(**sub, ping)) return false;
      next_ping = std::chrono::steady_clock::now() + ping_every;
    }
    if (std::chrono::steady_clock::now() >= next_sync) {
      if (!full_sync(**sync)) return false;
      next_sync = std::chrono::steady_clock::now() + options_.resync_interval;
    }
  }
  return true;
}

bool RedisRevocation::subscribe(redis::Connection& sub) {
  const redis::Args args{"SUBSCRIBE", channel_};
  auto r = sub.command(args, Expect::array);
  return r && (*r)->elements == 3 && (*r)->element[0]->type == REDIS_REPLY_STRING &&
         text(*(*r)->element[0]) == "subscribe";
}

// Reads what the subscriber socket holds and applies every complete reply.
bool RedisRevocation::pump(redis::Connection& sub, Ping& ping) {
  if (!sub.read_socket()) return false;
  for (;;) {
    auto r = sub.buffered_reply(Expect::array);
    if (!r) {
      if (sub.broken()) return false;
      ++bad_entries_;  // too large or not an array: skipped, the stream stays in step
      continue;
    }
    if (!*r) return true;  // nothing more complete
    on_reply(**r, ping);
  }
}

void RedisRevocation::on_reply(const redisReply& r, Ping& ping) {
  auto is_str = [&](std::size_t i) { return r.element[i]->type == REDIS_REPLY_STRING; };
  if (r.elements == 2 && is_str(0) && text(*r.element[0]) == "pong") {
    // Everything published before the PING has arrived: the replica was complete then.
    ping.pending = false;
    mark_complete(ping.sent);
    return;
  }
  if (r.elements == 3 && is_str(0) && is_str(2) && text(*r.element[0]) == "message") {
    const auto m = detail::parse_message(text(*r.element[2]));
    if (m && detail::apply_entry(replica_, m->member, m->forget_at, sys_now())) return;
  }
  ++bad_entries_;
}

// Drops what has expired from Redis (scores before now: an entry holds through its forget_at),
// reads the whole set into the replica, and makes sure the key expires after its latest entry.
// It adds and never removes: entries leave the replica only when they expire, so a Redis that
// lost its data (restarted without persistence) or had keys deleted cannot un-revoke here.
bool RedisRevocation::full_sync(redis::Connection& c) {
  const std::int64_t now = sys_now();
  const std::string upto = expired_before(now);
  const redis::Args trim{"ZREMRANGEBYSCORE", key_, "-inf", upto};
  if (auto r = c.command(trim, Expect::integer); !r) {
    if (r.error() != Error::unavailable || !c.broken()) ++bad_entries_;  // e.g. WRONGTYPE: garbage at our key
    return false;
  }
  std::string cursor = "0";
  std::size_t pages = 0;
  std::int64_t latest = 0;  // the latest forget_at read
  do {
    if (stopping_ || ++pages > max_entries / scan_count + 1000) return false;  // a cursor that never ends
    if (!scan_page(c, cursor, now, latest)) return false;
  } while (cursor != "0");
  if (latest >= now && !extend_expiry(c, latest)) return false;
  replica_.purge(now);
  ++resyncs_;
  mark_complete(now);
  return true;
}

bool RedisRevocation::scan_page(redis::Connection& c, std::string& cursor, std::int64_t now,
                                std::int64_t& latest) {
  const std::string count = std::to_string(scan_count);
  const redis::Args scan{"ZSCAN", key_, cursor, "COUNT", count};
  auto r = c.command(scan, Expect::array);
  if (!r) {
    if (!c.broken()) ++bad_entries_;
    return false;
  }
  const redisReply& page = **r;
  if (page.elements != 2 || page.element[0]->type != REDIS_REPLY_STRING ||
      page.element[1]->type != REDIS_REPLY_ARRAY || page.element[0]->len > 24) {
    ++bad_entries_;
    return false;
  }
  cursor = std::string(text(*page.element[0]));
  const redisReply& items = *page.element[1];
  for (std::size_t i = 0; i + 1 < items.elements; i += 2) {
    const redisReply& member = *items.element[i];
    const redisReply& score = *items.element[i + 1];
    const auto forget_at = score.type == REDIS_REPLY_STRING ? parse_score(text(score)) : std::nullopt;
    const bool room = replica_.size() < max_entries;
    if (!room || member.type != REDIS_REPLY_STRING || !forget_at ||
        !detail::apply_entry(replica_, text(member), *forget_at, now)) {
      ++bad_entries_;
    } else {
      latest = std::max(latest, *forget_at);
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<Revocation> make_redis_revocation(const RedisSettings& settings, RevocationOptions options) {
  settings.validate();
  if (options.resync_interval <= std::chrono::seconds(0))
    throw ConfigError("revocation: resync_interval must be positive");
  return std::make_unique<RedisRevocation>(settings, options);
}

}  // namespace cookieseal
