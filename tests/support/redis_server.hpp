// cookieseal tests - a real redis-server for the tests: started on 127.0.0.1 (a free port) or
// a unix socket in a temp dir, no persistence, stopped in the destructor and killed with the
// test process (PR_SET_PDEATHSIG: when the thread that started it ends, so start servers
// from the test's main thread). A missing redis-server binary throws: the test fails.
#pragma once

#include <cookieseal/redis.hpp>

#include <string>
#include <sys/types.h>
#include <vector>

namespace cookieseal::test {

class RedisServer {
 public:
  struct Options {
    bool unix_socket = false;               ///< listen on a unix socket instead of TCP
    std::vector<std::string> config_lines;  ///< extra redis.conf lines (e.g. ACL users)
  };
  RedisServer() : RedisServer(Options{}) {}
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// Starts it and waits (at most 10 s) until it answers PING; throws std::runtime_error if not.
  void start();
  /// SIGTERM, then SIGKILL after 5 s; waits for the process.
  void stop();
  /// stop() then start() on the same port or socket.
  void restart();
  /// SIGSTOP / SIGCONT: the server keeps its connections open but answers nothing (a network
  /// partition, as a client sees it).
  void freeze();
  void thaw();

  /// Where it listens (db 0, no user).
  [[nodiscard]] RedisEndpoint endpoint() const;
  /// endpoint() as a URL: redis://127.0.0.1:PORT/0 or unix:///tmp/.../redis.sock
  [[nodiscard]] std::string url() const;
  /// Settings for endpoint() with `prefix`, short timeouts.
  [[nodiscard]] RedisSettings settings(std::string prefix = "test:") const;
  [[nodiscard]] const std::string& dir() const noexcept { return dir_; }

 private:
  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cookieseal::test
