// cookieseal tests - Redis settings (URLs, password file) and the connection layer, against a
// real redis-server (tests/support/redis_server.hpp)
#include <cookieseal/error.hpp>
#include <cookieseal/redis.hpp>

#include "redis/connection.hpp"
#include "redis_server.hpp"  // tests/support
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>  // redisReply fields

#include <thread>

#include <sys/wait.h>  // waitpid
#include <unistd.h>    // fork, pipe

#include <fstream>
#include <string>

using cookieseal::ConfigError;
using cookieseal::Error;
using cookieseal::RedisEndpoint;
using cookieseal::RedisSettings;
using cookieseal::redis::Args;
using cookieseal::redis::Connection;
using cookieseal::redis::Expect;
using cookieseal::redis::Pool;
using cookieseal::test::RedisServer;
using test_support::ScopedEnv;

namespace {

std::string config_error(std::string_view url) {
  try {
    (void)RedisEndpoint::parse(url);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::unique_ptr<Connection> connect(const RedisSettings& s) {
  auto c = Connection::open(s);
  REQUIRE(c);
  return std::move(*c);
}

}  // namespace

TEST_CASE("a redis:// URL gives host, port, database and user") {
  const RedisEndpoint e = RedisEndpoint::parse("redis://cache.internal:6380/3");
  CHECK(e.host == "cache.internal");
  CHECK(e.port == 6380);
  CHECK(e.db == 3);
  CHECK(e.unix_path.empty());
  const RedisEndpoint d = RedisEndpoint::parse("redis://10.0.0.5");
  CHECK(d.port == 6379);
  CHECK(d.db == 0);
  const RedisEndpoint v6 = RedisEndpoint::parse("redis://app@[::1]:7000/1");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 7000);
  CHECK(v6.user == "app");
  CHECK(v6.to_string() == "redis://app@[::1]:7000/1");
}

TEST_CASE("a unix:// URL gives the socket path and the database") {
  const RedisEndpoint e = RedisEndpoint::parse("unix:///run/redis/redis.sock?db=2");
  CHECK(e.unix_path == "/run/redis/redis.sock");
  CHECK(e.db == 2);
  CHECK(e.to_string() == "unix:///run/redis/redis.sock?db=2");
}

TEST_CASE("a URL carrying a password is refused, the message says to use the file and never shows it") {
  const std::string why = config_error("redis://app:hunter2-secret@cache:6379/0");
  CHECK(why.find("COOKIESEAL_REDIS_PASSWORD_FILE") != std::string::npos);
  CHECK(why.find("hunter2") == std::string::npos);
  CHECK(config_error("redis://:hunter2@cache").find("hunter2") == std::string::npos);
}

TEST_CASE("malformed Redis URLs are refused with what is wrong") {
  CHECK(config_error("http://cache:6379").find("unknown scheme") != std::string::npos);
  CHECK(config_error("redis://cache:0").find("port") != std::string::npos);
  CHECK(config_error("redis://cache:65536").find("port") != std::string::npos);
  CHECK(config_error("redis://cache:63x9").find("port") != std::string::npos);
  CHECK(config_error("redis://cache:").find("port") != std::string::npos);
  CHECK(config_error("redis://cache/x").find("database") != std::string::npos);
  CHECK(config_error("redis://cache/0?timeout=1").find("query") != std::string::npos);
  CHECK(config_error("redis://").find("no host") != std::string::npos);
  CHECK(config_error("redis://ca che").find("host") != std::string::npos);
  CHECK(config_error("redis://[::1").find("'['") != std::string::npos);
  CHECK(config_error("unix://relative.sock").find("absolute") != std::string::npos);
  CHECK(config_error("unix:///tmp/r.sock?timeout=3").find("db=N") != std::string::npos);
  CHECK(config_error("rediss://cache").find("TLS") != std::string::npos);
  CHECK(config_error("unix:///" + std::string(200, 'a')).find("107") != std::string::npos);
}

TEST_CASE("RedisSettings::from_env reads the password file, user, prefix and timeout") {
  RedisServer scratch;  // only for its temp dir
  const std::string pw = write_file(scratch.dir(), "pw", "s3cret-pass\n");
  const ScopedEnv file("COOKIESEAL_REDIS_PASSWORD_FILE", pw);
  const ScopedEnv user("COOKIESEAL_REDIS_USER", "cookieseal");
  const ScopedEnv prefix("COOKIESEAL_REDIS_PREFIX", "shop:");
  const ScopedEnv timeout("COOKIESEAL_REDIS_TIMEOUT", "250ms");
  const RedisSettings s = RedisSettings::from_env();
  CHECK(s.password == "s3cret-pass");
  CHECK(s.endpoint.user == "cookieseal");
  CHECK(s.prefix == "shop:");
  CHECK(s.command_timeout == std::chrono::milliseconds(250));
  CHECK(s.connect_timeout == std::chrono::milliseconds(250));
}

TEST_CASE("RedisSettings::from_env refuses bad values, naming the variable and never the password") {
  RedisServer scratch;
  auto message = [] {
    try {
      (void)RedisSettings::from_env();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  {
    const ScopedEnv file("COOKIESEAL_REDIS_PASSWORD_FILE", scratch.dir() + "/missing");
    CHECK(message().find("COOKIESEAL_REDIS_PASSWORD_FILE: cannot read") != std::string::npos);
  }
  {
    const ScopedEnv file("COOKIESEAL_REDIS_PASSWORD_FILE",
                         write_file(scratch.dir(), "two", "line-one\nline-two\n"));
    const std::string why = message();
    CHECK(why.find("control character") != std::string::npos);
    CHECK(why.find("line-one") == std::string::npos);
  }
  {
    const ScopedEnv file("COOKIESEAL_REDIS_PASSWORD_FILE", write_file(scratch.dir(), "empty", "\n"));
    CHECK(message().find("is empty") != std::string::npos);
  }
  {
    const ScopedEnv file("COOKIESEAL_REDIS_PASSWORD_FILE",
                         write_file(scratch.dir(), "big", std::string(5000, 'x')));
    CHECK(message().find("longer than 4096") != std::string::npos);
  }
  {
    const ScopedEnv prefix("COOKIESEAL_REDIS_PREFIX", "a{b}");
    CHECK(message().find("hash tag") != std::string::npos);
  }
  {
    const ScopedEnv prefix("COOKIESEAL_REDIS_PREFIX", std::string(65, 'p'));
    CHECK(message().find("1 to 64") != std::string::npos);
  }
  {
    const ScopedEnv prefix("COOKIESEAL_REDIS_PREFIX", " ");  // blank: the default, as every variable
    CHECK(message().empty());
  }
  {
    const ScopedEnv t("COOKIESEAL_REDIS_TIMEOUT", "fast");
    CHECK(message().find("COOKIESEAL_REDIS_TIMEOUT") != std::string::npos);
  }
  {
    const ScopedEnv t("COOKIESEAL_REDIS_TIMEOUT", "0ms");
    CHECK(message().find("not a timeout") != std::string::npos);
  }
}

TEST_CASE("a connection runs commands and checks each reply's type") {
  RedisServer server;
  auto c = connect(server.settings());
  const Args set{"SET", "k", "v"};
  CHECK(c->command(set, Expect::status));
  const Args get{"GET", "k"};
  auto v = c->command(get, Expect::string);
  REQUIRE(v);
  CHECK(std::string((*v)->str, (*v)->len) == "v");
  auto wrong = c->command(get, Expect::integer);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error() == Error::bad_payload);
  const Args missing{"GET", "nothing-here"};
  auto nil = c->command(missing, Expect::string);
  REQUIRE_FALSE(nil);
  CHECK(nil.error() == Error::bad_payload);
  CHECK(c->last_error() == "nil reply");
  const Args zadd{"ZADD", "k", "1", "m"};
  auto refused = c->command(zadd, Expect::integer);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Error::unavailable);
  CHECK(c->last_error().starts_with("WRONGTYPE"));
  CHECK_FALSE(c->broken());  // an error reply leaves the connection usable
  CHECK(c->command(get, Expect::string));
}

TEST_CASE("a reply larger than the cap is Error::too_large and the connection stays in step") {
  RedisServer server;
  auto c = connect(server.settings());
  const std::string big(100'000, 'x');
  const Args set{"SET", "big", big};
  REQUIRE(c->command(set, Expect::status));
  c->set_max_reply_bytes(10'000);
  const Args get{"GET", "big"};
  auto r = c->command(get, Expect::string);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error::too_large);
  const Args ping{"PING"};
  auto pong = c->command(ping, Expect::status);
  REQUIRE(pong);
  CHECK(std::string((*pong)->str, (*pong)->len) == "PONG");
}

TEST_CASE("a connection to a stopped server fails with Error::unavailable and is broken") {
  RedisServer server;
  auto c = connect(server.settings());
  server.stop();
  const Args ping{"PING"};
  auto r = c->command(ping);
  REQUIRE_FALSE(r);
  CHECK(r.error() == Error::unavailable);
  CHECK(c->broken());
  CHECK_FALSE(c->command(ping));
  std::string why;
  auto refused = Connection::open(server.settings(), &why);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Error::unavailable);
  CHECK(why.find("connect to redis://127.0.0.1:") != std::string::npos);
}

TEST_CASE("AUTH with a wrong password fails without the password in the message") {
  RedisServer server({false, {"requirepass right-password"}});
  RedisSettings s = server.settings();
  s.password = "wrong-password";
  std::string why;
  auto c = Connection::open(s, &why);
  REQUIRE_FALSE(c);
  CHECK(why.find("AUTH") != std::string::npos);
  CHECK(why.find("wrong-password") == std::string::npos);
  s.password = "right-password";
  CHECK(Connection::open(s));
}

TEST_CASE("a connection SELECTs the database of the URL and works over a unix socket") {
  RedisServer server({true, {}});
  RedisSettings s = server.settings();
  s.endpoint.db = 2;
  auto c = connect(s);
  const Args set{"SET", "where", "db2"};
  REQUIRE(c->command(set, Expect::status));
  s.endpoint.db = 0;
  auto zero = connect(s);
  const Args get{"GET", "where"};
  CHECK_FALSE(zero->command(get, Expect::string));  // nil: another database
  s.endpoint.db = 99;
  std::string why;
  CHECK_FALSE(Connection::open(s, &why));
  CHECK(why.find("SELECT 99") != std::string::npos);
}

TEST_CASE("the pool reuses connections, fails fast while backing off, and recovers after a restart") {
  RedisServer server;
  Pool pool(server.settings());
  int fd = -1;
  {
    auto lease = pool.acquire();
    REQUIRE(lease);
    fd = (*lease)->fd();
  }
  {
    auto again = pool.acquire();
    REQUIRE(again);
    CHECK((*again)->fd() == fd);  // the idle one came back
  }
  server.stop();
  {
    auto lease = pool.acquire();  // the idle connection: its command fails and it is dropped
    REQUIRE(lease);
    const Args ping{"PING"};
    CHECK_FALSE((*lease)->command(ping));
  }
  CHECK_FALSE(pool.acquire());  // connect refused: the backoff window starts
  CHECK_FALSE(pool.last_error().empty());
  CHECK_FALSE(pool.acquire());  // within the window: no connect attempt at all
  server.start();
  bool back = false;
  for (int i = 0; i < 200 && !back; ++i) {  // the backoff window is at most 5 s
    back = static_cast<bool>(pool.acquire());
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(back);
}

TEST_CASE("backoff doubles from 50 ms up to its cap and resets") {
  cookieseal::redis::Backoff b(std::chrono::milliseconds(50), std::chrono::milliseconds(300));
  CHECK(b.next().count() == 50);
  CHECK(b.next().count() == 100);
  CHECK(b.next().count() == 200);
  CHECK(b.next().count() == 300);
  CHECK(b.next().count() == 300);
  b.reset();
  CHECK(b.next().count() == 50);
}

TEST_CASE("RedisEndpoint::parse of random text either parses or throws ConfigError") {
  std::uint32_t state = 12345;
  auto next = [&] { return state = state * 1103515245U + 12345U; };
  constexpr std::string_view alphabet = "redis:/unix@[]?db=0123456789.:-_ aZ\x01\xff";
  std::size_t parsed = 0;
  for (int i = 0; i < 50'000; ++i) {
    std::string url = (i % 2 == 0) ? "redis://" : "unix://";
    const std::size_t n = next() % 24;
    for (std::size_t j = 0; j < n; ++j) url += alphabet[(next() >> 8) % alphabet.size()];
    try {
      const RedisEndpoint e = RedisEndpoint::parse(url);
      CHECK((e.unix_path.empty() ? e.port > 0 : e.unix_path.starts_with('/')));
      ++parsed;
    } catch (const ConfigError&) {
      // expected for most of them
    }
  }
  CHECK(parsed > 0);
}

TEST_CASE("a test redis-server dies with the process that started it, even one that never cleans up") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    auto* server = new RedisServer();  // never deleted: as if the test process crashed
    const std::string port = std::to_string(server->endpoint().port);
    if (write(fds[1], port.data(), port.size()) < 0) _exit(2);
    _exit(0);  // no destructors run
  }
  close(fds[1]);
  char buf[16] = {};
  const ssize_t n = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(n > 0);
  RedisSettings s;
  s.endpoint.port = static_cast<std::uint16_t>(std::stoi(buf));
  s.connect_timeout = std::chrono::milliseconds(200);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {  // PR_SET_PDEATHSIG: SIGKILL, delivered at once
    gone = !Connection::open(s);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(gone);
}
