// cookieseal - make_redis_revocation in a build without hiredis: a clear start-up error
#include <cookieseal/revocation.hpp>

namespace cookieseal {

std::unique_ptr<Revocation> make_redis_revocation(const RedisSettings& /*settings*/,
                                                  RevocationOptions /*options*/) {
  throw ConfigError(
      "COOKIESEAL_REVOCATION: this build has no Redis support (rebuild with libhiredis-dev, "
      "-Dredis=enabled)");
}

}  // namespace cookieseal
