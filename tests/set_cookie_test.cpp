// cookieseal - tests for Set-Cookie building and checking (include/cookieseal/set_cookie.hpp)
#include <cookieseal/set_cookie.hpp>

#include <cookieseal/error.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <limits>
#include <string>

using namespace std::chrono_literals;
using cookieseal::check_cookie;
using cookieseal::CookieAttributes;
using cookieseal::imf_fixdate;
using cookieseal::SameSite;
using cookieseal::set_cookie_header;

namespace {

std::chrono::sys_seconds at(std::int64_t unix_seconds) {
  return std::chrono::sys_seconds{std::chrono::seconds{unix_seconds}};
}

// The message check_cookie gives, or "" when it accepts the cookie.
std::string problem(std::string_view name, const CookieAttributes& attributes) {
  return check_cookie(name, attributes).value_or("");
}

// The header built, or "<error>" (so a comparison with the expected text fails readably).
std::string header(std::string_view name, std::string_view value, const CookieAttributes& attributes,
                   std::chrono::seconds max_age, std::chrono::sys_seconds now) {
  const auto r = set_cookie_header(name, value, attributes, max_age, now);
  return r.ok() ? *r : "<error>";
}
std::string deletion(std::string_view name, const CookieAttributes& attributes) {
  const auto r = cookieseal::delete_cookie_header(name, attributes);
  return r.ok() ? *r : "<error>";
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("SameSite values print as their attribute text and parse back in any case") {
  CHECK(to_string(SameSite::strict) == "Strict");
  CHECK(to_string(SameSite::lax) == "Lax");
  CHECK(to_string(SameSite::none) == "None");
  CHECK(cookieseal::parse_same_site("Strict") == SameSite::strict);
  CHECK(cookieseal::parse_same_site("lax") == SameSite::lax);
  CHECK(cookieseal::parse_same_site("NONE") == SameSite::none);
  CHECK(cookieseal::parse_same_site("sTrIcT") == SameSite::strict);
  CHECK_FALSE(cookieseal::parse_same_site(""));
  CHECK_FALSE(cookieseal::parse_same_site(" lax"));
  CHECK_FALSE(cookieseal::parse_same_site("Laxx"));
  CHECK_FALSE(cookieseal::parse_same_site("La"));
}

TEST_CASE("imf_fixdate writes known dates") {
  CHECK(imf_fixdate(at(784111777)) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(imf_fixdate(at(0)) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(imf_fixdate(at(1234567890)) == "Fri, 13 Feb 2009 23:31:30 GMT");
}

TEST_CASE("imf_fixdate handles leap days and century years") {
  CHECK(imf_fixdate(at(951782400)) == "Tue, 29 Feb 2000 00:00:00 GMT");   // 400-year leap
  CHECK(imf_fixdate(at(1709208000)) == "Thu, 29 Feb 2024 12:00:00 GMT");  // ordinary leap
  // 2100 is not a leap year: 28 Feb is followed by 1 Mar.
  CHECK(imf_fixdate(at(4107542400 - 86400)) == "Sun, 28 Feb 2100 00:00:00 GMT");
  CHECK(imf_fixdate(at(4107542400)) == "Mon, 01 Mar 2100 00:00:00 GMT");
}

TEST_CASE("imf_fixdate writes dates past 2038") {
  CHECK(imf_fixdate(at(2147483647)) == "Tue, 19 Jan 2038 03:14:07 GMT");
  CHECK(imf_fixdate(at(2147483648)) == "Tue, 19 Jan 2038 03:14:08 GMT");
  CHECK(imf_fixdate(at(4102444800)) == "Fri, 01 Jan 2100 00:00:00 GMT");
  CHECK(imf_fixdate(at(253402300799)) == "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST_CASE("imf_fixdate clamps to the years it can write") {
  CHECK(imf_fixdate(at(-1)) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(imf_fixdate(at(253402300800)) == "Fri, 31 Dec 9999 23:59:59 GMT");
  CHECK(imf_fixdate(at(std::numeric_limits<std::int64_t>::max())) == "Fri, 31 Dec 9999 23:59:59 GMT");
  CHECK(imf_fixdate(at(std::numeric_limits<std::int64_t>::min())) == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("set_cookie_header writes the default attributes") {
  CHECK(header("__Host-session", "VALUE", {}, 86400s, at(784111777 - 86400)) ==
        "__Host-session=VALUE; Path=/; Max-Age=86400; Expires=Sun, 06 Nov 1994 08:49:37 GMT; "
        "Secure; HttpOnly; SameSite=Lax");
}

TEST_CASE("set_cookie_header writes every attribute") {
  CookieAttributes a;
  a.path = "/app";
  a.domain = "example.com";
  a.same_site = SameSite::none;
  a.partitioned = true;
  CHECK(header("s", "v", a, 60s, at(0)) ==
        "s=v; Path=/app; Domain=example.com; Max-Age=60; "
        "Expires=Thu, 01 Jan 1970 00:01:00 GMT; Secure; HttpOnly; SameSite=None; Partitioned");

  a.secure = false;
  a.http_only = false;
  a.partitioned = false;
  a.same_site = SameSite::strict;
  a.domain.reset();
  CHECK(header("s", "v", a, 0s, at(0)) ==
        "s=v; Path=/app; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict");
}

TEST_CASE("set_cookie_header treats a negative max_age as 0") {
  CHECK(header("s", "v", {}, -5s, at(1000)) ==
        "s=v; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:16:40 GMT; Secure; HttpOnly; "
        "SameSite=Lax");
}

TEST_CASE("set_cookie_header writes at most 400 days, in Max-Age and in Expires") {
  CHECK(cookieseal::max_cookie_age == 34560000s);
  const std::string capped =
      "s=v; Path=/; Max-Age=34560000; Expires=Wed, 18 Dec 2024 22:13:20 GMT; Secure; HttpOnly; SameSite=Lax";
  CHECK(header("s", "v", {}, 34560000s, at(1700000000)) == capped);   // exactly 400 days: as asked
  CHECK(header("s", "v", {}, 34560001s, at(1700000000)) == capped);   // a second more: 400 days
  CHECK(header("s", "v", {}, 3650 * 24h, at(1700000000)) == capped);  // ten years: 400 days
  const auto huge = std::chrono::seconds{std::numeric_limits<std::int64_t>::max()};
  CHECK(header("s", "v", {}, huge, at(1700000000)) == capped);
  CHECK(header("s", "v", {}, 399 * 24h, at(1700000000)).find("Max-Age=34473600;") != std::string::npos);
}

TEST_CASE("set_cookie_header clamps Expires instead of overflowing") {
  CHECK(header("s", "v", {}, 24h, at(253402300799 - 10)) ==
        "s=v; Path=/; Max-Age=86400; Expires=Fri, 31 Dec 9999 23:59:59 GMT; "
        "Secure; HttpOnly; SameSite=Lax");
}

// Built without assertions too (set_cookie_ndebug_test compiles this file and the builder
// with -DNDEBUG): a CR or LF anywhere would split the response.
TEST_CASE("set_cookie_header refuses a value that would inject a header or break the cookie") {
  using namespace std::string_view_literals;
  for (const std::string_view value : {"s\r\nX-Evil: 1"sv, "s\nX-Evil: 1"sv, "a;b"sv, "a b"sv, "a,b"sv,
                                       "\"q\""sv, "a\\b"sv, "a\0b"sv, "\x7f"sv, "caf\xc3\xa9"sv}) {
    const auto r = set_cookie_header("s", value, {}, 60s, at(0));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == cookieseal::Error::malformed);
  }
}

TEST_CASE("set_cookie_header and delete_cookie_header refuse a name or attributes check_cookie refuses") {
  CookieAttributes injected_path;
  injected_path.path = "/\r\nX-Evil: 1";
  CookieAttributes injected_domain;
  injected_domain.domain = "example.com\r\nX-Evil: 1";
  CookieAttributes none_insecure;
  none_insecure.secure = false;
  none_insecure.same_site = SameSite::none;
  CookieAttributes host_with_path;
  host_with_path.path = "/app";
  const struct {
    std::string_view name;
    CookieAttributes attributes;
  } bad[] = {{"s\r\nX-Evil: 1", {}},
             {"", {}},
             {"a=b", {}},
             {"s", injected_path},
             {"s", injected_domain},
             {"s", none_insecure},
             {"__Host-s", host_with_path}};
  for (const auto& [name, attributes] : bad) {
    REQUIRE(check_cookie(name, attributes).has_value());
    const auto set = set_cookie_header(name, "v", attributes, 60s, at(0));
    const auto gone = cookieseal::delete_cookie_header(name, attributes);
    REQUIRE_FALSE(set.ok());
    REQUIRE_FALSE(gone.ok());
    CHECK(set.error() == cookieseal::Error::malformed);
    CHECK(gone.error() == cookieseal::Error::malformed);
  }
}

TEST_CASE("delete_cookie_header empties the cookie and keeps its scope") {
  CHECK(deletion("__Host-session", {}) ==
        "__Host-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; "
        "HttpOnly; SameSite=Lax");
  CookieAttributes a;
  a.path = "/shop";
  a.domain = ".example.com";
  a.same_site = SameSite::strict;
  a.partitioned = true;
  CHECK(deletion("cart", a) ==
        "cart=; Path=/shop; Domain=.example.com; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Strict; Partitioned");
}

TEST_CASE("set_cookie_header_size agrees with the built header") {
  const std::string value(3000, 'x');
  for (const std::string_view name : {"s", "__Host-session"}) {
    for (const std::string_view path : {"/", "/a/longer/path"}) {
      for (const bool domain : {false, true}) {
        for (const bool flags : {false, true}) {
          for (const SameSite same_site : {SameSite::strict, SameSite::lax, SameSite::none}) {
            for (const auto max_age : {-1s, 0s, 9s, 10s, 86400s, 34560000s, std::chrono::seconds::max()}) {
              for (const std::size_t value_size : {std::size_t{0}, std::size_t{1}, value.size()}) {
                CookieAttributes a;
                a.path = path;
                if (domain) a.domain = "sub.example.com";
                a.secure = flags;
                a.http_only = !flags;
                a.partitioned = flags;
                a.same_site = same_site;
                if (check_cookie(name, a)) continue;  // refused settings build no header
                const std::string_view v = std::string_view(value).substr(0, value_size);
                const auto size = cookieseal::set_cookie_header_size(name, value_size, a, max_age);
                CHECK(size == header(name, v, a, max_age, at(1700000000)).size());
                CHECK(size == header(name, v, a, max_age, at(0)).size());
              }
            }
          }
        }
      }
    }
  }
  CHECK(cookieseal::set_cookie_header_size("s", 0, {}, 0s) == deletion("s", {}).size());
}

TEST_CASE("the defaults satisfy the __Host- prefix") {
  CHECK_FALSE(check_cookie("__Host-session", {}));
  CHECK_NOTHROW(cookieseal::validate_cookie("__Host-session", {}));
}

TEST_CASE("check_cookie accepts plausible settings") {
  CookieAttributes a;
  a.path = "/a b/~x-1.2";
  a.domain = "Sub-1.Example.COM";
  CHECK(problem("session", a).empty());
  a.domain = ".example.com";
  CHECK(problem("session", a).empty());
  a.domain = "localhost";
  CHECK(problem("session", a).empty());
  a.domain = "192.168.0.1";
  CHECK(problem("session", a).empty());
  a.domain = std::string(63, 'a') + ".com";
  CHECK(problem("session", a).empty());
  a.domain.reset();
  a.secure = false;
  a.same_site = SameSite::strict;
  CHECK(problem("session", a).empty());
  CHECK(problem("!#$%&'*+-.^_`|~09AZaz", {}).empty());
}

TEST_CASE("check_cookie rejects an empty name") { CHECK(problem("", {}) == "cookie name is empty"); }

TEST_CASE("check_cookie rejects a name that is not a token") {
  CHECK(problem("a b", {}) ==
        "cookie name \"a b\" has ' ' (0x20) at byte 1; a cookie name must be an RFC 6265 "
        "token: printable ASCII without spaces or any of ()<>@,;:\\\"/[]?={}");
  for (const char c : std::string_view("()<>@,;:\\\"/[]?={} \t")) {
    CAPTURE(c);
    CHECK(contains(problem(std::string("a") + c, {}), " at byte 1;"));
  }
  CHECK(contains(problem("a\x01", {}), "\"a\\x01\" has 0x01 at byte 1"));
  CHECK(contains(problem("a\x7f", {}), "has 0x7F at byte 1"));
  CHECK(contains(problem("\xc3\xa9", {}), "has 0xC3 at byte 0"));
  CHECK(contains(problem("a\r\nSet-Cookie: x", {}), "has 0x0D at byte 1"));
}

TEST_CASE("check_cookie rejects a Path that is empty, relative, too long or has bad bytes") {
  CookieAttributes a;
  a.path = "";
  CHECK(problem("s", a) == "cookie \"s\": Path is empty; it must start with '/'");
  a.path = "app";
  CHECK(problem("s", a) == "cookie \"s\": Path \"app\" must start with '/'");
  a.path = "/" + std::string(1024, 'a');
  CHECK(problem("s", a) ==
        "cookie \"s\": Path is 1025 bytes; browsers ignore attribute values over 1024 bytes");
  a.path = "/" + std::string(1023, 'a');
  CHECK(problem("s", a).empty());
  a.path = "/a;b";
  CHECK(problem("s", a) ==
        "cookie \"s\": Path \"/a;b\" has ';' (0x3B) at byte 2; Path allows "
        "printable ASCII and spaces, except ';'");
  a.path = "/a\nb";
  CHECK(contains(problem("s", a), "Path \"/a\\x0ab\" has 0x0A at byte 2"));
  a.path = "/\x7f";
  CHECK(contains(problem("s", a), "has 0x7F at byte 1"));
  a.path = "/caf\xc3\xa9";
  CHECK(contains(problem("s", a), "has 0xC3 at byte 4"));
}

TEST_CASE("check_cookie rejects a Domain that is not a plausible host name") {
  CookieAttributes a;
  const auto domain_problem = [&a](std::string d) {
    a.domain = std::move(d);
    return problem("s", a);
  };
  CHECK(domain_problem("") == "cookie \"s\": Domain is empty; leave it unset for a host-only cookie");
  CHECK(domain_problem("exa mple.com") ==
        "cookie \"s\": Domain \"exa mple.com\" has ' ' (0x20) at byte 3; Domain must be a host "
        "name of letters, digits, '-' and '.'");
  CHECK(contains(domain_problem("example.com;x"), "has ';' (0x3B) at byte 11"));
  CHECK(contains(domain_problem("ex_ample.com"), "has '_' (0x5F) at byte 2"));
  CHECK(contains(domain_problem("example.com:8080"), "has ':' (0x3A) at byte 11"));
  CHECK(contains(domain_problem("[::1]"), "has '[' (0x5B) at byte 0"));
  CHECK(contains(domain_problem("ex\tample"), "has 0x09 at byte 2"));
  CHECK(contains(domain_problem("b\xc3\xbc"
                                "cher.de"),
                 "has 0xC3 at byte 1"));

  const std::string empty_label = " has an empty label (a trailing '.', \"..\" or no host name";
  CHECK(contains(domain_problem("example.com."), "\"example.com.\"" + empty_label));
  CHECK(contains(domain_problem("a..b"), empty_label));
  CHECK(contains(domain_problem("..example.com"), empty_label));
  CHECK(contains(domain_problem("."), empty_label));

  CHECK(domain_problem("-a.com") ==
        "cookie \"s\": Domain \"-a.com\" has a label \"-a\" that starts or ends with '-'");
  CHECK(contains(domain_problem("a-.com"), "label \"a-\" that starts or ends with '-'"));
  CHECK(contains(domain_problem(std::string(64, 'a') + ".com"),
                 "has a label of 64 bytes; host name labels have at most 63"));

  std::string long_host;
  while (long_host.size() < 254) long_host += "abcdefghi.";
  long_host += "com";
  CHECK(contains(domain_problem(long_host), " bytes; a host name has at most 253"));
}

TEST_CASE("check_cookie requires Secure with SameSite=None") {
  CookieAttributes a;
  a.secure = false;
  a.same_site = SameSite::none;
  CHECK(problem("s", a) ==
        "cookie \"s\": SameSite=None requires Secure (browsers drop the cookie otherwise)");
  a.secure = true;
  CHECK(problem("s", a).empty());
}

TEST_CASE("check_cookie requires Secure with Partitioned") {
  CookieAttributes a;
  a.secure = false;
  a.partitioned = true;
  CHECK(problem("s", a) == "cookie \"s\": Partitioned requires Secure (browsers drop the cookie otherwise)");
  a.secure = true;
  CHECK(problem("s", a).empty());
}

TEST_CASE("check_cookie requires Secure for the __Secure- prefix in any case") {
  CookieAttributes a;
  a.secure = false;
  CHECK(problem("__Secure-s", a) == "cookie \"__Secure-s\": the __Secure- prefix requires Secure");
  CHECK(contains(problem("__secure-s", a), "the __Secure- prefix requires Secure"));
  a.secure = true;
  a.path = "/app";
  a.domain = "example.com";
  CHECK(problem("__Secure-s", a).empty());
}

TEST_CASE("check_cookie requires Secure, Path=/ and no Domain for the __Host- prefix") {
  CookieAttributes a;
  a.secure = false;
  CHECK(problem("__Host-s", a) == "cookie \"__Host-s\": the __Host- prefix requires Secure");
  CHECK(contains(problem("__HOST-s", a), "the __Host- prefix requires Secure"));
  a.secure = true;
  a.path = "/app";
  CHECK(problem("__Host-s", a) ==
        "cookie \"__Host-s\": the __Host- prefix requires Path=/, not Path=\"/app\"");
  a.path = "/";
  a.domain = "example.com";
  CHECK(problem("__Host-s", a) ==
        "cookie \"__Host-s\": the __Host- prefix requires no Domain, not Domain=\"example.com\"");
  CHECK(problem("_Host-s", a).empty());  // not the prefix: one underscore
}

TEST_CASE("validate_cookie throws ConfigError with check_cookie's message") {
  CookieAttributes a;
  a.path = "/app";
  CHECK_THROWS_WITH_AS(cookieseal::validate_cookie("__Host-s", a),
                       "cookie \"__Host-s\": the __Host- prefix requires Path=/, not Path=\"/app\"",
                       cookieseal::ConfigError);
  CHECK_THROWS_AS(cookieseal::validate_cookie("", {}), cookieseal::ConfigError);
  CHECK_NOTHROW(cookieseal::validate_cookie("s", a));
}

TEST_CASE("error messages escape unprintable bytes and cut long settings, as every message does") {
  CookieAttributes a;
  a.path = "/" + std::string(100, '.') + ";";  // dots: a run of key characters is not shown
  const std::string message = problem("s", a);
  CHECK(contains(message, "Path \"/" + std::string(39, '.') + "\"... has ';' (0x3B) at byte 101"));
  const std::string key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";  // a key pasted as the path
  a.path = "/" + key + ";";
  CHECK_FALSE(contains(problem("s", a), key.substr(0, 12)));
  CHECK(contains(problem("\"\\", {}), "cookie name \"\\\"\\\\\""));
}

TEST_CASE("is_cookie_name and is_cookie_value follow RFC 6265") {
  CHECK(cookieseal::is_cookie_name("__Host-session"));
  CHECK_FALSE(cookieseal::is_cookie_name(""));
  CHECK_FALSE(cookieseal::is_cookie_name("a=b"));

  CHECK(cookieseal::is_cookie_value(""));
  CHECK(cookieseal::is_cookie_value("AQID-_w"));
  CHECK(cookieseal::is_cookie_value("!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~"));
  for (const char c : std::string_view(" \",;\\\x7f\x01\r\n")) {
    CAPTURE(static_cast<int>(c));
    CHECK_FALSE(cookieseal::is_cookie_value(std::string("a") + c));
  }
  CHECK_FALSE(cookieseal::is_cookie_value(std::string_view("\0", 1)));
  CHECK_FALSE(cookieseal::is_cookie_value("\x80"));
  CHECK_FALSE(cookieseal::is_cookie_value("\xff"));
}
