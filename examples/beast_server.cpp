// cookieseal - example: a Boost.Beast server keeping a login and a visit counter in a sealed cookie
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./beast_server --port 8080   # or PORT=8080
//   then open http://localhost:8080/ (localhost: browsers keep the Secure cookie there)
//
// The same application as httplib_server.cpp: GET / counts visits, POST /login (form field
// `user`) logs in, POST /logout ends the session; every POST needs the page's CSRF token and
// must not come from another origin (cookieseal/beast.hpp: load, check_csrf, commit). Synchronous, one thread
// per connection, as Beast's http_server_sync example: short, not built for hostile traffic (no read
// timeouts).
#include <cookieseal/beast.hpp>  // load, check_csrf, commit
#include <cookieseal/config.hpp>
#include <cookieseal/session_manager.hpp>

#include <boost/asio/ip/tcp.hpp>  // header-only Asio (Debian: libboost-dev)
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Text as HTML, for the user name echoed in the page.
std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The page's forms carry a CSRF token (a new text on every page; each one verifies).
std::string home_page(cookieseal::Session& session) {
  const std::string token = "<input type=hidden name=_csrf value=" + cookieseal::csrf_token(session) + ">";
  const auto user = session.get<std::string>("user");
  return "<!doctype html>\n<title>cookieseal example</title>\n"
         "<p>user: " +
         (user ? html_escape(*user) : "(not logged in)") +
         "</p>\n"
         "<p>visits: " +
         std::to_string(session.get<std::int64_t>("visits").value_or(0)) +
         "</p>\n"
         "<form id=login method=post action=/login>" +
         token +
         "<input name=user required maxlength=64>"
         " <button>log in</button></form>\n"
         "<form id=logout method=post action=/logout>" +
         token + "<button>log out</button></form>\n";
}

Response reply(const Request& req, http::status status, std::string body,
               const char* type = "text/html; charset=utf-8") {
  Response res{status, req.version()};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");  // per-user pages: never from a shared cache
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

const cookieseal::MiddlewareOptions options{.csrf = {.enforce = true}};

// One request -> its response. The cookieseal part is the first and the last step:
// request -> Session (and the CSRF check), and Session -> Set-Cookie.
Response handle(const cookieseal::SessionManager& manager, const Request& req) {
  const bool get_home = req.method() == http::verb::get && req.target() == "/";
  const bool login = req.method() == http::verb::post && req.target() == "/login";
  const bool logout = req.method() == http::verb::post && req.target() == "/logout";
  if (!get_home && !login && !logout) return reply(req, http::status::not_found, "not found\n", "text/plain");

  // 1. Read: never fails; a missing, tampered, expired or foreign cookie gives a fresh session.
  cookieseal::Session session = cookieseal::beast::load(manager, req, options);
  if (const auto csrf = cookieseal::beast::check_csrf(session, req, options);
      csrf != cookieseal::CsrfStatus::ok) {
    return reply(req, http::status::forbidden, std::string(cookieseal::csrf_reason(csrf)) + '\n',
                 "text/plain");
  }

  // 2. The application.
  Response res;
  if (get_home) {
    session.set("visits", session.get<std::int64_t>("visits").value_or(0) + 1);
    res = reply(req, http::status::ok, home_page(session));
  } else if (login) {
    const std::optional<std::string> user = cookieseal::form_value(req.body(), "user");
    if (!user || user->empty() || user->size() > 64) {
      return reply(req, http::status::bad_request, "user: 1 to 64 bytes\n", "text/plain");
    }
    session.regenerate_id();          // new privileges, new id (session fixation)
    cookieseal::reset_csrf(session);  // and a new CSRF secret
    session.set("user", *user);
    res = reply(req, http::status::see_other, "");
    res.set(http::field::location, "/");
  } else {
    session.destroy();  // commit() now sends a Set-Cookie that deletes the cookie
    res = reply(req, http::status::ok, "<!doctype html>\n<p>logged out</p>\n<p><a href=/>home</a></p>\n");
  }

  // 3. Write: a Set-Cookie when the session changed (or is due for renewal, or destroyed).
  if (const auto out = cookieseal::beast::commit(manager, session, res); !out) {  // logged
    const cookieseal::CommitFailure failure = cookieseal::commit_failure(*out.error);
    return reply(req, static_cast<http::status>(failure.status), std::string(failure.body), "text/plain");
  }
  return res;
}

// Reads requests off one connection until the client closes it or stops keeping it alive.
void serve(const cookieseal::SessionManager& manager, tcp::socket socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    Request req;
    http::read(socket, buffer, req, ec);
    if (ec) break;  // closed, or a request Beast could not parse
    Response res = handle(manager, req);
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !res.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

// --port N, else $PORT, else 8080. nullopt when not a number in 0..65535 (0: any free port).
std::optional<unsigned short> port_from(int argc, char** argv) {
  const char* text = std::getenv("PORT");
  if (argc == 3 && std::string_view(argv[1]) == "--port") text = argv[2];
  else if (argc != 1) return std::nullopt;
  if (text == nullptr) return 8080;
  char* end = nullptr;
  const long port = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || port < 0 || port > 65535) return std::nullopt;
  return static_cast<unsigned short>(port);
}

}  // namespace

// A function-try-block: a bad configuration is a message and exit status 1, not a terminate.
int main(int argc, char** argv) try {
  const std::optional<unsigned short> port = port_from(argc, argv);
  if (!port) {
    std::cerr << "usage: beast_server [--port N]   (or PORT=N; 0 picks a free port)\n";
    return 2;
  }
  // Shared by every thread. COOKIESEAL_KEYS is wiped from the environment once read.
  const cookieseal::SessionManager manager(
      cookieseal::Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::remove));

  boost::asio::io_context io;
  std::optional<tcp::acceptor> acceptor;
  try {
    // Loopback only: put a TLS-terminating proxy in front to serve it for real.
    acceptor.emplace(io, tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), *port});
  } catch (const boost::system::system_error& e) {
    std::cerr << "cannot listen on 127.0.0.1:" << *port << ": " << e.what() << '\n';
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << acceptor->local_endpoint().port() << '\n'
            << "session cookie: " << manager.cookie_name() << std::endl;
  for (;;) {  // until killed: the connection threads use `manager`, so main never returns
    tcp::socket socket(io);
    beast::error_code ec;
    acceptor->accept(socket, ec);
    if (!ec) std::thread(serve, std::cref(manager), std::move(socket)).detach();
  }
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
