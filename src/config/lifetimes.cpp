// cookieseal - Lifetimes::validate: the one place the duration limits are enforced
#include <cookieseal/error.hpp>
#include <cookieseal/lifetimes.hpp>

#include <string>

namespace cookieseal {
namespace {

std::string seconds_text(std::chrono::seconds d) { return std::to_string(d.count()) + "s"; }

}  // namespace

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
