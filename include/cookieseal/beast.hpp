// cookieseal - sessions (and CSRF checks) for Boost.Beast: request -> Session -> response
//
// Header-only (Boost.Beast is too; Debian: libboost-dev). Not included by
// <cookieseal/cookieseal.hpp>.
//   auto session = cookieseal::beast::load(manager, req);
//   if (auto csrf = cookieseal::beast::check_csrf(session, req, options); csrf != cookieseal::CsrfStatus::ok)
//     return forbidden(cookieseal::csrf_reason(csrf));
//   ...
//   cookieseal::beast::commit(manager, session, res);
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/csrf.hpp>
#include <cookieseal/detail/beast_adapter.hpp>
#include <cookieseal/middleware.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>

#include <boost/beast/http/message.hpp>  // http::request, http::response, fields
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace cookieseal::beast {

/// The request's session (a fresh one if its cookie is missing or refused, the reason logged
/// when options.log_rejected_cookies), warning once about plain http (see MiddlewareOptions).
/// Never fails, never throws for any request input.
/// Example: `cookieseal::Session session = cookieseal::beast::load(manager, req);`
template <class Body, class Fields>
[[nodiscard]] Session load(const SessionManager& manager,
                           const boost::beast::http::request<Body, Fields>& req,
                           const MiddlewareOptions& options = {}) {
  MiddlewareOptions no_csrf = options;
  no_csrf.csrf.enforce = false;  // check_csrf() does it, on a session the caller holds
  return admit(manager, no_csrf, detail::headers_of(req, options.csrf)).session;
}

/// The CSRF checks for a request read in full: CsrfStatus::ok for safe methods or when
/// options.csrf.enforce is false; else the origin check and the token (the csrf.header_name
/// header, or the csrf.form_field field of an urlencoded string body). On anything but ok,
/// answer 403 with csrf_reason() and do not run the handler.
/// Example: `if (auto s = cookieseal::beast::check_csrf(session, req, options); s !=
/// cookieseal::CsrfStatus::ok) return forbidden(s);`
template <class Body, class Fields>
[[nodiscard]] CsrfStatus check_csrf(const Session& session,
                                    const boost::beast::http::request<Body, Fields>& req,
                                    const MiddlewareOptions& options) {
  const std::string token = detail::form_token(req, options.csrf);
  return cookieseal::check_csrf(session, options, detail::headers_of(req, options.csrf), token).status;
}

/// Commits the session: appends its Set-Cookie (insert, not set, so other Set-Cookie headers
/// stay) and Cache-Control: no-store when none is set. Returns the Commit; when it is false
/// (the session could not be written) nothing is added, the message is logged, and the caller
/// answers with commit_failure(*out.error) (500 too large, 503 store unavailable, 409 conflict).
/// Example: `if (auto out = cookieseal::beast::commit(manager, session, res); !out) return fail(*out.error);`
template <class Body, class Fields>
Commit commit(const SessionManager& manager, const Session& session,
              boost::beast::http::response<Body, Fields>& res) {
  Commit out = commit_logged(manager, session);
  if (out.set_cookie) {
    res.insert(boost::beast::http::field::set_cookie, *out.set_cookie);
    if (res.find(boost::beast::http::field::cache_control) == res.end()) {
      res.set(boost::beast::http::field::cache_control, "no-store");
    }
  }
  return out;
}

}  // namespace cookieseal::beast
