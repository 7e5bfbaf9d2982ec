// cookieseal - the command-line tool's subcommands (docs/CLI.md)
#pragma once

#include <array>
#include <string_view>

namespace cookieseal::cli {

/// One subcommand: `run(argc, argv)` parses argv[2..] and returns the exit status; it throws
/// UsageError or ConfigError for exit status 2.
struct Command {
  std::string_view name;
  int (*run)(int argc, char** argv);
};

int run_keygen(int argc, char** argv);
int run_encode(int argc, char** argv);
int run_decode(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_keys(int argc, char** argv);
int run_revoke(int argc, char** argv);

inline constexpr std::array<Command, 6> commands{{
    {"keygen", &run_keygen},
    {"encode", &run_encode},
    {"decode", &run_decode},
    {"inspect", &run_inspect},
    {"keys", &run_keys},
    {"revoke", &run_revoke},
}};

}  // namespace cookieseal::cli
