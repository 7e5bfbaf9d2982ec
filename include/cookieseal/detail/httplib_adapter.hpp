// cookieseal - the cpp-httplib adapter's per-request slot and its handlers (include <cookieseal/httplib.hpp>)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/csrf.hpp>
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

namespace detail {

// cpp-httplib (0.11, Debian 12) gives a Request no slot for user data, so the session lives
// in a per-thread slot keyed by the request's address: cpp-httplib runs a request's
// pre-routing handler, route handler and post-routing handler on one thread, one request at a
// time per thread.
struct Installed {
  const SessionManager* manager;
  MiddlewareOptions options;
  MiddlewareOptions options_tls;  // the same with tls = true, for an SSLServer's requests
};
struct Slot {
  const ::httplib::Request* request = nullptr;
  std::shared_ptr<const Installed> installed;
  std::optional<Admission> admission;
};
inline Slot& slot() {
  thread_local Slot s;
  return s;
}

inline std::string_view header(const ::httplib::Request& req, const std::string& name) {
  auto it = req.headers.find(name);  // Headers compares names case-insensitively
  return it == req.headers.end() ? std::string_view() : std::string_view(it->second);
}

// Replaces the response (whatever the handler, if it ran, put there), keeping cpp-httplib's
// own connection headers.
inline void replace(::httplib::Response& res, int status, std::string body) {
  for (auto it = res.headers.begin(); it != res.headers.end();) {
    const bool keep = it->first == "Connection" || it->first == "Keep-Alive";
    it = keep ? std::next(it) : res.headers.erase(it);
  }
  res.content_provider_ = nullptr;  // a streamed body is dropped too (its releaser still runs)
  res.content_length_ = 0;
  res.is_chunked_content_provider_ = false;
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", "text/plain; charset=utf-8");
  res.set_header("Content-Length", std::to_string(res.body.size()));
  res.set_header("Cache-Control", "no-store");
}

inline void refuse(::httplib::Response& res, CsrfStatus status) {
  replace(res, 403, std::string(csrf_reason(status)) + '\n');
}

// The token from the form body (urlencoded, merged into params by cpp-httplib, or multipart).
inline void settle(Slot& s, const ::httplib::Request& req) {
  if (!s.admission || !s.admission->token_pending) return;
  const std::string& field = s.installed->options.csrf.form_field;
  std::string token;
  if (req.has_param(field.c_str())) token = req.get_param_value(field.c_str());
  else if (req.has_file(field.c_str())) token = req.get_file_value(field.c_str()).content;
  settle_csrf(*s.admission, *s.installed->manager, token);
}

inline Slot& current(const ::httplib::Request& req) {
  Slot& s = slot();
  if (s.request != &req || !s.admission) {
    throw std::logic_error(
        "cookieseal::httplib::session: no session for this request (install() not called on "
        "its server, or called from another thread than the handler's)");
  }
  return s;
}

inline ::httplib::Server::HandlerResponse before(const std::shared_ptr<const Installed>& installed,
                                                 const ::httplib::Request& req, ::httplib::Response& res) {
  Slot& s = slot();
  s.request = &req;
  s.installed = installed;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  const MiddlewareOptions& options = req.ssl != nullptr ? installed->options_tls : installed->options;
#else
  const MiddlewareOptions& options = installed->options;
#endif
  s.admission = admit(*installed->manager, options,
                      {req.method, req.path, header(req, "Cookie"), header(req, "Host"),
                       header(req, "Origin"), header(req, "Sec-Fetch-Site"), header(req, "X-Forwarded-Proto"),
                       header(req, installed->options.csrf.header_name)});
  if (s.admission->csrf == CsrfStatus::ok) return ::httplib::Server::HandlerResponse::Unhandled;
  refuse(res, s.admission->csrf);
  return ::httplib::Server::HandlerResponse::Handled;
}

inline void after(const ::httplib::Request& req, ::httplib::Response& res) {
  Slot& s = slot();
  if (s.request != &req || !s.admission) return;  // refused by cpp-httplib before routing
  settle(s, req);
  if (s.admission->csrf != CsrfStatus::ok) {
    refuse(res, s.admission->csrf);  // a token from the body fails only after the handler ran
  } else if (const Commit out = commit_logged(*s.installed->manager, s.admission->session); out.set_cookie) {
    res.headers.emplace("Set-Cookie", *out.set_cookie);  // a multimap: next to any other Set-Cookie
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  } else if (!out) {
    const CommitFailure failure = commit_failure(*out.error);  // logged by commit_logged
    replace(res, failure.status, std::string(failure.body));
  }
  s = Slot{};
}

}  // namespace detail

}  // namespace cookieseal::httplib
