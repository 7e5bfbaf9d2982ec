// cookieseal - example: a cpp-httplib server keeping a login and a visit counter in a sealed cookie
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./httplib_server --port 8080   # or PORT=8080
//   then open http://localhost:8080/ (localhost: browsers keep the Secure cookie there)
//
// GET / counts visits, POST /login (form field `user`) logs in, POST /logout ends the session.
// Settings come from COOKIESEAL_* variables (Config::from_env). A missing, tampered, expired
// or foreign cookie is never an error: the request just gets a fresh session.
#include <cookieseal/config.hpp>
#include <cookieseal/session_manager.hpp>

#include <httplib.h>  // cpp-httplib (Debian: libcpp-httplib-dev)

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

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

std::string home_page(const cookieseal::Session& session) {
  const auto user = session.get<std::string>("user");
  return "<!doctype html>\n<title>cookieseal example</title>\n"
         "<p>user: " + (user ? html_escape(*user) : "(not logged in)") + "</p>\n"
         "<p>visits: " + std::to_string(session.get<std::int64_t>("visits").value_or(0)) + "</p>\n"
         "<form id=login method=post action=/login><input name=user required maxlength=64>"
         " <button>log in</button></form>\n"
         "<form id=logout method=post action=/logout><button>log out</button></form>\n";
}

// The Cookie request header -> a Session. Never fails: a bad cookie gives a fresh session,
// and the reason is only logged.
cookieseal::Session load(const cookieseal::SessionManager& manager, const httplib::Request& req) {
  cookieseal::Session session = manager.load(req.get_header_value("Cookie"));
  if (session.rejected()) {
    std::cerr << "session cookie refused (" + std::string(to_string(session.load_status())) +
                     "): fresh session\n";
  }
  return session;
}

// The Session -> a Set-Cookie response header, when there is something to send. False (and a
// 500) only if the session outgrew a cookie, which this example's data never does.
bool save(const cookieseal::SessionManager& manager, const cookieseal::Session& session,
          httplib::Response& res) {
  const cookieseal::Commit out = manager.commit(session);
  if (!out) {
    std::cerr << out.message() + '\n';
    res.status = 500;
    res.set_content("session too large\n", "text/plain");
    return false;
  }
  if (out.set_cookie) res.set_header("Set-Cookie", *out.set_cookie);
  res.set_header("Cache-Control", "no-store");  // per-user pages: never from a shared cache
  return true;
}

// --port N, else $PORT, else 8080. nullopt when not a number in 0..65535 (0: any free port).
std::optional<int> port_from(int argc, char** argv) {
  const char* text = std::getenv("PORT");
  if (argc == 3 && std::string_view(argv[1]) == "--port") text = argv[2];
  else if (argc != 1) return std::nullopt;
  if (text == nullptr) return 8080;
  char* end = nullptr;
  const long port = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || port < 0 || port > 65535) return std::nullopt;
  return static_cast<int>(port);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<int> port = port_from(argc, argv);
  if (!port) {
    std::cerr << "usage: httplib_server [--port N]   (or PORT=N; 0 picks a free port)\n";
    return 2;
  }
  std::optional<cookieseal::SessionManager> maybe_manager;
  try {
    // COOKIESEAL_KEYS is wiped from the environment once read.
    maybe_manager.emplace(cookieseal::Config::from_env("COOKIESEAL_", true));
  } catch (const cookieseal::ConfigError& e) {
    std::cerr << "configuration: " << e.what() << '\n';
    return 1;
  }
  const cookieseal::SessionManager& manager = *maybe_manager;  // shared by every thread

  httplib::Server server;
  server.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session session = load(manager, req);
    session.set("visits", session.get<std::int64_t>("visits").value_or(0) + 1);
    if (save(manager, session, res)) res.set_content(home_page(session), "text/html; charset=utf-8");
  });
  // Plain form posts, no CSRF token: SameSite=Lax keeps the cookie off cross-site POSTs.
  server.Post("/login", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string user = req.get_param_value("user");
    if (user.empty() || user.size() > 64) {
      res.status = 400;
      res.set_content("user: 1 to 64 bytes\n", "text/plain");
      return;
    }
    cookieseal::Session session = load(manager, req);
    session.regenerate_id();  // new privileges, new id (session fixation)
    session.set("user", user);
    if (save(manager, session, res)) res.set_redirect("/", 303);
  });
  server.Post("/logout", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session session = load(manager, req);
    session.destroy();  // commit() now sends a Set-Cookie that deletes the cookie
    if (save(manager, session, res)) {
      res.set_content("<!doctype html>\n<p>logged out</p>\n<p><a href=/>home</a></p>\n",
                      "text/html; charset=utf-8");
    }
  });

  // Loopback only: put a TLS-terminating proxy in front to serve it for real.
  const int bound = *port == 0 ? server.bind_to_any_port("127.0.0.1")
                               : (server.bind_to_port("127.0.0.1", *port) ? *port : -1);
  if (bound < 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << *port << '\n';
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << bound << '\n'
            << "session cookie: " << manager.cookie_name() << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
