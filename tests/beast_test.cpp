// Tests for include/cookieseal/beast.hpp: load, check_csrf and commit on Beast messages built
// in memory (built only when Boost.Beast is installed)
#include <cookieseal/beast.hpp>

#include "test_support.hpp"

#include <boost/beast/http.hpp>
#include <doctest/doctest.h>

#include <string>

namespace http = boost::beast::http;
using cookieseal::Config;
using cookieseal::CsrfStatus;
using cookieseal::MiddlewareOptions;
using cookieseal::Session;
using cookieseal::SessionManager;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace {

SessionManager make_manager() {
  Config c;
  c.keys = test_support::ring({test_support::key_a_text});
  return SessionManager(std::move(c));
}

MiddlewareOptions enforcing() {
  MiddlewareOptions options;
  options.csrf.enforce = true;
  options.warn_plain_http = false;
  return options;
}

std::string cookie_of(const Response& res) {
  for (const auto& f : res) {
    if (f.name() == http::field::set_cookie && f.value().starts_with("__Host-session=")) {
      const std::string v(f.value().data(), f.value().size());
      return v.substr(0, v.find(';'));
    }
  }
  return "";
}

// A session committed to a response: its cookie and a CSRF token.
struct Issued {
  std::string cookie;
  std::string token;
};
Issued issue(const SessionManager& manager) {
  Session s = manager.load(std::string_view());
  s.set("user", "ada");
  const std::string token = cookieseal::csrf_token(s);
  Response res;
  REQUIRE(cookieseal::beast::commit(manager, s, res));
  return {cookie_of(res), token};
}

Request post(const std::string& cookie, const std::string& body) {
  Request req{http::verb::post, "/login?x=1", 11};
  req.set(http::field::host, "localhost:8080");
  req.set(http::field::cookie, cookie);
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  req.body() = body;
  return req;
}

}  // namespace

TEST_CASE("beast::commit inserts the Set-Cookie next to others and sets no-store, and load opens it") {
  const SessionManager manager = make_manager();
  Session s = manager.load(std::string_view());
  s.set("user", "ada");
  Response res;
  res.insert(http::field::set_cookie, "other=1");
  REQUIRE(cookieseal::beast::commit(manager, s, res));
  CHECK(std::distance(res.equal_range(http::field::set_cookie).first,
                      res.equal_range(http::field::set_cookie).second) == 2);
  CHECK(res[http::field::cache_control] == "no-store");

  Request req{http::verb::get, "/", 11};
  req.set(http::field::cookie, "other=1; " + cookie_of(res));
  const Session back = cookieseal::beast::load(manager, req);
  CHECK(back.get<std::string>("user") == "ada");
}

TEST_CASE("beast::commit of an unchanged fresh session adds nothing") {
  const SessionManager manager = make_manager();
  Response res;
  CHECK(cookieseal::beast::commit(manager, manager.load(std::string_view()), res));
  CHECK(res.find(http::field::set_cookie) == res.end());
  CHECK(res.find(http::field::cache_control) == res.end());
}

TEST_CASE("beast::check_csrf accepts the form field or the header token, and refuses others") {
  const SessionManager manager = make_manager();
  const Issued ada = issue(manager);
  const Issued bob = issue(manager);
  Request req = post(ada.cookie, "user=x&_csrf=" + ada.token);
  const Session session = cookieseal::beast::load(manager, req, enforcing());
  CHECK(cookieseal::beast::check_csrf(session, req, enforcing()) == CsrfStatus::ok);

  req.body() = "user=x&_csrf=" + bob.token;
  CHECK(cookieseal::beast::check_csrf(session, req, enforcing()) == CsrfStatus::token_mismatch);
  req.set("X-CSRF-Token", ada.token);  // the header wins over the body
  CHECK(cookieseal::beast::check_csrf(session, req, enforcing()) == CsrfStatus::ok);

  Request plain = post(ada.cookie, "user=x&_csrf=" + ada.token);
  plain.set(http::field::content_type, "text/plain");  // not a form: the field is not read
  CHECK(cookieseal::beast::check_csrf(session, plain, enforcing()) == CsrfStatus::token_missing);
}

TEST_CASE("beast::check_csrf refuses a cross-site POST, passes safe methods and tokenless paths") {
  const SessionManager manager = make_manager();
  const Issued ada = issue(manager);
  Request req = post(ada.cookie, "_csrf=" + ada.token);
  req.set("Sec-Fetch-Site", "cross-site");
  const Session session = cookieseal::beast::load(manager, req);
  CHECK(cookieseal::beast::check_csrf(session, req, enforcing()) == CsrfStatus::cross_site);
  req.set("Sec-Fetch-Site", "same-origin");
  req.set(http::field::origin, "http://localhost:8080");
  CHECK(cookieseal::beast::check_csrf(session, req, enforcing()) == CsrfStatus::ok);

  Request get{http::verb::get, "/", 11};
  get.set("Sec-Fetch-Site", "cross-site");
  CHECK(cookieseal::beast::check_csrf(session, get, enforcing()) == CsrfStatus::ok);

  MiddlewareOptions tokenless = enforcing();
  tokenless.csrf.tokenless_paths = {"/login"};  // the query is not part of the path
  CHECK(cookieseal::beast::check_csrf(session, post(ada.cookie, ""), tokenless) == CsrfStatus::ok);
}
