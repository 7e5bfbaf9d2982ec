// cookieseal - the command-line tool's shared pieces: exit statuses, arguments, input, times
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal::cli {

/// Exit statuses (docs/CLI.md §Exit status).
inline constexpr int exit_ok = 0;        ///< success
inline constexpr int exit_rejected = 1;  ///< the cookie was rejected (an Error)
inline constexpr int exit_usage = 2;     ///< bad arguments, bad input or bad configuration

/// A mistake in the command line or the input: exit_usage with a one-line message.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One option a subcommand accepts, e.g. {"--ttl", true} for `--ttl DURATION`.
struct OptionSpec {
  std::string_view name;  ///< with the dashes: "--hex"
  bool takes_value;       ///< `--name VALUE` or `--name=VALUE`; otherwise a flag
};

/// A subcommand's arguments once parsed.
struct Args {
  bool help = false;                          ///< -h or --help was given
  std::map<std::string, std::string> values;  ///< option name (with dashes) -> value ("" for flags)
  std::vector<std::string> positional;        ///< operands, in order ("-" included)

  [[nodiscard]] bool has(std::string_view option) const { return values.count(std::string(option)) != 0; }
  [[nodiscard]] std::optional<std::string> get(std::string_view option) const;
};

/// Parses argv[first..argc) against `options`. Throws UsageError for an unknown option, a
/// missing value, or more than `max_positional` operands; `--` ends the options.
[[nodiscard]] Args parse_args(int argc, char** argv, int first, std::string_view command,
                              const std::vector<OptionSpec>& options, std::size_t max_positional);

/// Seconds since the Unix epoch from decimal text (an optional '-' then digits); UsageError
/// naming `option` otherwise.
[[nodiscard]] std::int64_t parse_unix_seconds(std::string_view text, std::string_view option);

/// All of `in` (at most 1 MiB, else UsageError naming `what`).
[[nodiscard]] std::string read_all(std::istream& in, std::string_view what);

/// ISO 8601 UTC with a 'Z', e.g. "2024-05-01T12:00:00Z". A time outside years 1-9999 (only a
/// forged header can carry one) is written as "@<seconds since the epoch>".
[[nodiscard]] std::string format_utc(std::chrono::sys_seconds t);

}  // namespace cookieseal::cli
