// cookieseal fuzz - the Cookie request header parser, against a reference parser written here
//
// Input: any bytes, taken as one Cookie header (and, split at '\n', as several headers).
// Checks: parse_cookies / for_each_cookie give exactly the pairs of the deliberately simple
// reference below (the rules of docs/HTTP.md, one at a time, on copies); find_cookie finds the
// first value of every name and nothing for absent or empty names; every view points into
// the header; the span overload searches the headers in order.

#include "fuzz_support.hpp"

#include <cookieseal/cookie_header.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Pair = std::pair<std::string, std::string>;

bool is_sp_or_htab(char c) { return c == ' ' || c == '\t'; }

std::string trimmed(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_sp_or_htab(s[b])) ++b;
  while (e > b && is_sp_or_htab(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// docs/HTTP.md, rule by rule, with copies and no cleverness.
std::vector<Pair> reference_parse(std::string_view header) {
  // 1. Split on every ';'.
  std::vector<std::string> pieces(1);
  for (const char c : header) {
    if (c == ';') pieces.emplace_back();
    else pieces.back().push_back(c);
  }
  std::vector<Pair> out;
  for (const std::string& piece : pieces) {
    // 2. Split at the first '='; without one, the name is empty and the piece is the value.
    std::string name;
    std::string value;
    bool seen_eq = false;
    for (const char c : piece) {
      if (!seen_eq && c == '=') seen_eq = true;
      else if (seen_eq) value.push_back(c);
      else name.push_back(c);
    }
    if (!seen_eq) {
      value = name;
      name.clear();
    }
    // 3. Trim SP and HTAB from both ends of each.
    name = trimmed(name);
    value = trimmed(value);
    // 4. One pair of surrounding quotes goes from a value of two or more bytes.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    // 5. Skip a piece whose name and value are both empty.
    if (name.empty() && value.empty()) continue;
    out.emplace_back(name, value);
  }
  return out;
}

std::optional<std::string> reference_find(const std::vector<Pair>& pairs, const std::string& name) {
  if (name.empty()) return std::nullopt;
  for (const auto& [n, v] : pairs) {
    if (n == name) return v;
  }
  return std::nullopt;
}

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;  // an empty view may point anywhere
  const auto* b = whole.data();
  return part.data() >= b && part.data() + part.size() <= b + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header = fuzz::as_text(data, size);
  const std::vector<Pair> expected = reference_parse(header);

  // Every pair, in order, through both walking APIs.
  const std::vector<cookieseal::CookiePair> got = cookieseal::parse_cookies(header);
  FUZZ_CHECK(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    FUZZ_CHECK(got[i].name == expected[i].first);
    FUZZ_CHECK(got[i].value == expected[i].second);
    FUZZ_CHECK(inside(got[i].name, header));
    FUZZ_CHECK(inside(got[i].value, header));
  }
  std::size_t visited = 0;
  cookieseal::for_each_cookie(header, [&](const cookieseal::CookiePair& p) {
    FUZZ_CHECK(visited < got.size() && p == got[visited]);
    ++visited;
  });
  FUZZ_CHECK(visited == got.size());
  std::size_t stopped_after = 0;
  cookieseal::for_each_cookie(header, [&](const cookieseal::CookiePair&) { return ++stopped_after < 2; });
  FUZZ_CHECK(stopped_after == std::min<std::size_t>(got.size(), 2));

  // find_cookie: the first value of each name (a few names per input keep it linear).
  std::size_t looked_up = 0;
  for (const auto& [name, value] : expected) {
    if (++looked_up > 8) break;
    const auto found = cookieseal::find_cookie(header, name);
    const auto want = reference_find(expected, name);
    FUZZ_CHECK(found.has_value() == want.has_value());
    if (found) {
      FUZZ_CHECK(*found == *want);
      FUZZ_CHECK(inside(*found, header));
    }
    const std::string absent = name + "\x01";  // usually absent; the reference decides
    FUZZ_CHECK(cookieseal::find_cookie(header, absent).has_value() ==
               reference_find(expected, absent).has_value());
  }
  FUZZ_CHECK(!cookieseal::find_cookie(header, "").has_value());

  // Several headers (one per line): the first header with a match wins.
  std::vector<std::string_view> headers;
  for (std::string_view rest = header;;) {
    const std::size_t nl = rest.find('\n');
    headers.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos || headers.size() == 16) break;
    rest.remove_prefix(nl + 1);
  }
  for (const std::string name : {"s", "session", "a"}) {
    std::optional<std::string> want;
    for (const std::string_view h : headers) {
      if ((want = reference_find(reference_parse(h), name))) break;
    }
    const auto found = cookieseal::find_cookie(headers, name);
    FUZZ_CHECK(found.has_value() == want.has_value());
    if (found) FUZZ_CHECK(*found == *want);
  }
  return 0;
}
