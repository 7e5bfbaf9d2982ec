// cookieseal - the command-line tool's shared pieces: arguments, input, times
#include "cli.hpp"

#include <charconv>  // std::from_chars
#include <cstdio>    // std::snprintf
#include <istream>
#include <system_error>

namespace cookieseal::cli {

std::optional<std::string> Args::get(std::string_view option) const {
  auto it = values.find(std::string(option));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Args parse_args(int argc, char** argv, int first, std::string_view command,
                const std::vector<OptionSpec>& options, std::size_t max_positional) {
  const std::string see = " (see: cookieseal " + std::string(command) + " --help)";
  Args args;
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (options_done || arg == "-" || !arg.starts_with('-')) {
      if (args.positional.size() == max_positional) {
        throw UsageError("unexpected argument '" + std::string(arg) + "'" + see);
      }
      args.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      args.help = true;
      continue;
    }
    // --name=value or --name value
    const std::size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& o : options) {
      if (o.name == name) spec = &o;
    }
    if (spec == nullptr) throw UsageError("unknown option '" + std::string(name) + "'" + see);
    std::string value;
    if (spec->takes_value) {
      if (eq != std::string_view::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        throw UsageError("option '" + std::string(name) + "' needs a value" + see);
      }
    } else if (eq != std::string_view::npos) {
      throw UsageError("option '" + std::string(name) + "' takes no value" + see);
    }
    args.values[std::string(name)] = std::move(value);
  }
  return args;
}

std::int64_t parse_unix_seconds(std::string_view text, std::string_view option) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    throw UsageError(std::string(option) + " wants whole seconds since the Unix epoch, e.g. 1700000000");
  }
  return v;
}

std::string read_all(std::istream& in, std::string_view what) {
  constexpr std::size_t max_input_bytes = 1 << 20;
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_input_bytes) throw UsageError(std::string(what) + " is larger than 1 MiB");
  }
  return text;
}

std::string format_utc(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  constexpr std::int64_t first = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t last = 253402300799;   // 9999-12-31T23:59:59Z
  const std::int64_t s = t.time_since_epoch().count();
  if (s < first || s > last) return "@" + std::to_string(s);
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  char out[32];
  (void)std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()));
  return out;
}

}  // namespace cookieseal::cli
