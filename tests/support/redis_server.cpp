// cookieseal tests - RedisServer: fork/exec redis-server with a generated config
#include "redis_server.hpp"

#include <hiredis/hiredis.h>  // redisConnect*WithTimeout: the readiness probe

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>  // PR_SET_PDEATHSIG
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace cookieseal::test {
namespace {

using namespace std::chrono_literals;

// A port the kernel just handed out (closed again: a small race, fine for tests).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("test: no free port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

std::string find_redis_server() {
  if (const char* p = std::getenv("COOKIESEAL_REDIS_SERVER")) return p;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t b = 0; b <= dirs.size();) {
    const std::size_t e = std::min(dirs.find(':', b), dirs.size());
    const std::string candidate = dirs.substr(b, e - b) + "/redis-server";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    b = e + 1;
  }
  throw std::runtime_error(
      "redis-server not found on PATH: install it with `scripts/setup.sh redis` "
      "(the Redis tests need a real server and do not skip)");
}

// One round trip: any reply (even NOAUTH) means the server is up.
bool answers(const RedisEndpoint& e) {
  const timeval tv{0, 200'000};
  redisContext* c = e.unix_path.empty() ? redisConnectWithTimeout(e.host.c_str(), e.port, tv)
                                        : redisConnectUnixWithTimeout(e.unix_path.c_str(), tv);
  bool up = false;
  if (c != nullptr && c->err == 0) {
    void* r = redisCommand(c, "PING");
    up = r != nullptr;
    if (r != nullptr) freeReplyObject(r);
  }
  if (c != nullptr) redisFree(c);
  return up;
}

}  // namespace

RedisServer::RedisServer(Options options) : options_(std::move(options)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "cookieseal-redis-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("test: mkdtemp failed");
  dir_ = tmpl;
  if (!options_.unix_socket) port_ = free_port();
  start();
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::start() {
  const std::string binary = find_redis_server();
  const std::string conf = dir_ + "/redis.conf";
  {
    std::ofstream out(conf);
    out << "bind 127.0.0.1\nport " << port_ << "\nsave \"\"\nappendonly no\ndaemonize no\n"
        << "dir " << dir_ << "\nlogfile " << dir_ << "/redis.log\n";
    if (options_.unix_socket) out << "unixsocket " << dir_ << "/redis.sock\nunixsocketperm 700\n";
    for (const std::string& line : options_.config_lines) out << line << '\n';
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("test: fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the test process, even on a crash
    if (getppid() != parent) _exit(1);
    execl(binary.c_str(), binary.c_str(), conf.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!answers(endpoint())) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start; see " + dir_ + "/redis.log");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("redis-server did not answer PING within 10 s");
    }
    std::this_thread::sleep_for(20ms);
  }
}

void RedisServer::freeze() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServer::thaw() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);  // a frozen server cannot act on SIGTERM
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
}

void RedisServer::restart() {
  stop();
  start();
}

RedisEndpoint RedisServer::endpoint() const {
  RedisEndpoint e;
  if (options_.unix_socket) {
    e.unix_path = dir_ + "/redis.sock";
  } else {
    e.host = "127.0.0.1";
    e.port = static_cast<std::uint16_t>(port_);
  }
  return e;
}

std::string RedisServer::url() const { return endpoint().to_string(); }

RedisSettings RedisServer::settings(std::string prefix) const {
  RedisSettings s;
  s.endpoint = endpoint();
  s.prefix = std::move(prefix);
  s.connect_timeout = 500ms;
  s.command_timeout = 1000ms;
  return s;
}

}  // namespace cookieseal::test
