// cookieseal - the Redis SessionStore (docs/STORE.md §Redis): GET / SET PX / PEXPIRE / DEL, a
// ZSET per user, EVAL for the version check; on the redis:: connection layer and its pool
#include <cookieseal/redis.hpp>
#include <cookieseal/session_store.hpp>

#include "crypto/sodium.hpp"  // randombytes_buf, sodium_hex2bin
#include "encoding/text.hpp"  // to_hex
#include "redis/connection.hpp"

#include <hiredis/hiredis.h>  // redisReply, REDIS_REPLY_*

#include <array>
#include <charconv>
#include <string>
#include <utility>

namespace cookieseal {
namespace {

using Clock = std::chrono::system_clock;
using redis::Args;
using redis::Expect;

// A stored value is [16 hex digits of its version | the record]: the version travels with the
// record in one key, so a read is one GET and a check one script.
constexpr std::size_t version_chars = 16;

// Every request loads and commits through the store, so a server keeps as many connections as
// it serves requests at once (cpp-httplib runs 8 threads or more). With fewer kept idle, the
// rest were closed after each call and opened again: a TCP connect and close every few requests
// (measured: 3,326 connections for 28,968 requests with 4 kept). Idle connections cost one
// socket each.
constexpr std::size_t max_idle_connections = 64;

// Writes only if the stored version is still ARGV[3] ("0000000000000000": no record).
constexpr std::string_view save_if_script =
    "local cur = redis.call('GET', KEYS[1])\n"
    "local have = cur and string.sub(cur, 1, 16) or '0000000000000000'\n"
    "if have ~= ARGV[3] then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return 1\n";

// Adds a member scored by its expiry (ms), drops expired ones, and lets the index live as
// long as its latest member.
constexpr std::string_view index_add_script =
    "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])\n"
    "local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')\n"
    "if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end\n"
    "return 1\n";

std::string hex_version(std::uint64_t v) {
  std::array<std::uint8_t, 8> be{};
  for (int i = 7; i >= 0; --i, v >>= 8) be[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return detail::to_hex(be);
}

bool parse_version(std::string_view text, std::uint64_t& v) noexcept {
  if (text.size() != version_chars) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 16);
  return ec == std::errc() && end == text.data() + text.size() && v != 0;
}

std::uint64_t fresh_version() {
  std::uint64_t v = 0;
  while (v == 0) randombytes_buf(&v, sizeof v);  // random: no counter to keep, none reused
  return v;
}

std::string millis(std::chrono::milliseconds ms) {
  return std::to_string(std::max<std::int64_t>(ms.count(), 1));
}
std::string epoch_millis(Clock::time_point t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::string_view text(const redisReply& r) noexcept { return {r.str, r.len}; }

class RedisStore final : public SessionStore {
 public:
  explicit RedisStore(RedisSettings settings)
      : prefix_(settings.prefix), pool_(std::move(settings), max_idle_connections) {}

  Result<std::optional<StoredRecord>> load(std::string_view key) override {
    const std::string k = name(key);
    Result<redis::Reply> reply = run(Args{"GET", k});
    if (!reply) return reply.error();
    const redisReply& r = **reply;
    if (r.type == REDIS_REPLY_NIL) return std::optional<StoredRecord>();
    if (r.type != REDIS_REPLY_STRING) return Error::bad_payload;
    StoredRecord out;
    // A value without a valid version head was not written by this store: malformed.
    if (!parse_version(text(r).substr(0, version_chars), out.version)) return Error::malformed;
    out.record.assign(text(r).substr(version_chars));
    return std::optional<StoredRecord>(std::move(out));
  }

  Result<std::uint64_t> save(std::string_view key, std::string_view record, std::chrono::milliseconds ttl,
                             std::optional<std::uint64_t> expected) override {
    const Write w(*this, key, record, ttl, expected);
    return w.result(run(w.args, w.expect));
  }

  // SET (or the checked EVAL) and the index script pipelined on one connection: one round trip.
  Result<std::uint64_t> save_indexed(std::string_view key, std::string_view record,
                                     std::chrono::milliseconds ttl, std::optional<std::uint64_t> expected,
                                     const IndexUpdate& update) override {
    const Write w(*this, key, record, ttl, expected);
    const IndexArgs i(*this, update);
    auto [saved, indexed] = run_pair(w.args, w.expect, i.args, Expect::integer);
    Result<std::uint64_t> out = w.result(std::move(saved));
    if (out && !indexed) return indexed.error();
    return out;
  }

  Result<void> remove(std::string_view key) override {
    Result<redis::Reply> del = run(Args{"DEL", name(key)}, Expect::integer);
    if (!del) return del.error();
    return {};
  }

  Result<bool> touch(std::string_view key, std::chrono::milliseconds ttl) override {
    Result<redis::Reply> r = run(Args{"PEXPIRE", name(key), millis(ttl)}, Expect::integer);
    if (!r) return r.error();
    return (*r)->integer == 1;
  }

  Result<void> index_add(std::string_view index, std::string_view member,
                         Clock::time_point expires_at) override {
    const IndexArgs i(*this, IndexUpdate{index, member, expires_at});
    Result<redis::Reply> r = run(i.args, Expect::integer);
    if (!r) return r.error();
    return {};
  }

  Result<std::vector<IndexEntry>> index_list(std::string_view index, Clock::time_point now,
                                             std::size_t limit) override {
    const std::string k = name(index);
    const std::string from = "(" + epoch_millis(now);
    const std::string count = std::to_string(limit);
    Result<redis::Reply> r =
        run(Args{"ZRANGEBYSCORE", k, from, "+inf", "WITHSCORES", "LIMIT", "0", count}, Expect::array);
    if (!r) return r.error();
    return entries(**r);
  }

  Result<void> index_remove(std::string_view index, std::string_view member) override {
    Result<redis::Reply> r = run(Args{"ZREM", name(index), member}, Expect::integer);
    if (!r) return r.error();
    return {};
  }

 private:
  // The command that writes a record (SET PX, or the checked EVAL), its strings kept alive with it.
  struct Write {
    Write(const RedisStore& store, std::string_view key, std::string_view record,
          std::chrono::milliseconds ttl, std::optional<std::uint64_t> expected)
        : version(fresh_version()), k(store.name(key)), value(hex_version(version)), px(millis(ttl)) {
      value.append(record);
      if (expected) {
        want = hex_version(*expected);
        args = Args{"EVAL", save_if_script, "1", k, value, px, want};
        expect = Expect::integer;
      } else {
        args = Args{"SET", k, value, "PX", px};
      }
    }
    // The save's outcome from its reply: the new version, or conflict when the check failed.
    [[nodiscard]] Result<std::uint64_t> result(Result<redis::Reply> reply) const {
      if (!reply) return reply.error();
      if (expect == Expect::integer && (*reply)->integer != 1) return Error::conflict;
      return version;
    }
    Write(const Write&) = delete;  // args views its own strings
    Write& operator=(const Write&) = delete;
    std::uint64_t version;
    std::string k, value, px, want;
    Args args;
    Expect expect = Expect::status;
  };

  // The index script's arguments for one entry.
  struct IndexArgs {
    IndexArgs(const RedisStore& store, const IndexUpdate& u)
        : k(store.name(u.index)),
          score(epoch_millis(u.expires_at)),
          now(epoch_millis(Clock::now())),
          args{"EVAL", index_add_script, "1", k, score, u.member, now} {}
    IndexArgs(const IndexArgs&) = delete;  // args views its own strings
    IndexArgs& operator=(const IndexArgs&) = delete;
    std::string k, score, now;
    Args args;
  };

  // <prefix>{<key>}: the backend's key is the Cluster hash tag, so each record is its own slot.
  [[nodiscard]] std::string name(std::string_view key) const {
    std::string out = prefix_;
    out += '{';
    out.append(key);
    out += '}';
    return out;
  }

  // One command on a pooled connection: no lock is held during the round trip.
  Result<redis::Reply> run(const Args& args, Expect expect = Expect::any) {
    Result<redis::Pool::Lease> lease = pool_.acquire();
    if (!lease) return lease.error();
    return (*lease)->command(args, expect);
  }

  // Two commands in one round trip on one pooled connection: both sent, then both replies read
  // in order, whatever the first one was (an error reply is consumed like any other), so the
  // connection stays in step; an I/O failure breaks it and the pool drops it.
  std::pair<Result<redis::Reply>, Result<redis::Reply>> run_pair(const Args& a, Expect ea, const Args& b,
                                                                 Expect eb) {
    Result<redis::Pool::Lease> lease = pool_.acquire();
    if (!lease) return {lease.error(), lease.error()};
    redis::Connection& c = **lease;
    if (Result<void> r = c.append(a); !r) return {r.error(), r.error()};
    if (Result<void> r = c.append(b); !r) return {r.error(), r.error()};
    Result<redis::Reply> first = c.read_reply(ea);
    Result<redis::Reply> second = c.read_reply(eb);
    return {std::move(first), std::move(second)};
  }

  // [member, score, member, score, ...] from ZRANGEBYSCORE WITHSCORES; anything else is
  // bad_payload.
  static Result<std::vector<IndexEntry>> entries(const redisReply& r) {
    if (r.elements % 2 != 0) return Error::bad_payload;
    std::vector<IndexEntry> out;
    out.reserve(r.elements / 2);
    for (std::size_t i = 0; i < r.elements; i += 2) {
      const redisReply* member = r.element[i];
      const redisReply* score = r.element[i + 1];
      if (member->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING) return Error::bad_payload;
      std::int64_t ms = 0;
      const std::string_view s = text(*score);
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
      if (ec != std::errc() || end != s.data() + s.size()) return Error::bad_payload;
      out.push_back(IndexEntry{std::string(text(*member)), Clock::time_point(std::chrono::milliseconds(ms))});
    }
    return out;
  }

  std::string prefix_;
  redis::Pool pool_;
};

}  // namespace

std::shared_ptr<SessionStore> make_redis_store(const RedisSettings& settings) {
  settings.validate();  // throws ConfigError naming the field
  return std::make_shared<RedisStore>(settings);
}

}  // namespace cookieseal
