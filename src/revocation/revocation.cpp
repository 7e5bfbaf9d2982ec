// cookieseal - Revocation's shared pieces: the in-memory list, options, make_revocation
#include <cookieseal/revocation.hpp>

#include "encoding/text.hpp"  // trim
#include "revocation/common.hpp"
#include "revocation/replica.hpp"

#include <cookieseal/lifetimes.hpp>  // parse_duration

#include <cstdlib>  // std::getenv

namespace cookieseal {

Revocation::~Revocation() = default;

namespace detail {

Result<void> check_user(std::string_view user) noexcept {
  if (user.empty()) return Error::malformed;
  if (user.size() > max_user_bytes) return Error::too_large;
  return {};
}

}  // namespace detail

namespace {

// One process's list: the replica is the whole truth, so it is never stale. No full sync
// purges it, so every write counts towards an amortized purge of what has expired.
class MemoryRevocation final : public Revocation {
 public:
  RevocationVerdict check(const SessionId& id, std::string_view user, std::chrono::sys_seconds created_at,
                          std::chrono::sys_seconds now) const noexcept override {
    return replica_.revoked(id, user, detail::seconds(created_at), detail::seconds(now))
               ? RevocationVerdict::revoked
               : RevocationVerdict::valid;
  }
  void prefetch(const SessionId& id) const noexcept override { replica_.prefetch(id); }
  Result<void> revoke(const SessionId& id, std::chrono::sys_seconds forget_at) override {
    const std::int64_t now = detail::seconds(clock_now());
    replica_.add_id(id, detail::seconds(forget_at), now);
    replica_.purge_sometimes(now);
    return {};
  }
  Result<void> revoke_user(std::string_view user, std::chrono::sys_seconds not_before,
                           std::chrono::sys_seconds forget_at) override {
    if (auto ok = detail::check_user(user); !ok) return ok;
    const std::int64_t now = detail::seconds(clock_now());
    replica_.add_user(user, {detail::seconds(not_before), detail::seconds(forget_at)}, now);
    replica_.purge_sometimes(now);
    return {};
  }
  Result<void> revoke_all(std::chrono::sys_seconds not_before, std::chrono::sys_seconds forget_at) override {
    const std::int64_t now = detail::seconds(clock_now());
    replica_.add_all({detail::seconds(not_before), detail::seconds(forget_at)}, now);
    replica_.purge_sometimes(now);
    return {};
  }
  RevocationStats stats(std::chrono::sys_seconds now) const override {
    RevocationStats s;
    replica_.fill(s, detail::seconds(now));
    return s;
  }

 private:
  static std::chrono::sys_seconds clock_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  detail::Replica replica_;
};

}  // namespace

std::unique_ptr<Revocation> make_memory_revocation() { return std::make_unique<MemoryRevocation>(); }

RevocationOptions RevocationOptions::from_env(std::string_view var_prefix) {
  RevocationOptions o;
  const std::string var = std::string(var_prefix) + "REVOCATION_MAX_STALE";
  const char* v = std::getenv(var.c_str());  // NOLINT(concurrency-mt-unsafe): start-up
  const std::string_view text = detail::trim(v == nullptr ? "" : v);
  if (text.empty()) return o;  // unset or blank: the default
  if (text == "off" || text == "none" || text == "0") {
    o.max_stale = std::nullopt;
    return o;
  }
  const auto d = parse_duration(text);
  if (!d) {
    throw ConfigError(
        var +
        ": not a duration; expected seconds (300) or a number with s, m, h or d (90s, 5m, 1h), or "
        "0/off for never stale");
  }
  o.max_stale = *d;
  return o;
}

std::unique_ptr<Revocation> make_revocation(std::string_view spec, RedisSettings settings,
                                            RevocationOptions options) {
  spec = detail::trim(spec);
  if (spec == "memory") return make_memory_revocation();
  if (spec.starts_with("redis://") || spec.starts_with("unix://") || spec.starts_with("rediss://")) {
    const std::string user = settings.endpoint.user;  // COOKIESEAL_REDIS_USER, unless the URL names one
    settings.endpoint = RedisEndpoint::parse(spec);
    if (settings.endpoint.user.empty()) settings.endpoint.user = user;
    return make_redis_revocation(settings, options);
  }
  throw ConfigError(
      "COOKIESEAL_REVOCATION: expected `memory`, a redis://host:port/db URL or unix:///path?db=N");
}

}  // namespace cookieseal
