// cookieseal - tests for the request Cookie header parser (include/cookieseal/cookie_header.hpp)
#include <cookieseal/cookie_header.hpp>

#include "allocation_counter.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace std::string_view_literals;
using cookieseal::CookiePair;
using cookieseal::find_cookie;
using cookieseal::parse_cookies;

namespace {

using test_support::AllocationCounter;

std::string value_of(std::optional<std::string_view> v) {
  REQUIRE(v.has_value());
  return std::string(*v);
}

// Deterministic random bytes (every value 0x00-0xFF), so a failure can be reproduced.
std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

// Runs find_cookie on `header` and checks it allocated nothing and stayed linear: a megabyte
// read once takes milliseconds, a quadratic walk would take minutes, so a 5 s bound cannot
// flake on a busy machine but still catches the blow-up.
std::optional<std::string_view> find_checked(std::string_view header, std::string_view name) {
  const auto start = std::chrono::steady_clock::now();
  std::size_t allocations = 0;
  std::optional<std::string_view> found;
  {
    AllocationCounter count;
    found = find_cookie(header, name);
    allocations = count.count();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(allocations == 0);
  CHECK(took < std::chrono::seconds(5));
  return found;
}

}  // namespace

TEST_CASE("find_cookie returns the value of the named cookie") {
  CHECK(value_of(find_cookie("a=1; session=abc; b=2", "session")) == "abc");
  CHECK(value_of(find_cookie("session=abc", "session")) == "abc");
  CHECK(value_of(find_cookie("a=1; b=2; session=abc", "session")) == "abc");
}

TEST_CASE("find_cookie returns nothing when the cookie is absent") {
  CHECK_FALSE(find_cookie("", "session"));
  CHECK_FALSE(find_cookie("a=1; b=2", "session"));
  CHECK_FALSE(find_cookie("   ;  ; ", "session"));
}

TEST_CASE("find_cookie returns a view into the header") {
  const std::string header = "a=1; session=abc";
  const auto v = find_cookie(header, "session");
  REQUIRE(v);
  CHECK(v->data() == header.data() + header.find("abc"));
}

TEST_CASE("find_cookie ignores spaces and tabs around ';' and '='") {
  CHECK(value_of(find_cookie("a=1;session=abc", "session")) == "abc");
  CHECK(value_of(find_cookie("a=1 ;  session = abc  ; b=2", "session")) == "abc");
  CHECK(value_of(find_cookie("a=1;\tsession\t=\tabc\t", "session")) == "abc");
  CHECK(value_of(find_cookie("  session=abc", "session")) == "abc");
}

TEST_CASE("find_cookie keeps whitespace other than SP and HTAB") {
  // Only SP/HTAB are optional whitespace; a name with a CR or NUL is a different name.
  CHECK_FALSE(find_cookie("\rsession=abc", "session"));
  CHECK(value_of(find_cookie("\rsession=abc", "\rsession")) == "abc");
  CHECK(value_of(find_cookie("session=abc\n", "session")) == "abc\n");
}

TEST_CASE("find_cookie keeps spaces inside a value") {
  CHECK(value_of(find_cookie("s=a b ; t=1", "s")) == "a b");
}

TEST_CASE("find_cookie strips one pair of double quotes from a value") {
  CHECK(value_of(find_cookie("s=\"abc\"", "s")) == "abc");
  CHECK(value_of(find_cookie("s = \"abc\" ; t=1", "s")) == "abc");
  CHECK(value_of(find_cookie("s=\"\"", "s")).empty());
  CHECK(value_of(find_cookie("s=\"\"x\"\"", "s")) == "\"x\"");
  CHECK(value_of(find_cookie("s=\" a \"", "s")) == " a ");
}

TEST_CASE("find_cookie leaves unbalanced quotes in the value") {
  CHECK(value_of(find_cookie("s=\"", "s")) == "\"");
  CHECK(value_of(find_cookie("s=\"abc", "s")) == "\"abc");
  CHECK(value_of(find_cookie("s=abc\"", "s")) == "abc\"");
}

TEST_CASE("a ';' inside quotes still ends the pair") {
  CHECK(value_of(find_cookie("s=\"a;b\"", "s")) == "\"a");
  CHECK(value_of(find_cookie("s=\"a;b=c\"", "b")) == "c\"");
}

TEST_CASE("find_cookie returns an empty value for a cookie written with an empty value") {
  CHECK(value_of(find_cookie("s=", "s")).empty());
  CHECK(value_of(find_cookie("s=; t=1", "s")).empty());
  CHECK(value_of(find_cookie("s =  ;t=1", "s")).empty());
}

TEST_CASE("find_cookie splits at the first '=' only") {
  CHECK(value_of(find_cookie("s=a=b==", "s")) == "a=b==");
  CHECK_FALSE(find_cookie("s=a=b", "s=a"));
}

TEST_CASE("a pair without '=' has an empty name and never matches a name") {
  CHECK_FALSE(find_cookie("session", "session"));
  CHECK_FALSE(find_cookie("session; a=1", "session"));
  CHECK(value_of(find_cookie("session; session=abc", "session")) == "abc");
  CHECK(parse_cookies("session") == std::vector<CookiePair>{{"", "session"}});
  CHECK(parse_cookies(" x y ") == std::vector<CookiePair>{{"", "x y"}});
}

TEST_CASE("find_cookie with an empty name finds nothing") {
  CHECK_FALSE(find_cookie("=abc", ""));
  CHECK_FALSE(find_cookie("abc", ""));
  CHECK(parse_cookies("=abc") == std::vector<CookiePair>{{"", "abc"}});
}

TEST_CASE("find_cookie returns the first of duplicate names") {
  CHECK(value_of(find_cookie("s=first; s=second", "s")) == "first");
  CHECK(value_of(find_cookie("s=; s=second", "s")) == "");
  CHECK(value_of(find_cookie("a=1; s = first ;s=second; s=third", "s")) == "first");
}

TEST_CASE("find_cookie does not match a name that is a prefix or suffix of another") {
  CHECK(value_of(find_cookie("sessionX=1; session=2", "session")) == "2");
  CHECK(value_of(find_cookie("Xsession=1; session=2", "session")) == "2");
  CHECK(value_of(find_cookie("session=2; sessionX=1", "sessionX")) == "1");
  CHECK_FALSE(find_cookie("sessionX=1; Xsession=2", "session"));
  CHECK_FALSE(find_cookie("session=1", "sessionX"));
}

TEST_CASE("find_cookie compares names case-sensitively") {
  CHECK_FALSE(find_cookie("Session=1", "session"));
  CHECK_FALSE(find_cookie("__host-s=1", "__Host-s"));
  CHECK(value_of(find_cookie("Session=1; session=2", "session")) == "2");
}

TEST_CASE("find_cookie does not treat ',' as a separator") {
  CHECK(value_of(find_cookie("a=1, s=2", "a")) == "1, s=2");
  CHECK_FALSE(find_cookie("a=1, s=2", "s"));
}

TEST_CASE("find_cookie searches several Cookie headers in order") {
  const std::array<std::string_view, 3> headers{"a=1", "s=first; b=2", "s=second"};
  CHECK(value_of(find_cookie(std::span<const std::string_view>(headers), "s")) == "first");
  CHECK(value_of(find_cookie(std::span<const std::string_view>(headers), "b")) == "2");
  CHECK(value_of(find_cookie(std::span<const std::string_view>(headers), "a")) == "1");
  CHECK_FALSE(find_cookie(std::span<const std::string_view>(headers), "c"));

  const std::vector<std::string_view> none;
  CHECK_FALSE(find_cookie(none, "s"));
  const std::vector<std::string_view> later{"", "x", "s=2"};
  CHECK(value_of(find_cookie(later, "s")) == "2");
}

TEST_CASE("find_cookie handles NUL bytes as ordinary bytes") {
  constexpr char text[] = "a=\0x; s\0=1; s=v\0w; t=2";
  const std::string header(text, sizeof text - 1);
  CHECK(value_of(find_cookie(header, "s")) == std::string("v\0w", 3));
  CHECK(value_of(find_cookie(header, std::string_view("s\0", 2))) == "1");
  CHECK(value_of(find_cookie(header, "a")) == std::string("\0x", 2));
  CHECK(value_of(find_cookie(header, "t")) == "2");
}

TEST_CASE("find_cookie passes control and non-ASCII bytes through") {
  CHECK(value_of(find_cookie("s=\x01\x7f\x80\xff", "s")) == "\x01\x7f\x80\xff");
  CHECK(value_of(find_cookie("\xc3\xa9=1; s=2", "\xc3\xa9")) == "1");
  CHECK(value_of(find_cookie("\xc3\xa9=1; s=2", "s")) == "2");
}

TEST_CASE("find_cookie reads a 64 KiB random header without allocating") {
  const std::string header = random_bytes(64 * 1024, 1);
  CHECK_FALSE(find_checked(header, "__Host-session"));
  // The same garbage with the cookie appended is still read to the end.
  const std::string with_cookie = header + "; __Host-session=found";
  CHECK(value_of(find_checked(with_cookie, "__Host-session")) == "found");
}

TEST_CASE("find_cookie reads a 1 MiB random header without allocating") {
  const std::string header = random_bytes(1024 * 1024, 2);
  CHECK_FALSE(find_checked(header, "__Host-session"));
}

TEST_CASE("find_cookie stays linear on 1 MiB of separators, quotes and spaces") {
  constexpr std::size_t mib = 1024 * 1024;
  for (const char fill : {';', '=', ' ', '\t', '"', 'a', '\0'}) {
    CAPTURE(static_cast<int>(fill));
    const std::string header(mib, fill);
    CHECK_FALSE(find_checked(header, "session"));
  }
  std::string pairs;
  while (pairs.size() < mib) pairs += "a=; =;\t;";
  CHECK_FALSE(find_checked(pairs, "session"));
  std::string prefixes;
  while (prefixes.size() < mib) prefixes += "sessio=1;sessionn=2; ";
  CHECK_FALSE(find_checked(prefixes, "session"));
  CHECK(value_of(find_checked(prefixes + "session=3", "session")) == "3");
}

TEST_CASE("parse_cookies returns every pair in order, duplicates included") {
  const auto pairs = parse_cookies(" a=1;b = \"2\" ;; c ; =; a=3;d=");
  const std::vector<CookiePair> expected{{"a", "1"}, {"b", "2"}, {"", "c"}, {"a", "3"}, {"d", ""}};
  CHECK(pairs == expected);
  CHECK(parse_cookies("").empty());
  CHECK(parse_cookies(" ; ;= ; ").empty());
}

TEST_CASE("parse_cookies allocates once whatever the number of pairs") {
  std::string header;
  for (int i = 0; i < 1000; ++i) header += "k" + std::to_string(i) + "=v; ";
  AllocationCounter count;
  const auto pairs = parse_cookies(header);
  CHECK(count.count() == 1);
  REQUIRE(pairs.size() == 1000);
  CHECK(pairs[999] == CookiePair{"k999", "v"});
}

TEST_CASE("parse_cookies of a 1 MiB random header never fails") {
  const std::string header = random_bytes(1024 * 1024, 3);
  const auto pairs = parse_cookies(header);
  CHECK(pairs.size() <= header.size() / 2 + 1);
  for (const auto& p : pairs) {
    CHECK_FALSE((p.name.empty() && p.value.empty()));
    CHECK(p.name.find(';') == std::string_view::npos);
    CHECK(p.value.find(';') == std::string_view::npos);
  }
}

TEST_CASE("for_each_cookie visits every pair and stops when the visitor returns false") {
  std::vector<CookiePair> seen;
  cookieseal::for_each_cookie("a=1; b=2; c=3", [&](const CookiePair& p) { seen.push_back(p); });
  CHECK(seen == std::vector<CookiePair>{{"a", "1"}, {"b", "2"}, {"c", "3"}});

  seen.clear();
  cookieseal::for_each_cookie("a=1; b=2; c=3", [&](const CookiePair& p) {
    seen.push_back(p);
    return p.name != "b";
  });
  CHECK(seen == std::vector<CookiePair>{{"a", "1"}, {"b", "2"}});
}
