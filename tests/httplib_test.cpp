// Tests for include/cookieseal/httplib.hpp: install() on a real cpp-httplib server on
// 127.0.0.1, driven by httplib::Client (built only when cpp-httplib is installed)
#include <cookieseal/httplib.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

using cookieseal::Config;
using cookieseal::Session;
using cookieseal::SessionManager;

namespace {

// A server with the session middleware and a few routes, listening on 127.0.0.1 while the
// object lives.
struct App {
  SessionManager manager;
  httplib::Server server;
  std::thread thread;
  int port = -1;
  std::atomic<int> handler_runs{0};
  std::mutex seen_mutex;  // the handler runs on the server's thread
  std::string seen_user;  // what the last POST /act handler saw in its session
  std::string seen() {
    const std::lock_guard lock(seen_mutex);
    return seen_user;
  }

  explicit App(bool csrf) : manager(config()) {
    cookieseal::httplib::install(server, manager, {.csrf = {.enforce = csrf}, .warn_plain_http = false});
    server.Get("/", [](const httplib::Request& req, httplib::Response& res) {
      Session& s = cookieseal::httplib::session(req);
      s.set("n", s.get<int>("n").value_or(0) + 1);
      res.set_header("Set-Cookie", "other=1; Path=/");
      res.set_content(cookieseal::httplib::csrf_token(req), "text/plain");
    });
    server.Post("/act", [this](const httplib::Request& req, httplib::Response& res) {
      ++handler_runs;
      Session& s = cookieseal::httplib::session(req);
      const std::lock_guard lock(seen_mutex);
      seen_user = s.get<std::string>("user").value_or("");
      s.set("user", "mallory");
      res.set_header("X-Handler", "ran");
      res.set_content("done", "text/plain");
    });
    server.Post("/login", [](const httplib::Request& req, httplib::Response& res) {
      cookieseal::httplib::session(req).set("user", "ada");
      res.set_content("in", "text/plain");
    });
    server.Post("/stream", [](const httplib::Request& req, httplib::Response& res) {
      (void)cookieseal::httplib::session(req);
      res.set_chunked_content_provider("text/plain", [](std::size_t, httplib::DataSink& sink) {
        sink.write("streamed", 8);
        sink.done();
        return true;
      });
    });
    server.Post("/big", [](const httplib::Request& req, httplib::Response& res) {
      cookieseal::httplib::session(req).set("big", std::string(5000, 'x'));
      res.set_content("big", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): the socket is bound, so connections queue
    // until listen_after_bind() accepts them; wait only for the loop to run (bounded).
    for (int i = 0; i < 500 && !server.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~App() {
    server.stop();
    thread.join();
  }
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  static Config config() {
    Config c;
    c.keys = test_support::ring({test_support::key_a_text});
    return c;
  }
  [[nodiscard]] httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    return c;
  }
};

// The session cookie ("name=value") among a response's Set-Cookie headers, or "".
std::string session_cookie(const httplib::Result& r) {
  for (std::size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
    const std::string h = r->get_header_value("Set-Cookie", i);
    if (h.starts_with("__Host-session=")) return h.substr(0, h.find(';'));
  }
  return "";
}

// A logged-in cookie and a CSRF token of its session.
struct Login {
  std::string cookie;
  std::string token;
};
Login log_in(App& app) {
  auto c = app.client();
  auto page = c.Get("/");
  REQUIRE(page);
  const std::string first = session_cookie(page);
  auto in = c.Post("/login", {{"Cookie", first}, {"X-CSRF-Token", page->body}}, "", "text/plain");
  REQUIRE(in);
  REQUIRE(in->status == 200);
  return {session_cookie(in), page->body};
}

}  // namespace

TEST_CASE("install appends the session's Set-Cookie next to the handler's own") {
  App app(false);
  auto r = app.client().Get("/");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value_count("Set-Cookie") == 2);
  CHECK(r->get_header_value("Set-Cookie", 0) == "other=1; Path=/");
  CHECK_FALSE(session_cookie(r).empty());
  CHECK(r->get_header_value("Cache-Control") == "no-store");
}

TEST_CASE("the session cookie sent back opens the session in the next request") {
  App app(false);
  auto c = app.client();
  auto first = c.Get("/");
  REQUIRE(first);
  auto second = c.Get("/", {{"Cookie", session_cookie(first)}});
  REQUIRE(second);
  auto third = c.Get("/", {{"Cookie", session_cookie(second)}});
  REQUIRE(third);
  const Session s = app.manager.load(session_cookie(third));
  CHECK(s.get<int>("n") == 3);
}

TEST_CASE("session(req) for a request of no installed server throws std::logic_error") {
  const httplib::Request req;
  CHECK_THROWS_AS((void)cookieseal::httplib::session(req), std::logic_error);
}

TEST_CASE("with CSRF on, a POST from another origin is refused with a 403 before the handler runs") {
  App app(true);
  const Login ada = log_in(app);
  auto r = app.client().Post(
      "/act", {{"Cookie", ada.cookie}, {"X-CSRF-Token", ada.token}, {"Origin", "http://evil.test"}}, "",
      "text/plain");
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(r->body == "CSRF check failed: the Origin header names another origin\n");
  CHECK(app.handler_runs == 0);
  CHECK(session_cookie(r).empty());
}

TEST_CASE("with CSRF on, a POST whose form token fails gets a 403, and its handler a fresh session") {
  App app(true);
  const Login ada = log_in(app);
  auto r = app.client().Post("/act", {{"Cookie", ada.cookie}}, "_csrf=not-a-token",
                             "application/x-www-form-urlencoded");
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(r->body == "CSRF check failed: the CSRF token is malformed\n");
  CHECK(app.handler_runs == 1);  // the body is read after pre-routing, so the handler ran...
  CHECK(app.seen().empty());     // ...with nobody's session
  CHECK_FALSE(r->has_header("X-Handler"));
  CHECK(session_cookie(r).empty());  // and its changes are not sent
}

TEST_CASE("with CSRF on, a refused POST whose handler streamed its body sends only the 403") {
  App app(true);
  const Login ada = log_in(app);
  auto r = app.client().Post("/stream", {{"Cookie", ada.cookie}}, "", "application/x-www-form-urlencoded");
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(r->body == "CSRF check failed: no CSRF token in the request\n");
  auto ok =
      app.client().Post("/stream", {{"Cookie", ada.cookie}, {"X-CSRF-Token", ada.token}}, "", "text/plain");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body == "streamed");
}

TEST_CASE(
    "with CSRF on, the token passes in the header, an urlencoded field, a multipart field or the query") {
  App app(true);
  const Login ada = log_in(app);
  auto c = app.client();
  auto header = c.Post("/act", {{"Cookie", ada.cookie}, {"X-CSRF-Token", ada.token}}, "", "text/plain");
  REQUIRE(header);
  CHECK(header->status == 200);
  CHECK(app.seen() == "ada");
  auto form =
      c.Post("/act", {{"Cookie", ada.cookie}}, "x=1&_csrf=" + ada.token, "application/x-www-form-urlencoded");
  REQUIRE(form);
  CHECK(form->status == 200);
  const httplib::MultipartFormDataItems items = {{"_csrf", ada.token, "", ""}};
  auto multipart = c.Post("/act", {{"Cookie", ada.cookie}}, items);
  REQUIRE(multipart);
  CHECK(multipart->status == 200);
  // cpp-httplib merges the query into the same parameters (docs/HTTP.md says so).
  auto query = c.Post(("/act?_csrf=" + ada.token).c_str(), {{"Cookie", ada.cookie}}, "", "text/plain");
  REQUIRE(query);
  CHECK(query->status == 200);
  CHECK(app.handler_runs == 4);
}

TEST_CASE("a session that outgrew a cookie turns the response into a 500") {
  App app(false);
  auto r = app.client().Post("/big", "", "text/plain");
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(r->body == "session too large\n");
  CHECK(session_cookie(r).empty());
}
