// cookieseal - the job of bareASGI-session's example: a page that remembers when it was last
// visited, with the session in a memory store
//
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./bareasgi_session --port 8080
//
// GET / answers "First time" on a first visit and "The time was <time of the previous visit>"
// (UTC, ISO 8601) afterwards. The store is in memory unless COOKIESEAL_STORE names another.
// docs/MIGRATING.md §bareASGI-session.
#include "serve.hpp"

#include <cookieseal/config.hpp>
#include <cookieseal/httplib.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include <ctime>
#include <iostream>
#include <string>
#include <utility>

namespace {

// Now in UTC, ISO 8601: "2026-12-01T23:08:14Z".
std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  char text[32] = "";
  if (gmtime_r(&t, &utc) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

int main(int argc, char** argv) try {
  cookieseal::Config config = cookieseal::Config::from_env();
  if (!config.store) config.store = cookieseal::make_memory_store();  // MemorySessionStorage()
  config.store_mode = cookieseal::StoreMode::server;
  const cookieseal::SessionManager manager(std::move(config));

  httplib::Server app;
  // add_session_middleware: load before the handler, commit after it.
  cookieseal::httplib::install(app, manager);
  app.Get("/", [](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);  // session_data(request)
    const auto then = session.get<std::string>("now");                 // session.get('now')
    session.set("now", utc_now());                                     // session['now'] = datetime.now()
    res.set_content(then ? "The time was " + *then + '\n' : "First time\n", "text/plain");
  });
  return job::serve(app, argc, argv);
} catch (const cookieseal::ConfigError& e) {
  std::cerr << "configuration: " << e.what() << '\n';
  return 1;
}
