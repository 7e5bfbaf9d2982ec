// cookieseal - the job of Oxygen.jl's session demo: an encrypted cookie naming state the
// server keeps, with a login, a dashboard and a logout
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./oxygen --port 8080
//
// POST /login (form field `user`) logs in; GET /dashboard greets the user, 401 without a
// login; POST /logout deletes the server-side data, so the old cookie, replayed, gets a 401.
// Store mode server: the cookie carries only a sealed reference to the record, whatever the
// size of the data (docs/STORE.md §Modes, docs/MIGRATING.md §Oxygen.jl). The store is in
// memory unless COOKIESEAL_STORE names another (redis://host:port/db).
#include "serve.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include <iostream>
#include <string>
#include <utility>

int main(int argc, char** argv) try {
  cookieseal::Config config = cookieseal::Config::from_env();         // configcookies(secret_key=...)
  if (!config.store) config.store = cookieseal::make_memory_store();  // the Dict in the app context
  config.store_mode = cookieseal::StoreMode::server;
  const cookieseal::SessionManager manager(std::move(config));

  httplib::Server app;
  // Load before each handler, commit after; a POST from another site is refused (403).
  cookieseal::httplib::install(app, manager, {.csrf = {.enforce = true, .require_token = false}});
  app.Post("/login", [](const httplib::Request& req, httplib::Response& res) {
    const std::string user = req.get_param_value("user");
    if (user.empty() || user.size() > 4096) {  // up to 4 KiB: the cookie stays a reference
      res.status = 400;
      res.set_content("user: 1 to 4096 bytes\n", "text/plain");
      return;
    }
    cookieseal::Session& session = cookieseal::httplib::session(req);
    session.regenerate_id();  // a new id at login (session fixation)
    session.set("user", user);
    res.set_redirect("/dashboard", 303);
  });
  app.Get("/dashboard", [](const httplib::Request& req, httplib::Response& res) {
    const auto user = cookieseal::httplib::session(req).get<std::string>("user");
    if (!user) {
      res.status = 401;
      res.set_content("not logged in\n", "text/plain");
      return;
    }
    res.set_content("Welcome back, " + *user + "!\n", "text/plain");
  });
  app.Post("/logout", [](const httplib::Request& req, httplib::Response& res) {
    cookieseal::httplib::session(req).destroy();  // the record is deleted, then the cookie
    res.set_content("logged out\n", "text/plain");
  });
  return job::serve(app, argc, argv);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
