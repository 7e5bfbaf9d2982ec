// cookieseal - the job of go-mizu's session middleware: options in code, Set / Get / Delete /
// Clear, a store of the application's own, and a cookie written only when the session changed
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./go_mizu --port 8080
//
// POST /set (form fields `key`, `value`), GET /get?key=K (404 when absent), POST /delete
// (`key`), POST /clear; GET /records counts the sessions in the store. A request that only
// reads, or writes what is already there, gets no Set-Cookie: set(), erase() and clear()
// mark the session changed themselves, and commit() writes only then. The store is
// examples/map_store.hpp (docs/STORE.md §Writing a store). docs/MIGRATING.md §go-mizu.
#include "map_store.hpp"
#include "serve.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session_manager.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

int main(int argc, char** argv) try {
  auto store = std::make_shared<example::MapStore>();
  cookieseal::Config config;                                    // session.Options{...}
  config.keys = cookieseal::Keyring::from_env();                // COOKIESEAL_KEYS or COOKIESEAL_KEYS_FILE
  config.cookie_name = "__Host-mizu";                           // CookieName
  config.lifetimes.ttl = std::chrono::hours(12);                // idle: gone after 12 h unused
  config.lifetimes.max_lifetime = std::chrono::days(7);         // MaxAge: 7 * 24 * time.Hour
  config.store = store;                                         // session.WithStore(store, ...)
  config.store_mode = cookieseal::StoreMode::server;            // every session in the store
  const cookieseal::SessionManager manager(std::move(config));  // session.New(...)

  httplib::Server app;
  cookieseal::httplib::install(app, manager, {.csrf = {.enforce = true, .require_token = false}});  // app.Use
  app.Post("/set", [](const httplib::Request& req, httplib::Response& res) {
    const std::string key = req.get_param_value("key");
    const std::string value = req.get_param_value("value");
    if (key.empty() || key.size() > 64 || value.size() > 1024) {  // a session stays small
      res.status = 400;
      res.set_content("key: 1 to 64 bytes, value: at most 1024\n", "text/plain");
      return;
    }
    cookieseal::httplib::session(req).set(key, value);  // sess.Set(k, v)
    res.set_content("ok\n", "text/plain");
  });
  app.Get("/get", [](const httplib::Request& req, httplib::Response& res) {
    const auto value =
        cookieseal::httplib::session(req).get<std::string>(req.get_param_value("key"));  // sess.Get
    if (!value) res.status = 404;
    res.set_content(value ? *value + '\n' : "no such value\n", "text/plain");
  });
  app.Post("/delete", [](const httplib::Request& req, httplib::Response& res) {
    const bool deleted =
        cookieseal::httplib::session(req).erase(req.get_param_value("key"));  // sess.Delete(k)
    res.set_content(deleted ? "deleted\n" : "no such value\n", "text/plain");
  });
  app.Post("/clear", [](const httplib::Request& req, httplib::Response& res) {
    cookieseal::httplib::session(req).clear();  // sess.Clear()
    res.set_content("cleared\n", "text/plain");
  });
  app.Get("/records", [store](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::to_string(store->live_records()) + '\n', "text/plain");
  });
  return job::serve(app, argc, argv);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
