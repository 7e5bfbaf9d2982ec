// cookieseal - the job of mojo-session: get_or_create, save and delete, over a memory store
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./mojo_session --port 8080
//
// POST /login (form field `user`) logs in; GET /welcome answers "Welcome back!" with a
// session and 401 without; POST /logout deletes the session: its record goes from the store
// and its cookie from the browser, so a copy of the cookie opens nothing afterwards. The
// store is in memory unless COOKIESEAL_STORE names another (redis://host:port/db).
// As with mojo-session, each handler is wrapped by an explicit get_or_create (load) and save
// (commit) here; the other examples let cookieseal::httplib::install do both
// (docs/MIGRATING.md §mojo-session).
#include "serve.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/csrf.hpp>
#include <cookieseal/middleware.hpp>  // commit_failure
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include <functional>
#include <iostream>
#include <string>
#include <utility>

using Handler = std::function<void(cookieseal::Session&, const httplib::Request&, httplib::Response&)>;

int main(int argc, char** argv) try {
  cookieseal::Config config = cookieseal::Config::from_env();         // COOKIESEAL_KEYS, COOKIESEAL_TTL, ...
  if (!config.store) config.store = cookieseal::make_memory_store();  // MemorySessionStore()
  config.store_mode = cookieseal::StoreMode::server;            // the data in the store, the id in the cookie
  const cookieseal::SessionManager manager(std::move(config));  // SessionManager()

  // manager.get_or_create(id) before the handler, manager.save(session) after it.
  auto with_session = [&manager](Handler handler) {
    return [&manager, handler](const httplib::Request& req, httplib::Response& res) {
      // Unlike mojo-session, refuse a browser's POST from another site (login CSRF).
      const std::string site = req.get_header_value("Sec-Fetch-Site"),
                        origin = req.get_header_value("Origin"), host = req.get_header_value("Host");
      if (cookieseal::is_unsafe_method(req.method) &&
          cookieseal::check_origin({.sec_fetch_site = site, .origin = origin, .host = host}, {}) !=
              cookieseal::CsrfStatus::ok) {
        res.status = 403;
        res.set_content("cross-site request refused\n", "text/plain");
        return;
      }
      cookieseal::Session session = manager.load(req.get_header_value("Cookie"));  // get_or_create
      handler(session, req, res);
      const cookieseal::Commit saved = manager.commit(session);  // save, or delete after destroy()
      if (saved.set_cookie) {
        res.set_header("Set-Cookie", *saved.set_cookie);
        res.set_header("Cache-Control", "no-store");
      } else if (!saved) {  // 503 store unreachable, 500 too large (cookieseal/middleware.hpp)
        const cookieseal::CommitFailure failure = cookieseal::commit_failure(*saved.error);
        res.status = failure.status;
        res.set_content(std::string(failure.body), "text/plain");
      }
    };
  };

  httplib::Server app;
  app.Post("/login", with_session([](cookieseal::Session& session, const httplib::Request& req,
                                     httplib::Response& res) {
             const std::string user = req.get_param_value("user");
             if (user.empty() || user.size() > 64) {
               res.status = 400;
               res.set_content("user: 1 to 64 bytes\n", "text/plain");
               return;
             }
             session.regenerate_id();  // a new id at login (session fixation)
             session.set("user_id", user);
             res.set_content("logged in\n", "text/plain");
           }));
  app.Get("/welcome",
          with_session([](cookieseal::Session& session, const httplib::Request&, httplib::Response& res) {
            if (!session.contains("user_id")) {
              res.status = 401;
              res.set_content("Please log in\n", "text/plain");
              return;
            }
            res.set_content("Welcome back!\n", "text/plain");
          }));
  app.Post("/logout",
           with_session([](cookieseal::Session& session, const httplib::Request&, httplib::Response& res) {
             session.destroy();  // manager.delete(id): the record, then the cookie
             res.set_content("logged out\n", "text/plain");
           }));
  return job::serve(app, argc, argv);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
