// cookieseal - one Redis connection (hiredis context) with typed replies, and a small pool
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/redis.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace cookieseal::redis {

/// Largest reply accepted (all strings and elements counted); a larger one is Error::too_large.
inline constexpr std::size_t default_max_reply_bytes = std::size_t{4} << 20;

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept;
};
/// A reply owned by the caller.
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

/// What a reply must be; anything else (including nil, unless allowed) is Error::bad_payload.
enum class Expect : std::uint8_t { any, status, integer, string, array };

/// One hiredis context: not thread-safe (one owner at a time). After an I/O error or a
/// timeout the context is unusable (hiredis' rule): broken() turns true and every call
/// returns Error::unavailable; drop it and open another.
class Connection {
 public:
  /// Connects (connect_timeout), sets the command timeout on the socket, then AUTH and
  /// SELECT as the settings say. Error::unavailable on any failure; why in `*why` (never the
  /// password).
  [[nodiscard]] static Result<std::unique_ptr<Connection>> open(const RedisSettings& settings,
                                                                std::string* why = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Sends one command and reads its reply, checked against `expect`. An error reply
  /// (WRONGTYPE, NOPERM, ...) is Error::unavailable: the store refused.
  [[nodiscard]] Result<Reply> command(std::span<const std::string_view> args, Expect expect = Expect::any);
  /// Queues a command without reading (pipelining); read the replies with read_reply().
  [[nodiscard]] Result<void> append(std::span<const std::string_view> args);
  /// Reads the next reply (queued commands first), checked as for command().
  [[nodiscard]] Result<Reply> read_reply(Expect expect = Expect::any);
  /// Sends what append() queued without waiting for replies.
  [[nodiscard]] Result<void> flush();
  /// Reads what the socket has into hiredis' buffer (one read; blocks up to the timeout).
  [[nodiscard]] Result<void> read_socket();
  /// A reply already in hiredis' buffer, or a null Reply when none is complete yet.
  [[nodiscard]] Result<Reply> buffered_reply(Expect expect = Expect::any);

  [[nodiscard]] int fd() const noexcept;
  [[nodiscard]] bool broken() const noexcept { return broken_; }
  /// The last failure, for logs: hiredis' or the server's error text (no secrets).
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }
  void set_max_reply_bytes(std::size_t n) noexcept { max_reply_bytes_ = n; }

 private:
  explicit Connection(redisContext* context) noexcept : context_(context) {}
  Result<Reply> checked(redisReply* raw, Expect expect);
  Error io_failure();
  redisContext* context_;
  bool broken_ = false;
  std::size_t max_reply_bytes_ = default_max_reply_bytes;
  std::string last_error_;
};

/// Total bytes of a reply's strings and element arrays; stops counting past `limit`.
[[nodiscard]] std::size_t reply_bytes(const redisReply& reply, std::size_t limit) noexcept;

/// Exponential backoff with a cap: 50 ms, 100 ms, ... up to `max` (default 5 s).
class Backoff {
 public:
  explicit Backoff(std::chrono::milliseconds first = std::chrono::milliseconds(50),
                   std::chrono::milliseconds max = std::chrono::milliseconds(5000)) noexcept
      : first_(first), max_(max), next_(first) {}
  /// The wait before the next attempt, and doubles it (up to max).
  std::chrono::milliseconds next() noexcept;
  void reset() noexcept { next_ = first_; }

 private:
  std::chrono::milliseconds first_, max_, next_;
};

/// A thread-safe pool of connections to one server. acquire() hands out an idle connection
/// or opens one; after a failed open it fails fast (Error::unavailable, no network) until the
/// backoff delay has passed, so a dead Redis costs callers nothing but the error.
class Pool {
 public:
  explicit Pool(RedisSettings settings, std::size_t max_idle = 4);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A connection on loan: back to the pool when destroyed, unless it broke.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) noexcept : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *c_; }
    Connection* operator->() const noexcept { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  [[nodiscard]] Result<Lease> acquire();
  /// The last connect or command failure text (for logs and the CLI).
  [[nodiscard]] std::string last_error() const;
  [[nodiscard]] const RedisSettings& settings() const noexcept { return settings_; }

 private:
  void give_back(std::unique_ptr<Connection> c);
  friend class Lease;
  const RedisSettings settings_;
  const std::size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  Backoff backoff_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::string last_error_;
};

/// An argument list built of views (the strings must outlive the call).
using Args = std::vector<std::string_view>;

}  // namespace cookieseal::redis
