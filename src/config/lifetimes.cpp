// cookieseal - Lifetimes::validate (the one place the duration limits are enforced) and the
// duration text parse_duration / format_duration read and write
#include <cookieseal/error.hpp>
#include <cookieseal/lifetimes.hpp>

#include "encoding/text.hpp"  // trim

#include <cstdint>
#include <string>

namespace cookieseal {
namespace {

std::string seconds_text(std::chrono::seconds d) { return std::to_string(d.count()) + "s"; }

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) noexcept {
  text = detail::trim(text);
  std::int64_t n = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    n = n * 10 + (text[i] - '0');
    if (n > max_duration.count()) return std::nullopt;  // also stops any overflow of n
  }
  if (i == 0) return std::nullopt;  // no digits (sign, space, empty, unit alone)
  std::int64_t unit = 1;
  if (i < text.size()) {
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    if (i + 1 != text.size()) return std::nullopt;  // "1h30m", "10 s", "5ms"
  }
  if (n > max_duration.count() / unit) return std::nullopt;
  return std::chrono::seconds(n * unit);
}

std::string format_duration(std::chrono::seconds duration) {
  const std::int64_t s = duration.count();
  if (s == 0) return "0s";
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

void Lifetimes::validate(std::string_view context) const {
  const std::string where(context);
  if (ttl.count() <= 0 || ttl > max_ttl) {
    throw ConfigError(
        where + ": ttl must be positive and at most 400d, the longest cookie lifetime browsers keep (got " +
        seconds_text(ttl) + ")");
  }
  if (max_lifetime.count() <= 0 || max_lifetime > max_duration) {
    throw ConfigError(where + ": max_lifetime must be positive and at most 36500d (got " +
                      seconds_text(max_lifetime) + ")");
  }
  if (!(renew_share >= 0.0 && renew_share <= 1.0)) {  // written so that NaN fails too
    throw ConfigError(where + ": renew_share must be from 0 to 1");
  }
  const std::chrono::seconds l = effective_leeway();
  if (l.count() < 0 || l >= ttl) {
    throw ConfigError(where + ": leeway must be at least 0s and shorter than ttl (got " + seconds_text(l) +
                      ", ttl " + seconds_text(ttl) + ")");
  }
}

}  // namespace cookieseal
