// cookieseal - where a Redis server is and how to log in to it (revocation list, stores)
#pragma once

#include <cookieseal/export.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cookieseal {

/// A Redis server's address, from a URL (docs/CONFIGURATION.md §Redis):
///   `redis://[user@]host[:port][/db]`   TCP; host a name, IPv4 or [IPv6]; port default 6379
///   `unix:///path/to/socket[?db=N]`     a unix socket (absolute path)
/// A URL holding a password (`redis://user:secret@...`) is refused: the password comes from
/// a file (COOKIESEAL_REDIS_PASSWORD_FILE), so it is never in a process list or a log line.
struct RedisEndpoint {
  std::string host = "127.0.0.1";  ///< TCP host, when `unix_path` is empty. Default 127.0.0.1.
  std::uint16_t port = 6379;       ///< TCP port. Default 6379.
  std::string unix_path;           ///< the socket's path; empty for TCP. Default empty.
  int db = 0;                      ///< the database SELECTed after connecting. Default 0.
  std::string user;                ///< ACL user name for AUTH (not secret); empty: `default`.

  /// Parses a URL as above. Throws ConfigError naming what is wrong (never echoing a password).
  /// Example: `auto e = cookieseal::RedisEndpoint::parse("redis://10.0.0.5:6380/2");`
  [[nodiscard]] COOKIESEAL_API static RedisEndpoint parse(std::string_view url);
  /// The endpoint as a URL without any secret, for logs: `redis://host:port/db` or `unix://...`.
  [[nodiscard]] COOKIESEAL_API std::string to_string() const;
};

/// How cookieseal talks to Redis: endpoint, credentials, key prefix and timeouts. A plain
/// struct; every field says its default. The password is never printed by anything.
struct RedisSettings {
  RedisEndpoint endpoint;  ///< Default 127.0.0.1:6379, db 0.
  /// AUTH password (read from COOKIESEAL_REDIS_PASSWORD_FILE by from_env); empty: no AUTH.
  std::string password;
  /// Start of every key and channel name, so that applications can share a Redis. Printable
  /// ASCII without space, '{' or '}' (key names put it in a Cluster hash tag, docs/REVOCATION.md).
  /// Default "cookieseal:".
  std::string prefix = "cookieseal:";
  std::chrono::milliseconds connect_timeout{1000};  ///< TCP/unix connect. Default 1 s.
  std::chrono::milliseconds command_timeout{1000};  ///< one command's round trip. Default 1 s.

  /// Reads `<var_prefix>REDIS_PASSWORD_FILE`, `..._REDIS_USER`, `..._REDIS_PREFIX` and
  /// `..._REDIS_TIMEOUT` (both timeouts: 500ms, 2s) over the defaults; the endpoint is left at
  /// its default (the variable naming the server, e.g. COOKIESEAL_REVOCATION, sets it).
  /// Throws ConfigError naming the variable for a bad value or an unreadable password file;
  /// the message never contains the password.
  /// Example: `auto s = cookieseal::RedisSettings::from_env(); s.endpoint = RedisEndpoint::parse(url);`
  [[nodiscard]] COOKIESEAL_API static RedisSettings from_env(std::string_view var_prefix = "COOKIESEAL_");

  /// Throws ConfigError if a field is out of range (bad prefix, zero timeout, bad db).
  COOKIESEAL_API void validate() const;
};

}  // namespace cookieseal
