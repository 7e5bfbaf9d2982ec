// cookieseal - the command-line tool: keys, and sealed session cookies without writing a program
//
// Usage and output shapes are in docs/CLI.md. Everything goes through the library's public
// API (Key, Keyring, inspect, Config, SessionManager): the tool has no crypto, base64 or
// payload code of its own, so it reads and writes exactly what a server built on the library does.
#include "cli.hpp"
#include "commands.hpp"

#include <cookieseal/error.hpp>    // ConfigError
#include <cookieseal/version.hpp>  // version_string

#include <exception>
#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(cookieseal - keys and sealed session cookies from the command line

Usage: cookieseal COMMAND [OPTIONS] [ARGS]

Commands:
  keygen  [--hex]                                  print a new random key
  encode  [--name NAME] [--ttl DURATION]           seal a JSON session read from standard input
  decode  [--name NAME] [--now SECONDS] [COOKIE]   open a cookie, print the session as JSON
  inspect [--name NAME] [--now SECONDS] [COOKIE]   show a cookie's public header (needs no key)
  keys                                             list the configured key ids (never the keys)
  revoke  (--session HEX | --user ID | --all)      record a revocation in the fleet's Redis list

Options:
  -h, --help   this help; `cookieseal COMMAND --help` for a command's
  --version    print the version

Keys and settings come from the library's environment variables: COOKIESEAL_KEYS (or
COOKIESEAL_KEYS_FILE), COOKIESEAL_COOKIE_NAME, ...
Exit status: 0 success, 1 the cookie was rejected (revoke: not recorded), 2 usage or configuration error.
)";

}  // namespace

int main(int argc, char** argv) {
  namespace cli = cookieseal::cli;
  try {
    if (argc < 2) throw cli::UsageError("missing command (see: cookieseal --help)");
    const std::string_view command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage;
      return cli::exit_ok;
    }
    if (command == "--version") {
      std::cout << "cookieseal " << cookieseal::version_string << '\n';
      return cli::exit_ok;
    }
    for (const cli::Command& c : cli::commands) {
      if (c.name == command) return c.run(argc, argv);
    }
    if (command.starts_with('-')) {
      throw cli::UsageError("unknown option '" + std::string(command) + "' (see: cookieseal --help)");
    }
    throw cli::UsageError("unknown command '" + std::string(command) + "' (see: cookieseal --help)");
  } catch (const cli::UsageError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return cli::exit_usage;
  } catch (const cookieseal::ConfigError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return cli::exit_usage;
  } catch (const std::exception& e) {  // not expected: report it rather than abort
    std::cerr << "error: internal: " << e.what() << '\n';
    return cli::exit_usage;
  }
}
