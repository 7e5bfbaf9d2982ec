// cookieseal - what every HTTP adapter does around a handler, whatever the framework
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/csrf.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal {

/// Where the adapters' log lines go: one line, without its newline. Called from any thread.
using LogSink = std::function<void(std::string_view line)>;

/// Replaces the log sink for the whole process (thread-safe). Default (or an empty sink) is
/// stderr, one line per call.
/// Example: `cookieseal::set_log_sink([](std::string_view l) { syslog(LOG_WARNING, "%.*s", int(l.size()),
/// l.data()); });`
COOKIESEAL_API void set_log_sink(LogSink sink);
/// Writes one line to the log sink.
COOKIESEAL_API void log_line(std::string_view line);

/// What the adapters (cookieseal/httplib.hpp, cookieseal/beast.hpp) do besides load and
/// commit. A plain struct; each field says its default.
struct MiddlewareOptions {
  /// CSRF checks on unsafe methods. Default is CsrfOptions{}: off (csrf.enforce = false).
  CsrfOptions csrf = {};
  /// Logs "session cookie refused (<status>)" for a cookie that was sent but did not open.
  /// Default is true.
  bool log_rejected_cookies = true;
  /// Logs one warning per process when the cookie is Secure but a request came over plain
  /// http with a Host that is not loopback (browsers then store nothing). Default is true.
  bool warn_plain_http = true;
  /// The server itself terminates TLS (e.g. Beast over an ssl_stream; cpp-httplib's
  /// SSLServer is detected without it). Default is false: https only if X-Forwarded-Proto says so.
  bool tls = false;
};

/// True for hosts on which browsers keep Secure cookies over plain http: `localhost`,
/// `*.localhost`, 127.0.0.0/8 and `[::1]`, each with or without a port, any letter case.
/// Example: `cookieseal::is_loopback_host("localhost:8080")  // true`
[[nodiscard]] COOKIESEAL_API bool is_loopback_host(std::string_view host) noexcept;

/// The request headers an adapter hands to admit(); empty when absent.
struct RequestHeaders {
  std::string_view method = {};           ///< e.g. "POST"
  std::string_view path = {};             ///< the target's path, without the query
  std::string_view cookie = {};           ///< Cookie
  std::string_view host = {};             ///< Host (HTTP/1.1) or :authority
  std::string_view origin = {};           ///< Origin
  std::string_view sec_fetch_site = {};   ///< Sec-Fetch-Site
  std::string_view forwarded_proto = {};  ///< X-Forwarded-Proto (its first value is used)
  std::string_view csrf_token = {};       ///< the header named by CsrfOptions::header_name
};

/// What admit() decided for one request.
struct Admission {
  Session session;                   ///< the request's session (a fresh one if none opened)
  CsrfStatus csrf = CsrfStatus::ok;  ///< anything but ok: answer 403 with csrf_reason(csrf)
  /// A token is required but was not in the header: the adapter calls settle_csrf() with the
  /// form field once the body is read, before the handler uses the session.
  bool token_pending = false;
};

/// The steps before the handler, in order: load the session (logging a refused cookie), warn
/// once about plain http, and, for an unsafe method when options.csrf.enforce, the origin
/// check and the header token (docs/HTTP.md §CSRF). Never throws for any request input.
[[nodiscard]] COOKIESEAL_API Admission admit(const SessionManager& manager, const MiddlewareOptions& options,
                                             const RequestHeaders& headers);

/// The outcome of check_csrf().
struct CsrfCheck {
  CsrfStatus status = CsrfStatus::ok;  ///< anything but ok: answer 403
  bool token_pending = false;          ///< ok so far, but the token must come from the body
};

/// The CSRF checks of one request, on its loaded session: ok for a safe method or when
/// options.csrf.enforce is false; else check_origin(), then (unless require_token is false or
/// the path is tokenless) the header token, else the form field's value `form_token`; when
/// the body is not read yet (`form_token` nullopt) and no header token came, token_pending.
/// Never throws.
[[nodiscard]] COOKIESEAL_API CsrfCheck check_csrf(const Session& session, const MiddlewareOptions& options,
                                                  const RequestHeaders& headers,
                                                  std::optional<std::string_view> form_token) noexcept;

/// Ends a pending token check with the form field's value (empty when absent). On failure
/// the session is replaced by a fresh one, so a handler that still runs acts with nobody's
/// authority, and admission.csrf says why.
COOKIESEAL_API void settle_csrf(Admission& admission, const SessionManager& manager,
                                std::string_view form_token);

/// manager.commit(session), logging the message when the session could not be written.
[[nodiscard]] COOKIESEAL_API Commit commit_logged(const SessionManager& manager, const Session& session);

/// The response an adapter gives instead of the handler's when a commit failed.
struct CommitFailure {
  int status = 500;       ///< HTTP status
  std::string_view body;  ///< a short plain-text reason, with a final newline; no session data
};
/// 503 "session store unavailable" (the store could not be reached or is full: retry later),
/// 409 "session changed by another request" (a lost version check: load and retry), 500
/// "session too large" (over 4096 bytes without a store, or over the store's record limit), and
/// 500 "session not written" for anything else.
/// Example: `if (!out) { auto f = cookieseal::commit_failure(*out.error); reply(f.status, f.body); }`
[[nodiscard]] COOKIESEAL_API CommitFailure commit_failure(const CommitError& error) noexcept;

/// The value of `name` in an application/x-www-form-urlencoded body ('+' and %XX decoded), or
/// nullopt when absent or badly encoded. The first occurrence wins.
/// Example: `auto user = cookieseal::form_value("user=ada&x=1", "user");  // "ada"`
[[nodiscard]] COOKIESEAL_API std::optional<std::string> form_value(std::string_view body,
                                                                   std::string_view name);

}  // namespace cookieseal
