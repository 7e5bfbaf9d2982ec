// cookieseal - everything: encrypted, stateless cookie sessions (the HTTP adapters
// cookieseal/httplib.hpp and cookieseal/beast.hpp are included on their own)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/codec.hpp>
#include <cookieseal/config.hpp>
#include <cookieseal/cookie_header.hpp>
#include <cookieseal/csrf.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/lifetimes.hpp>
#include <cookieseal/live_keyring.hpp>
#include <cookieseal/middleware.hpp>
#include <cookieseal/redis.hpp>
#include <cookieseal/revocation.hpp>
#include <cookieseal/sealer.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>
#include <cookieseal/set_cookie.hpp>
#include <cookieseal/version.hpp>
