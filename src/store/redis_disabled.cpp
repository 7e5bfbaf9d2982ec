// cookieseal - make_redis_store in a build without hiredis: a clear start-up error
#include <cookieseal/error.hpp>
#include <cookieseal/redis.hpp>
#include <cookieseal/session_store.hpp>

namespace cookieseal {

std::shared_ptr<SessionStore> make_redis_store(const RedisSettings& /*settings*/) {
  throw ConfigError(
      "session store: this build has no Redis support (rebuild with libhiredis-dev, meson -Dredis=enabled)");
}

}  // namespace cookieseal
