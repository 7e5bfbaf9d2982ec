// cookieseal - example: a cpp-httplib server keeping a login and a visit counter in a sealed cookie
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./httplib_server --port 8080   # or PORT=8080
//   then open http://localhost:8080/ (localhost: browsers keep the Secure cookie there)
//
// GET / counts visits, POST /login (form field `user`) logs in, POST /logout ends the session
// and revokes it, so that a copy of the cookie kept by someone else no longer opens either.
// Sessions and CSRF checks come from one call, cookieseal::httplib::install: every POST needs
// the page's token (form field `_csrf` or header X-CSRF-Token) and must not come from another
// origin; a refused one gets a 403 saying why.
// Operators' endpoints (loopback only here; guard them in a real deployment):
//   GET  /admin/keys          key ids in use and the cookies each opened, load outcomes
//   POST /admin/reload-keys   re-read COOKIESEAL_KEYS_FILE: rotate keys without a restart
//   POST /admin/revoke-all    end every session created until now
// Settings come from COOKIESEAL_* variables (Config::from_env). A missing, tampered, expired,
// revoked or foreign cookie is never an error: the request just gets a fresh session.
#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>  // install, session, csrf_token (cpp-httplib: libcpp-httplib-dev)
#include <cookieseal/session_manager.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace {

// The server side of logout, for Config::is_revoked: ids of sessions logged out before they
// expired, and a "not before" time for sessions created earlier. In one process a map does;
// a fleet would keep the same two things in a shared store (e.g. Redis keys with a TTL).
class RevocationList {
 public:
  using Clock = std::chrono::system_clock;

  // Until `until` (the latest the cookie could still open), `id` opens no more.
  void revoke(const cookieseal::SessionId& id, Clock::time_point until) {
    const std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    std::erase_if(revoked_, [&](const auto& entry) { return entry.second < now; });  // expired ids
    revoked_[id] = until;
  }
  void revoke_created_before(std::chrono::sys_seconds t) {
    const std::lock_guard lock(mutex_);
    not_before_ = t;
  }
  bool is_revoked(const cookieseal::SessionId& id, std::chrono::sys_seconds created_at) const {
    const std::lock_guard lock(mutex_);
    return created_at < not_before_ || revoked_.contains(id);
  }

 private:
  mutable std::mutex mutex_;
  std::map<cookieseal::SessionId, Clock::time_point> revoked_;
  std::chrono::sys_seconds not_before_{};
};

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
         token + "<button>log out</button></form>\n";
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
  RevocationList revocations;
  std::optional<cookieseal::SessionManager> maybe_manager;
  try {
    // COOKIESEAL_KEYS is wiped from the environment once read.
    cookieseal::Config config =
        cookieseal::Config::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::remove);
    config.is_revoked = [&revocations](const cookieseal::SessionId& id, std::chrono::sys_seconds created_at) {
      return revocations.is_revoked(id, created_at);
    };
    maybe_manager.emplace(std::move(config));
  } catch (const cookieseal::ConfigError& e) {
    std::cerr << "configuration: " << e.what() << '\n';
    return 1;
  }
  cookieseal::SessionManager& manager = *maybe_manager;  // shared by every thread

  httplib::Server server;
  // Load before routing, commit after; CSRF checks on every POST. The operator endpoints are
  // for curl (no page posts there): checked by origin only, so a page of another site still
  // cannot post to them.
  cookieseal::httplib::install(
      server, manager,
      {.csrf = {.enforce = true, .tokenless_paths = {"/admin/reload-keys", "/admin/revoke-all"}}});
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
    res.set_redirect("/", 303);
  });
  server.Post("/logout", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);
    if (session.load_status() == cookieseal::LoadStatus::loaded) {
      // Deleting the cookie in this browser is not enough: a copy would still open until it
      // expires. Kept until the session's absolute lifetime ends, when no copy opens anyway.
      const cookieseal::Config& c = manager.config();
      revocations.revoke(session.id(),
                         session.created_at() + c.lifetimes.max_lifetime + c.lifetimes.effective_leeway());
    }
    session.destroy();  // the commit after the handler sends a Set-Cookie that deletes the cookie
    res.set_content("<!doctype html>\n<p>logged out</p>\n<p><a href=/>home</a></p>\n",
                    "text/html; charset=utf-8");
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
    revocations.revoke_created_before(
        std::chrono::time_point_cast<std::chrono::seconds>(RevocationList::Clock::now()) +
        std::chrono::seconds(1));
    res.set_content("every session created until now is revoked\n", "text/plain");
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
