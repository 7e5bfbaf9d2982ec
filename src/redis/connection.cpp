// cookieseal - redis::Connection, Backoff and Pool over hiredis' blocking API
#include "redis/connection.hpp"

#include <hiredis/hiredis.h>  // redisConnect*WithTimeout, redisSetTimeout, redisReply

#include <sys/time.h>  // timeval

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace cookieseal::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) noexcept {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

bool matches(const redisReply& r, Expect expect) noexcept {
  switch (expect) {
    case Expect::any: return true;
    case Expect::status: return r.type == REDIS_REPLY_STATUS;
    case Expect::integer: return r.type == REDIS_REPLY_INTEGER;
    case Expect::string: return r.type == REDIS_REPLY_STRING;
    case Expect::array: return r.type == REDIS_REPLY_ARRAY;
  }
  return false;
}

// hiredis takes argv as parallel arrays of pointers and lengths.
struct Argv {
  explicit Argv(std::span<const std::string_view> args) {
    ptrs.reserve(args.size());
    lens.reserve(args.size());
    for (std::string_view a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
};

}  // namespace

void ReplyDeleter::operator()(redisReply* r) const noexcept { freeReplyObject(r); }

std::size_t reply_bytes(const redisReply& reply, std::size_t limit) noexcept {
  // Iterative, with a fixed stack: hiredis 0.14 nests replies at most 7 levels deep.
  struct Frame {
    const redisReply* r;
    std::size_t next;
  };
  std::array<Frame, 16> stack{};
  std::size_t depth = 0;
  auto visit = [&](const redisReply& r) {
    std::size_t n = sizeof(redisReply) + r.len;
    if (r.type == REDIS_REPLY_ARRAY) {
      n += r.elements * sizeof(redisReply*);
      if (depth == stack.size()) return limit + 1;  // deeper than hiredis makes: too large
      stack[depth++] = Frame{&r, 0};
    }
    return n;
  };
  std::size_t total = visit(reply);
  while (depth > 0 && total <= limit) {
    Frame& f = stack[depth - 1];
    if (f.next == f.r->elements) {
      --depth;
    } else if (const redisReply* child = f.r->element[f.next++]; child != nullptr) {
      total += visit(*child);
    }
  }
  return total;
}

Result<std::unique_ptr<Connection>> Connection::open(const RedisSettings& settings, std::string* why) {
  auto fail = [&](std::string text) -> Result<std::unique_ptr<Connection>> {
    if (why != nullptr) *why = std::move(text);
    return Error::unavailable;
  };
  const RedisEndpoint& e = settings.endpoint;
  const timeval connect_tv = to_timeval(settings.connect_timeout);
  redisContext* raw = e.unix_path.empty() ? redisConnectWithTimeout(e.host.c_str(), e.port, connect_tv)
                                          : redisConnectUnixWithTimeout(e.unix_path.c_str(), connect_tv);
  if (raw == nullptr) return fail("cannot allocate a redis context");
  std::unique_ptr<Connection> c(new Connection(raw));
  if (raw->err != 0) return fail("connect to " + e.to_string() + ": " + raw->errstr);
  if (redisSetTimeout(raw, to_timeval(settings.command_timeout)) != REDIS_OK) {
    return fail("set timeout: " + std::string(raw->errstr));
  }
  if (!settings.password.empty()) {
    Args auth{"AUTH"};
    if (!e.user.empty()) auth.emplace_back(e.user);
    auth.emplace_back(settings.password);
    // The server's answer names no password (e.g. "WRONGPASS invalid username-password pair").
    if (!c->command(auth, Expect::status))
      return fail("AUTH as " + (e.user.empty() ? "default" : e.user) + ": " + c->last_error());
  }
  if (e.db != 0) {
    const std::string db = std::to_string(e.db);
    const Args select{"SELECT", db};
    if (!c->command(select, Expect::status)) return fail("SELECT " + db + ": " + c->last_error());
  }
  return c;
}

Connection::~Connection() { redisFree(context_); }

int Connection::fd() const noexcept { return context_->fd; }

Error Connection::io_failure() {
  broken_ = true;
  last_error_ = context_->err != 0 ? context_->errstr : "connection closed";
  if (last_error_.empty() || last_error_ == "Resource temporarily unavailable") last_error_ = "timed out";
  return Error::unavailable;
}

Result<Reply> Connection::checked(redisReply* raw, Expect expect) {
  Reply reply(raw);
  if (reply_bytes(*reply, max_reply_bytes_) > max_reply_bytes_) {
    last_error_ = "reply larger than " + std::to_string(max_reply_bytes_) + " bytes";
    return Error::too_large;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    last_error_.assign(reply->str, std::min<std::size_t>(reply->len, 200));
    return Error::unavailable;
  }
  if (!matches(*reply, expect)) {
    last_error_ = reply->type == REDIS_REPLY_NIL ? "nil reply" : "reply of an unexpected type";
    return Error::bad_payload;
  }
  return reply;
}

Result<void> Connection::append(std::span<const std::string_view> args) {
  if (broken_) return Error::unavailable;
  Argv argv(args);  // hiredis 0.14 takes a non-const argv
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.ptrs.data(), argv.lens.data()) !=
      REDIS_OK) {
    return io_failure();
  }
  return {};
}

Result<Reply> Connection::read_reply(Expect expect) {
  if (broken_) return Error::unavailable;
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return io_failure();
  return checked(static_cast<redisReply*>(raw), expect);
}

Result<Reply> Connection::command(std::span<const std::string_view> args, Expect expect) {
  if (auto r = append(args); !r) return r.error();
  return read_reply(expect);
}

Result<void> Connection::flush() {
  if (broken_) return Error::unavailable;
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) return io_failure();
  }
  return {};
}

Result<void> Connection::read_socket() {
  if (broken_) return Error::unavailable;
  if (redisBufferRead(context_) != REDIS_OK) return io_failure();
  return {};
}

Result<Reply> Connection::buffered_reply(Expect expect) {
  if (broken_) return Error::unavailable;
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return io_failure();
  if (raw == nullptr) return Reply{};
  return checked(static_cast<redisReply*>(raw), expect);
}

std::chrono::milliseconds Backoff::next() noexcept {
  const std::chrono::milliseconds wait = next_;
  next_ = std::min(max_, next_ * 2);
  return wait;
}

Pool::Pool(RedisSettings settings, std::size_t max_idle)
    : settings_(std::move(settings)), max_idle_(max_idle) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (pool_ != nullptr && c_) pool_->give_back(std::move(c_));
}

void Pool::give_back(std::unique_ptr<Connection> c) {
  const std::lock_guard lock(mutex_);
  if (c->broken()) {
    last_error_ = c->last_error();
    return;  // dropped: the next acquire opens a fresh one
  }
  if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
}

Result<Pool::Lease> Pool::acquire() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    if (std::chrono::steady_clock::now() < retry_at_) return Error::unavailable;
  }
  std::string why;
  auto opened = Connection::open(settings_, &why);  // outside the lock: it may take a timeout
  const std::lock_guard lock(mutex_);
  if (!opened) {
    last_error_ = why;
    retry_at_ = std::chrono::steady_clock::now() + backoff_.next();
    return Error::unavailable;
  }
  backoff_.reset();
  retry_at_ = {};
  return Lease(this, std::move(*opened));
}

std::string Pool::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace cookieseal::redis
