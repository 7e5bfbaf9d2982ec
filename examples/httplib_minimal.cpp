// cookieseal - example: the smallest cpp-httplib app with sessions and CSRF checks (README)
//   COOKIESEAL_KEYS=$(cookieseal keygen) ./httplib_minimal 8080   # then open http://localhost:8080/
#include <cookieseal/httplib.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
  const cookieseal::SessionManager manager(cookieseal::Config::from_env());  // COOKIESEAL_KEYS, ...
  httplib::Server app;
  cookieseal::httplib::install(app, manager, {.csrf = {.enforce = true}});  // sessions + CSRF
  app.Get("/", [](const httplib::Request& req, httplib::Response& res) {
    cookieseal::Session& session = cookieseal::httplib::session(req);
    const int visits = session.get<int>("visits").value_or(0) + 1;
    session.set("visits", visits);
    res.set_content("<p>visits: " + std::to_string(visits) + "</p><form method=post action=/reset>" +
                        "<input type=hidden name=_csrf value=" + cookieseal::httplib::csrf_token(req) +
                        "><button>reset</button></form>",
                    "text/html");
  });
  app.Post("/reset", [](const httplib::Request& req, httplib::Response& res) {
    cookieseal::httplib::session(req).destroy();  // the cookie is deleted
    res.set_redirect("/", 303);
  });
  return app.listen("127.0.0.1", argc > 1 ? std::stoi(argv[1]) : 8080) ? 0 : 1;
} catch (const cookieseal::ConfigError& e) {  // no key, a bad setting: the message says what to do
  std::cerr << e.what() << '\n';
  return 1;
}
