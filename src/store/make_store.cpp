// cookieseal - make_session_store: a store from its one-line specification (COOKIESEAL_STORE)
#include <cookieseal/session_store.hpp>

#include "encoding/text.hpp"  // trim, quoted

namespace cookieseal {

std::shared_ptr<SessionStore> make_session_store(std::string_view spec, RedisSettings settings) {
  spec = detail::trim(spec);
  if (spec == "cookie") return nullptr;
  if (spec == "memory") return make_memory_store();
  if (spec.starts_with("redis://") || spec.starts_with("unix://") || spec.starts_with("rediss://")) {
    const std::string user = settings.endpoint.user;  // COOKIESEAL_REDIS_USER, unless the URL names one
    settings.endpoint = RedisEndpoint::parse(spec);
    if (settings.endpoint.user.empty()) settings.endpoint.user = user;
    return make_redis_store(settings);
  }
  throw ConfigError(detail::quoted(spec) +
                    " is not a session store; expected `cookie`, `memory`, a redis://host:port/db URL or "
                    "unix:///path?db=N");
}

}  // namespace cookieseal
