// cookieseal - everything: encrypted, stateless cookie sessions
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/config.hpp>
#include <cookieseal/cookie_header.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>
#include <cookieseal/set_cookie.hpp>
#include <cookieseal/version.hpp>
