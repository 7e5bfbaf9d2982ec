// Tests for include/cookieseal/middleware.hpp: the steps every HTTP adapter runs around a
// handler (session load, refused-cookie log, plain-http warning, CSRF), loopback hosts, forms
#include <cookieseal/middleware.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <vector>

using cookieseal::Admission;
using cookieseal::admit;
using cookieseal::Config;
using cookieseal::CsrfStatus;
using cookieseal::MiddlewareOptions;
using cookieseal::RequestHeaders;
using cookieseal::Session;
using cookieseal::SessionManager;
using test_support::key_a_text;
using test_support::ring;

namespace {

// Collects the log lines for the scope of the object, then restores stderr.
struct CapturedLog {
  std::mutex mutex;
  std::vector<std::string> lines;
  CapturedLog() {
    cookieseal::set_log_sink([this](std::string_view line) {
      const std::lock_guard lock(mutex);
      lines.emplace_back(line);
    });
  }
  ~CapturedLog() { cookieseal::set_log_sink({}); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::size_t count(std::string_view part) {
    const std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& l : lines) n += l.find(part) != std::string::npos ? 1 : 0;
    return n;
  }
};

Config config(bool secure = true) {
  Config c;
  c.keys = ring({key_a_text});
  c.cookie.secure = secure;
  if (!secure) c.cookie_name = "session";
  return c;
}

MiddlewareOptions enforcing() {
  MiddlewareOptions options;
  options.csrf.enforce = true;
  options.warn_plain_http = false;
  return options;
}

// A Cookie header holding `session`, and one of its CSRF tokens.
struct Logged {
  std::string cookie;
  std::string token;
};
Logged logged_in(const SessionManager& manager) {
  Session session = manager.load(std::string_view());
  session.set("user", "ada");
  const std::string token = cookieseal::csrf_token(session);
  const auto out = manager.commit(session);
  REQUIRE(out.set_cookie);
  return {out.set_cookie->substr(0, out.set_cookie->find(';')), token};
}

}  // namespace

TEST_CASE("is_loopback_host accepts localhost, *.localhost, 127.0.0.0/8 and [::1], with ports") {
  for (const char* h :
       {"localhost", "LOCALHOST:8080", "app.localhost", "127.0.0.1", "127.1.2.3:80", "[::1]", "[::1]:8080"}) {
    CHECK_MESSAGE(cookieseal::is_loopback_host(h), h);
  }
  for (const char* h :
       {"", "devbox.test", "localhost.evil.test", "127.0.0.1.evil.test", "127.0.0", "127..0.1",
        "127.0.0.1000", "128.0.0.1", "[::2]", "[::1]evil", "10.0.0.1", "mylocalhost"}) {
    CHECK_FALSE_MESSAGE(cookieseal::is_loopback_host(h), h);
  }
}

TEST_CASE("form_value decodes '+' and %XX, and gives nullopt when absent or badly encoded") {
  CHECK(cookieseal::form_value("a=1&user=%3Cb%3E+eve&user=2", "user") == "<b> eve");
  CHECK(cookieseal::form_value("username=x&user=", "user") == "");
  CHECK_FALSE(cookieseal::form_value("a=1", "user"));
  CHECK_FALSE(cookieseal::form_value("user", "user"));
  CHECK_FALSE(cookieseal::form_value("user=%4", "user"));
  CHECK_FALSE(cookieseal::form_value("user=%zz", "user"));
  CHECK_FALSE(cookieseal::form_value("", "user"));
}

TEST_CASE("admit loads the session and logs the reason of a refused cookie") {
  CapturedLog log;
  const SessionManager manager(config());
  const Logged ada = logged_in(manager);
  const MiddlewareOptions options;
  Admission ok = admit(manager, options, {.method = "GET", .cookie = ada.cookie, .host = "localhost"});
  CHECK(ok.session.get<std::string>("user") == "ada");
  CHECK(ok.csrf == CsrfStatus::ok);
  const std::string tampered = ada.cookie.substr(0, ada.cookie.size() - 2) + "AA";
  Admission fresh = admit(manager, options, {.method = "GET", .cookie = tampered, .host = "localhost"});
  CHECK(fresh.session.is_new());
  CHECK(log.count("session cookie refused (tampered)") == 1);
  MiddlewareOptions quiet;
  quiet.log_rejected_cookies = false;
  (void)admit(manager, quiet, {.method = "GET", .cookie = tampered, .host = "localhost"});
  CHECK(log.count("session cookie refused") == 1);
}

TEST_CASE("the plain-http warning is logged once per process, naming both settings plain http needs") {
  CapturedLog log;
  const SessionManager secure(config());
  const SessionManager insecure(config(false));
  const MiddlewareOptions options;
  // SECURE=false alone is refused at start-up (the default __Host- name needs Secure).
  const auto warnings = [&] { return log.count("COOKIESEAL_SECURE=false COOKIESEAL_COOKIE_NAME=session"); };
  // None for a non-Secure cookie, a loopback or absent host, X-Forwarded-Proto: https or a
  // TLS server.
  (void)admit(secure, options, {.method = "GET"});
  (void)admit(insecure, options, {.method = "GET", .host = "devbox.test"});
  (void)admit(secure, options, {.method = "GET", .host = "localhost:8080"});
  (void)admit(secure, options, {.method = "GET", .host = "devbox.test", .forwarded_proto = "HTTPS, http"});
  MiddlewareOptions tls;
  tls.tls = true;
  (void)admit(secure, tls, {.method = "GET", .host = "devbox.test"});
  MiddlewareOptions quiet;
  quiet.warn_plain_http = false;
  (void)admit(secure, quiet, {.method = "GET", .host = "devbox.test"});
  CHECK(warnings() == 0);
  // Then a plain-http request for devbox.test: one warning, and never again.
  const std::string long_host = "devbox.test\n" + std::string(100, 'a');
  (void)admit(secure, options, {.method = "GET", .host = long_host});
  (void)admit(secure, options, {.method = "GET", .host = "other.test"});
  CHECK(warnings() == 1);
  // The Host header escaped and cut to 64 bytes.
  CHECK(log.count("host \"devbox.test\\x0a" + std::string(52, 'a') + "\"...:") == 1);
}

TEST_CASE("admit does not check safe methods, nor anything when enforce is false") {
  const SessionManager manager(config());
  CHECK(admit(manager, enforcing(), {.method = "GET", .sec_fetch_site = "cross-site"}).csrf ==
        CsrfStatus::ok);
  MiddlewareOptions off;
  off.warn_plain_http = false;
  CHECK(admit(manager, off, {.method = "POST", .sec_fetch_site = "cross-site"}).csrf == CsrfStatus::ok);
}

TEST_CASE("admit refuses an unsafe request from another origin before looking at the token") {
  const SessionManager manager(config());
  const Logged ada = logged_in(manager);
  const Admission a = admit(manager, enforcing(),
                            {.method = "POST",
                             .cookie = ada.cookie,
                             .host = "a.test",
                             .origin = "http://evil.test",
                             .csrf_token = ada.token});
  CHECK(a.csrf == CsrfStatus::origin_mismatch);
  CHECK_FALSE(a.token_pending);
}

TEST_CASE("admit verifies a header token, and leaves a missing one pending for the form body") {
  const SessionManager manager(config());
  const Logged ada = logged_in(manager);
  const RequestHeaders with_header{.method = "POST", .cookie = ada.cookie, .csrf_token = ada.token};
  CHECK(admit(manager, enforcing(), with_header).csrf == CsrfStatus::ok);
  const Logged bob = logged_in(manager);
  RequestHeaders wrong = with_header;
  wrong.csrf_token = bob.token;
  CHECK(admit(manager, enforcing(), wrong).csrf == CsrfStatus::token_mismatch);

  Admission pending = admit(manager, enforcing(), {.method = "POST", .cookie = ada.cookie});
  CHECK(pending.csrf == CsrfStatus::ok);
  CHECK(pending.token_pending);
  cookieseal::settle_csrf(pending, manager, ada.token);
  CHECK(pending.csrf == CsrfStatus::ok);
  CHECK(pending.session.get<std::string>("user") == "ada");
}

TEST_CASE("settle_csrf with a bad form token refuses and gives the handler a fresh session") {
  const SessionManager manager(config());
  const Logged ada = logged_in(manager);
  for (const std::string& token : {std::string(), std::string("short"), logged_in(manager).token}) {
    Admission a = admit(manager, enforcing(), {.method = "POST", .cookie = ada.cookie});
    REQUIRE(a.token_pending);
    cookieseal::settle_csrf(a, manager, token);
    CHECK(a.csrf != CsrfStatus::ok);
    CHECK_FALSE(a.token_pending);
    CHECK(a.session.is_new());
    CHECK_FALSE(a.session.contains("user"));
  }
}

TEST_CASE("tokenless paths and require_token = false skip the token but not the origin check") {
  const SessionManager manager(config());
  MiddlewareOptions options = enforcing();
  options.csrf.tokenless_paths = {"/hook"};
  CHECK(admit(manager, options, {.method = "POST", .path = "/hook"}).csrf == CsrfStatus::ok);
  CHECK_FALSE(admit(manager, options, {.method = "POST", .path = "/hook"}).token_pending);
  CHECK(admit(manager, options, {.method = "POST", .path = "/hook", .sec_fetch_site = "cross-site"}).csrf ==
        CsrfStatus::cross_site);
  CHECK(admit(manager, options, {.method = "POST", .path = "/hook/x"}).token_pending);
  options.csrf.require_token = false;
  CHECK_FALSE(admit(manager, options, {.method = "POST", .path = "/x"}).token_pending);
}

TEST_CASE("check_csrf with the form body read verifies the form token at once") {
  const SessionManager manager(config());
  const Logged ada = logged_in(manager);
  const Session session = manager.load(ada.cookie);
  const RequestHeaders post{.method = "POST", .cookie = ada.cookie};
  CHECK(cookieseal::check_csrf(session, enforcing(), post, ada.token).status == CsrfStatus::ok);
  CHECK(cookieseal::check_csrf(session, enforcing(), post, "").status == CsrfStatus::token_missing);
  CHECK(cookieseal::check_csrf(session, enforcing(), post, std::nullopt).token_pending);
}

TEST_CASE("commit_logged logs why a session could not be written") {
  CapturedLog log;
  const SessionManager manager(config());
  Session session = manager.load(std::string_view());
  session.set("big", std::string(5000, 'x'));
  const auto out = cookieseal::commit_logged(manager, session);
  CHECK_FALSE(out);
  CHECK(log.count("session too large") == 1);
}

TEST_CASE("commit_failure answers 503 for a full store, 409 for a lost version check, 500 for too large") {
  CapturedLog log;
  // A store too small for any record: its save is Error::unavailable ("store full").
  Config tiny = config();
  tiny.store = cookieseal::make_memory_store({.max_bytes = 64, .max_record_bytes = 1 << 20, .clock = {}});
  tiny.store_mode = cookieseal::StoreMode::server;
  const SessionManager full(std::move(tiny));
  Session s = full.create();
  s.set("n", 1);
  const auto unavailable = cookieseal::commit_logged(full, s);
  REQUIRE_FALSE(unavailable);
  CHECK(cookieseal::commit_failure(*unavailable.error).status == 503);
  CHECK(cookieseal::commit_failure(*unavailable.error).body == "session store unavailable: try again\n");
  CHECK(log.count("could not be reached or is full") == 1);

  Config checked = config();
  checked.store = cookieseal::make_memory_store();
  checked.store_mode = cookieseal::StoreMode::server;
  checked.check_version = true;
  const SessionManager strict(std::move(checked));
  Session first = strict.create();
  first.set("n", 1);
  const auto written = strict.commit(first);
  REQUIRE(written.set_cookie);
  const std::string cookie = written.set_cookie->substr(0, written.set_cookie->find(';'));
  Session a = strict.load(cookie);
  Session b = strict.load(cookie);
  a.set("n", 2);
  b.set("n", 3);
  REQUIRE(strict.commit(a));
  const auto conflict = strict.commit(b);
  REQUIRE_FALSE(conflict);
  CHECK(cookieseal::commit_failure(*conflict.error).status == 409);

  const SessionManager cookies(config());
  Session big = cookies.create();
  big.set("big", std::string(5000, 'x'));
  const auto too_large = cookies.commit(big);
  REQUIRE_FALSE(too_large);
  CHECK(cookieseal::commit_failure(*too_large.error).status == 500);
  CHECK(cookieseal::commit_failure(*too_large.error).body == "session too large\n");
}
