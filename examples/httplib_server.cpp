// cookieseal - example: a cpp-httplib server keeping a login and a visit counter in a sealed cookie
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./httplib_server --port 8080   # or PORT=8080
//   then open http://localhost:8080/ (localhost: browsers keep the Secure cookie there)
//
// GET / counts visits, POST /login (form field `user`) logs in, POST /logout ends the session
// and revokes it, so that a copy of the cookie kept by someone else no longer opens either,
// POST /logout-everywhere ends every session of the user (all devices). Revocation is the
// library's: COOKIESEAL_REVOCATION=redis://127.0.0.1:6379/0 shares it across a fleet and a
// restart; without it this server keeps an in-memory list of its own. A logout that cannot be
// recorded (Redis unreachable, or the replica stale) answers 503 and keeps the cookie.
// Server-side sessions: COOKIESEAL_STORE=redis://127.0.0.1:6379/0 (or memory) keeps a session
// that outgrows its cookie in the store (POST /notes with a text/plain body of up to 64 KB, GET
// /notes reads it back), logout then deletes the record on every server, and POST
// /logout-other-devices ends the user's other stored sessions (COOKIESEAL_STORE_MODE=server
// stores every session).
// Sessions and CSRF checks come from one call, cookieseal::httplib::install: every POST needs
// the page's token (form field `_csrf` or header X-CSRF-Token) and must not come from another
// origin; a refused one gets a 403 saying why.
// Operators' endpoints (loopback only here; guard them in a real deployment):
//   GET  /admin/keys          key ids in use and the cookies each opened, load outcomes
//   POST /admin/reload-keys   re-read COOKIESEAL_KEYS_FILE: rotate keys without a restart
//   POST /admin/revoke-all    end every session created until now
// For load tests (bench/http_load.sh, tests/e2e/soak.sh): GET /counter increments an integer
// in the session and answers it as plain text; GET /plain answers the same kind of text
// without using the session. cpp-httplib has one pre-routing handler, so no route can opt out
// of install(): EXAMPLE_SESSIONS=off starts the server without it, serving /plain only (the
// session routes then answer 500), which is the floor a session costs are measured against.
// Settings come from COOKIESEAL_* variables (Config::from_env). A missing, tampered, expired,
// revoked or foreign cookie is never an error: the request just gets a fresh session.
#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>  // install, session, csrf_token (cpp-httplib: libcpp-httplib-dev)
#include <cookieseal/revocation.hpp>
#include <cookieseal/session_manager.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace {

// What an operator reads before retiring a key: which key opened how many cookies since
// start, and how loads ended (a steady unknown_key count after retiring one means clients
// still hold cookies under it).
std::string usage_report(const cookieseal::SessionManager& manager) {
  const cookieseal::Usage usage = manager.usage();
  std::ostringstream out;
  for (const cookieseal::KeyUsage& key : usage.keys) {
    out << "key " << key.key_id << (key.position == 0 ? " primary" : " secondary") << " opened " << key.opened
        << '\n';
  }
  for (std::size_t i = 0; i < usage.by_status.size(); ++i) {
    out << "load " << to_string(static_cast<cookieseal::LoadStatus>(i)) << ' ' << usage.by_status[i] << '\n';
  }
  if (const auto& r = usage.revocation) {
    out << "revocation ids " << r->revoked_ids << " users " << r->revoked_users << " bytes "
        << r->replica_bytes << " connected " << (r->connected ? "yes" : "no") << " staleness "
        << (r->staleness ? std::to_string(r->staleness->count()) + "s" : std::string("none")) << '\n';
  }
  return out.str();
}

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
std::string home_page(const cookieseal::Session& session, const std::string& csrf) {
  const std::string token = "<input type=hidden name=_csrf value=" + csrf + ">";
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
         token + "<button>log out</button></form>\n" +
         "<form id=logout-everywhere method=post action=/logout-everywhere>" + token +
         "<button>log out everywhere</button></form>\n";
}

// The end of a logout route: answers 503 "not recorded" (the session kept) when the replica is
// stale or `record` (the revocation) fails, 403 without the page's CSRF token, else ends the
// session (the commit after the handler sends a Set-Cookie that deletes the cookie).
template <typename Record>
void logout(const httplib::Request& req, httplib::Response& res, Record record) {
  cookieseal::Session& session = cookieseal::httplib::session(req);
  const auto not_recorded = [&res] {
    res.status = 503;
    res.set_content("<!doctype html>\n<p>logout could not be recorded: try again</p>\n",
                    "text/html; charset=utf-8");
  };
  if (session.load_status() == cookieseal::LoadStatus::stale) return not_recorded();
  const std::string token =
      req.has_header("X-CSRF-Token") ? req.get_header_value("X-CSRF-Token") : req.get_param_value("_csrf");
  if (const cookieseal::CsrfStatus csrf = cookieseal::verify_csrf_token(session, token);
      csrf != cookieseal::CsrfStatus::ok) {
    res.status = 403;
    res.set_content(std::string(cookieseal::csrf_reason(csrf)) + '\n', "text/plain; charset=utf-8");
    return;
  }
  if (session.load_status() == cookieseal::LoadStatus::loaded && !record(std::as_const(session))) {
    return not_recorded();
  }
  session.destroy();
  res.set_content("<!doctype html>\n<p>logged out</p>\n<p><a href=/>home</a></p>\n",
                  "text/html; charset=utf-8");
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

// Loopback only: put a TLS-terminating proxy in front to serve it for real.
int serve(httplib::Server& server, int port) {
  const int bound =
      port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << port << '\n';
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << bound << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}

// The manager, from COOKIESEAL_* (COOKIESEAL_KEYS is wiped from the environment once read).
// Throws ConfigError for a bad setting.
cookieseal::SessionManager make_manager() {
  cookieseal::Config config = cookieseal::Config::from_env();
  if (!config.revocation) config.revocation = cookieseal::make_memory_revocation();  // one process only
  return cookieseal::SessionManager(std::move(config));
}

}  // namespace

// A function-try-block: a bad configuration is a message and exit status 1, not a terminate.
int main(int argc, char** argv) try {
  const std::optional<int> port = port_from(argc, argv);
  if (!port) {
    std::cerr << "usage: httplib_server [--port N]   (or PORT=N; 0 picks a free port)\n";
    return 2;
  }
  cookieseal::SessionManager manager = make_manager();  // shared by every thread

  httplib::Server server;
  // Without it, a response written in two parts waits for the client's delayed ACK (~40 ms per
  // request on a keep-alive connection).
  server.set_tcp_nodelay(true);
  server.Get("/plain", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("1\n", "text/plain");  // what /counter answers on a first visit
  });
  const char* sessions = std::getenv("EXAMPLE_SESSIONS");
  if (sessions != nullptr && std::string_view(sessions) == "off") {
    std::cout << "sessions: off (only /plain is served)\n";
    return serve(server, *port);
  }
  // Load before routing, commit after; CSRF checks on every POST. The operator endpoints are
  // for curl (no page posts there): checked by origin only, so a page of another site still
  // cannot post to them. The logout routes check their token themselves (logout() below).
  cookieseal::httplib::install(server, manager,
                               {.csrf = {.enforce = true,
                                         .tokenless_paths = {"/admin/reload-keys", "/admin/revoke-all",
                                                             "/logout", "/logout-everywhere"}}});
  server.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);
    session.set("visits", session.get<std::int64_t>("visits").value_or(0) + 1);
    res.set_content(home_page(session, cookieseal::httplib::csrf_token(req)), "text/html; charset=utf-8");
  });
  server.Post("/login", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string user = req.get_param_value("user");
    if (user.empty() || user.size() > 64) {
      res.status = 400;
      res.set_content("user: 1 to 64 bytes\n", "text/plain");
      return;
    }
    cookieseal::Session& session = cookieseal::httplib::session(req);
    session.regenerate_id();          // new privileges, new id (session fixation)
    cookieseal::reset_csrf(session);  // and a new CSRF secret
    session.set("user", user);
    session.set_user(user);  // sealed in the head: "log out everywhere" needs no lookup
    res.set_redirect("/", 303);
  });
  // Logout: revoke, then end the session. A revocation that cannot be recorded is said (503),
  // never dropped, and the cookie is kept so that "try again" can work. That includes a stale
  // replica (Redis unreachable for longer than COOKIESEAL_REVOCATION_MAX_STALE): every cookie
  // then loads as a fresh session, without the CSRF secret the page's token was made for, so
  // the two routes are tokenless_paths (still origin-checked) and check the token here, after
  // the stale case (a CSRF 403 would not say that the logout was not recorded).
  server.Post("/logout", [&](const httplib::Request& req, httplib::Response& res) {
    logout(req, res, [&](const cookieseal::Session& session) { return manager.revoke(session); });
  });
  server.Post("/logout-everywhere", [&](const httplib::Request& req, httplib::Response& res) {
    logout(req, res, [&](const cookieseal::Session& session) {  // without a user: this session
      return session.user().empty() ? manager.revoke(session) : manager.revoke_user(session.user());
    });
  });

  server.Get("/counter", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);
    const std::int64_t counter = session.get<std::int64_t>("counter").value_or(0) + 1;
    session.set("counter", counter);
    res.set_content(std::to_string(counter) + '\n', "text/plain");
  });

  // A note of up to 64 KB kept in the session. With a store (COOKIESEAL_STORE; automatic mode by
  // default) a session that outgrows its cookie moves there and back when it shrinks; without
  // one a note over about 4 KB cannot be saved (the commit answers 500, logged).
  // The note is the body when it is text/plain (with the token in X-CSRF-Token: the system's
  // cpp-httplib parses url-encoded forms only up to 8 KB), else the form field `text`.
  server.Post("/notes", [&](const httplib::Request& req, httplib::Response& res) {
    const bool plain = req.get_header_value("Content-Type").starts_with("text/plain");
    const std::string text = plain ? req.body : req.get_param_value("text");
    if (text.size() > 64 * 1024) {
      res.status = 413;
      res.set_content("text: at most 65536 bytes\n", "text/plain");
      return;
    }
    cookieseal::httplib::session(req).set("note", text);
    res.set_content("saved " + std::to_string(text.size()) + " bytes\n", "text/plain");
  });
  server.Get("/notes", [&](const httplib::Request& req, httplib::Response& res) {
    const cookieseal::Session& session = cookieseal::httplib::session(req);
    res.set_header("X-Session-Stored", session.stored() ? "yes" : "no");  // where load() found it
    res.set_content(session.get<std::string>("note").value_or(""), "text/plain");
  });
  // With a store: "sign out other devices" (their records are deleted, on every server).
  server.Post("/logout-other-devices", [&](const httplib::Request& req, httplib::Response& res) {
    const cookieseal::Session& session = cookieseal::httplib::session(req);
    if (session.user().empty()) {
      res.status = 401;
      res.set_content("log in first\n", "text/plain");
      return;
    }
    const cookieseal::Result<std::size_t> ended = manager.end_other_sessions(session);
    if (!ended) {
      res.status = 503;
      res.set_content(std::string("other sessions not ended: ") + std::string(to_string(ended.error())) +
                          " (needs COOKIESEAL_STORE)\n",
                      "text/plain");
      return;
    }
    res.set_content("ended " + std::to_string(*ended) + " other sessions\n", "text/plain");
  });

  server.Get("/admin/keys", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(usage_report(manager), "text/plain");
  });
  server.Post("/admin/reload-keys", [&](const httplib::Request&, httplib::Response& res) {
    try {
      manager.reload_keys();  // atomic: requests in flight keep the keyring they started with
      res.set_content(usage_report(manager), "text/plain");
    } catch (const cookieseal::ConfigError& e) {  // the old keys stay in use
      res.status = 409;
      res.set_content(std::string("keys not reloaded: ") + e.what() + '\n', "text/plain");
    }
  });
  server.Post("/admin/revoke-all", [&](const httplib::Request&, httplib::Response& res) {
    if (!manager.revoke_all()) {
      res.status = 503;
      res.set_content("not recorded: the revocation list is unreachable\n", "text/plain");
      return;
    }
    res.set_content("every session created until now is revoked\n", "text/plain");
  });

  std::cout << "session cookie: " << manager.cookie_name() << '\n';
  return serve(server, *port);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
