// cookieseal - sessions (and CSRF checks) on a cpp-httplib server, installed in one call
//
// Header-only, on top of cpp-httplib (Debian: libcpp-httplib-dev; link its library, e.g.
// meson's dependency('cpp-httplib')). Not included by <cookieseal/cookieseal.hpp>.
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/csrf.hpp>
#include <cookieseal/detail/httplib_adapter.hpp>
#include <cookieseal/middleware.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>

#include <httplib.h>  // cpp-httplib: Server, Request, Response

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace cookieseal::httplib {

/// Installs session handling on `server`: before routing, the request's session is loaded
/// (and, with options.csrf.enforce, unsafe methods are checked, a failure answered 403 with
/// the reason); after the handler, the session is committed and its Set-Cookie appended.
/// Takes the server's pre- and post-routing handlers (cpp-httplib has one of each). `manager`
/// must outlive the server. A session that could not be written turns the response into
/// commit_failure()'s (500 too large, 503 store unavailable, 409 version conflict) and is logged.
/// Example (in main's try block: the manager's constructor throws ConfigError):
///   int main() try {
///     const cookieseal::SessionManager manager(cookieseal::Config::from_env());
///     httplib::Server app;
///     cookieseal::httplib::install(app, manager, {.csrf = {.enforce = true}});
///     // ... routes, then app.listen(...)
///   } catch (const cookieseal::ConfigError& e) { std::cerr << e.what() << '\n'; return 1; }
inline void install(::httplib::Server& server, const SessionManager& manager,
                    MiddlewareOptions options = {}) {
  MiddlewareOptions options_tls = options;
  options_tls.tls = true;
  auto installed = std::make_shared<const detail::Installed>(
      detail::Installed{&manager, std::move(options), std::move(options_tls)});
  server.set_pre_routing_handler([installed](const ::httplib::Request& req, ::httplib::Response& res) {
    return detail::before(installed, req, res);
  });
  server.set_post_routing_handler(
      [](const ::httplib::Request& req, ::httplib::Response& res) { detail::after(req, res); });
}

/// The session of the request being handled, from the handler's thread. Changes are
/// committed after the handler returns. Throws std::logic_error when install() was not called
/// on the request's server (a programming mistake). A request whose CSRF token (from its form
/// body) fails gets a fresh, empty session here, and its response is replaced by the 403.
/// Example: `auto& s = cookieseal::httplib::session(req); s.set("user", "ada");`
inline Session& session(const ::httplib::Request& req) {
  detail::Slot& s = detail::current(req);
  detail::settle(s, req);
  return s.admission->session;
}

/// A CSRF token for the page being answered (cookieseal::csrf_token on the request's session).
/// Example: `"<input type=hidden name=_csrf value=" + cookieseal::httplib::csrf_token(req) + ">"`
inline std::string csrf_token(const ::httplib::Request& req) { return cookieseal::csrf_token(session(req)); }

}  // namespace cookieseal::httplib
