// cookieseal - the framework-neutral steps of the HTTP adapters
#include <cookieseal/middleware.hpp>

#include "encoding/text.hpp"  // trim, iequals

#include <algorithm>  // std::min
#include <atomic>
#include <charconv>  // std::from_chars for %XX
#include <cstdio>    // std::fwrite to stderr
#include <memory>
#include <mutex>

namespace cookieseal {

namespace {

struct SinkState {
  std::mutex mutex;
  std::shared_ptr<const LogSink> sink;  // null: stderr
};

SinkState& sink_state() {
  static SinkState state;  // constructed on first use: safe from static initializers
  return state;
}

using detail::iequals;

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// Request bytes in a log line: printable ASCII kept, the rest as \xNN, at most 64 bytes, so a
// header can neither forge a line nor flood the log.
std::string quoted(std::string_view text) {
  constexpr std::size_t max_bytes = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      constexpr const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  out += text.size() > max_bytes ? "\"..." : "\"";
  return out;
}

// Once per process: a warning repeated on every request would drown the log.
void warn_plain_http(const SessionManager& manager, std::string_view host) {
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  log_line("cookieseal: warning: the session cookie " + manager.cookie_name() +
           " is Secure, but a request came over plain http for host " + quoted(host) +
           ": browsers will not store the cookie there (only over https, or on http://localhost). "
           "For plain-http development set " +
           manager.config().env_prefix + "SECURE=false " + manager.config().env_prefix +
           "COOKIE_NAME=session (both: the __Host- name needs Secure); behind a TLS-terminating proxy, "
           "have it send X-Forwarded-Proto: https. (logged once)");
}

bool forwarded_https(std::string_view proto) noexcept {
  return iequals(detail::trim(proto.substr(0, proto.find(','))), "https");  // the first hop's
}

// "%41" -> 'A'; false for a truncated or non-hex escape.
bool decode_percent(std::string_view pair, std::size_t& i, std::string& out) {
  unsigned byte = 0;
  const char* hex = pair.data() + i + 1;
  if (i + 2 >= pair.size() || std::from_chars(hex, hex + 2, byte, 16).ptr != hex + 2) return false;
  out += static_cast<char>(byte);
  i += 2;
  return true;
}

bool is_https(const MiddlewareOptions& options, const RequestHeaders& headers) noexcept {
  return options.tls || forwarded_https(headers.forwarded_proto);
}

}  // namespace

void set_log_sink(LogSink sink) {
  auto next = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
  SinkState& state = sink_state();
  const std::lock_guard lock(state.mutex);
  state.sink = std::move(next);
}

void log_line(std::string_view line) {
  std::shared_ptr<const LogSink> sink;
  {
    SinkState& state = sink_state();
    const std::lock_guard lock(state.mutex);
    sink = state.sink;  // called outside the lock: a sink may log again or take its time
  }
  if (sink) {
    (*sink)(line);
    return;
  }
  std::string text(line);
  text += '\n';
  (void)std::fwrite(text.data(), 1, text.size(), stderr);  // one write: lines of threads do not mix
}

bool is_loopback_host(std::string_view host) noexcept {
  if (host.starts_with('[')) return host == "[::1]" || host.starts_with("[::1]:");
  host = host.substr(0, host.find(':'));
  if (iequals(host, "localhost") || iends_with(host, ".localhost")) return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;  // 127.a.b.c, four decimal parts of at most three digits
  std::size_t digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c < '0' || c > '9' || ++digits > 3) {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

Admission admit(const SessionManager& manager, const MiddlewareOptions& options,
                const RequestHeaders& headers) {
  Admission out{manager.load(headers.cookie)};
  if (options.log_rejected_cookies && out.session.rejected()) {
    log_line("cookieseal: session cookie refused (" + std::string(to_string(out.session.load_status())) +
             "): fresh session");
  }
  // No Host (HTTP/1.0) says nothing about where the browser is.
  if (options.warn_plain_http && manager.config().cookie.secure && !is_https(options, headers) &&
      !headers.host.empty() && !is_loopback_host(headers.host)) {
    warn_plain_http(manager, headers.host);
  }
  const CsrfCheck check = check_csrf(out.session, options, headers, std::nullopt);
  out.csrf = check.status;
  out.token_pending = check.token_pending;
  return out;
}

CsrfCheck check_csrf(const Session& session, const MiddlewareOptions& options, const RequestHeaders& headers,
                     std::optional<std::string_view> form_token) noexcept {
  const CsrfOptions& csrf = options.csrf;
  if (!csrf.enforce || !is_unsafe_method(headers.method)) return {};
  const CsrfStatus origin =
      check_origin({headers.sec_fetch_site, headers.origin, headers.host, is_https(options, headers)}, csrf);
  if (origin != CsrfStatus::ok || !csrf.require_token) return {origin};
  if (std::find(csrf.tokenless_paths.begin(), csrf.tokenless_paths.end(), headers.path) !=
      csrf.tokenless_paths.end()) {
    return {};
  }
  if (!headers.csrf_token.empty()) return {verify_csrf_token(session, headers.csrf_token)};
  if (!form_token) return {CsrfStatus::ok, true};
  return {verify_csrf_token(session, *form_token)};
}

void settle_csrf(Admission& admission, const SessionManager& manager, std::string_view form_token) {
  if (!admission.token_pending) return;
  admission.token_pending = false;
  admission.csrf = verify_csrf_token(admission.session, form_token);
  if (admission.csrf != CsrfStatus::ok) admission.session = manager.load(std::string_view());  // a fresh one
}

Commit commit_logged(const SessionManager& manager, const Session& session) {
  Commit out = manager.commit(session);
  if (!out) log_line("cookieseal: " + out.message());
  return out;
}

CommitFailure commit_failure(const CommitError& error) noexcept {
  switch (error.error) {
    case Error::unavailable: return {503, "session store unavailable: try again\n"};
    case Error::conflict: return {409, "session changed by another request: try again\n"};
    case Error::too_large: return {500, "session too large\n"};
    default: return {500, "session not written\n"};
  }
}

std::optional<std::string> form_value(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const std::string_view pair = body.substr(0, body.find('&'));
    body.remove_prefix(std::min(body.size(), pair.size() + 1));
    if (!pair.starts_with(name) || pair.size() == name.size() || pair[name.size()] != '=') continue;
    std::string out;
    for (std::size_t i = name.size() + 1; i < pair.size(); ++i) {
      if (pair[i] == '+') out += ' ';
      else if (pair[i] != '%') out += pair[i];
      else if (!decode_percent(pair, i, out)) return std::nullopt;
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace cookieseal
