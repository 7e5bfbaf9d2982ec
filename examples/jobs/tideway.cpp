// cookieseal - the job of Tideway's sessions: the backend picked by an environment variable,
// values set, read and removed, and a session's life extended
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) COOKIESEAL_STORE=memory COOKIESEAL_STORE_MODE=server ./tideway
//
// COOKIESEAL_STORE = cookie (the default: the session sealed in its cookie, as Tideway's
// CookieSessionStore) | memory (in this process, as InMemorySessionStore) |
// redis://host:port/db | unix:///path?db=N; COOKIESEAL_STORE_MODE=server keeps every session
// in that store (auto keeps small ones in their cookie); COOKIESEAL_TTL is the idle ttl.
// POST /set (form fields `key`, `value`), GET /get?key=K (404 when absent), POST /remove
// (`key`), POST /extend: two hours more before the session idles out (its Set-Cookie's
// Max-Age grows by 7200 s each time). docs/MIGRATING.md §Tideway.
#include "serve.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>
#include <cookieseal/session_manager.hpp>

#include <chrono>
#include <iostream>
#include <string>

int main(int argc, char** argv) try {
  const cookieseal::SessionManager manager(
      cookieseal::Config::from_env());  // TIDEWAY_SESSION_* -> COOKIESEAL_*

  httplib::Server app;
  cookieseal::httplib::install(app, manager, {.csrf = {.enforce = true, .require_token = false}});
  app.Post("/set", [](const httplib::Request& req, httplib::Response& res) {
    const std::string key = req.get_param_value("key");
    const std::string value = req.get_param_value("value");
    if (key.empty() || key.size() > 64 || value.size() > 1024) {  // in a cookie, all must fit 4 KiB
      res.status = 400;
      res.set_content("key: 1 to 64 bytes, value: at most 1024\n", "text/plain");
      return;
    }
    cookieseal::httplib::session(req).set(key, value);  // session.set(k, v)
    res.set_content("set\n", "text/plain");
  });
  app.Get("/get", [](const httplib::Request& req, httplib::Response& res) {
    const auto value = cookieseal::httplib::session(req).get<std::string>(req.get_param_value("key"));
    if (!value) res.status = 404;
    res.set_content(value ? *value + '\n' : "no such value\n", "text/plain");
  });
  app.Post("/remove", [](const httplib::Request& req, httplib::Response& res) {
    const bool removed = cookieseal::httplib::session(req).erase(req.get_param_value("key"));  // remove(k)
    if (!removed) res.status = 404;
    res.set_content(removed ? "removed\n" : "no such value\n", "text/plain");
  });
  app.Post("/extend", [&](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);
    session.extend(std::chrono::hours(2));  // extend(Duration::from_secs(7200))
    res.set_content(
        "extended by 2h: idle ttl now " + cookieseal::format_duration(manager.ttl_of(session)) + '\n',
        "text/plain");
  });
  return job::serve(app, argc, argv);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
