// cookieseal fuzz - the Set-Cookie builder with fuzzed names, values and attributes
//
// Input (fuzz_support.hpp Fields): name, value, path, domain, same-site text, then a flags
// byte (bit 0 Secure, 1 HttpOnly, 2 Partitioned, 3 Domain set, bits 4-5 SameSite) and 8 bytes
// each of Max-Age and now. Checks: check_cookie gives a printable one-line message (and
// validate_cookie throws exactly then) or accepts; the builders refuse (Error::malformed)
// exactly what check_cookie refuses and any value that is not cookie-octets; an accepted name
// with a cookie-octet value builds a header of exactly set_cookie_header_size bytes, without
// CR, LF or other control bytes, with Max-Age at most max_cookie_age, that starts with
// `name=value; Path=` and from which the request-header parser reads back the same value
// under the same name; the deleting header reads back an empty value.

#include "fuzz_support.hpp"

#include <cookieseal/cookie_header.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/set_cookie.hpp>

#include <chrono>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Fields in(fuzz::as_text(data, size));
  const std::string name = in.text();
  const std::string value = in.text();
  cookieseal::CookieAttributes attrs;
  attrs.path = in.text();
  const std::string domain = in.text();
  const std::string same_site_text = in.text();
  const std::uint8_t flags = in.byte();
  attrs.secure = (flags & 1) != 0;
  attrs.http_only = (flags & 2) != 0;
  attrs.partitioned = (flags & 4) != 0;
  if ((flags & 8) != 0) attrs.domain = domain;
  static constexpr cookieseal::SameSite modes[] = {cookieseal::SameSite::lax, cookieseal::SameSite::strict,
                                                   cookieseal::SameSite::none, cookieseal::SameSite::lax};
  attrs.same_site = modes[(flags >> 4) & 3];
  const auto max_age = std::chrono::seconds(static_cast<std::int64_t>(in.u64()));
  const auto now = std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(in.u64())));

  // parse_same_site: a known word in any case, nothing else; the name round-trips.
  if (const auto s = cookieseal::parse_same_site(same_site_text)) {
    FUZZ_CHECK(same_site_text.size() == cookieseal::to_string(*s).size());
    FUZZ_CHECK(cookieseal::parse_same_site(cookieseal::to_string(*s)) == s);
  }

  const auto problem = cookieseal::check_cookie(name, attrs);
  bool threw = false;
  try {
    cookieseal::validate_cookie(name, attrs);
  } catch (const cookieseal::ConfigError& e) {
    threw = true;
    FUZZ_CHECK(problem && *problem == e.what());
  }
  FUZZ_CHECK(threw == problem.has_value());
  if (problem) {
    FUZZ_CHECK(!problem->empty() && fuzz::printable(*problem));
    FUZZ_CHECK(problem->size() < 1024);  // settings are quoted cut short, never in full
    if (!cookieseal::is_cookie_name(name)) FUZZ_CHECK(problem->find("name") != std::string::npos);
    // The builders check for themselves, in every build: refused settings give no header.
    FUZZ_CHECK(!cookieseal::set_cookie_header(name, value, attrs, max_age, now).ok());
    FUZZ_CHECK(!cookieseal::delete_cookie_header(name, attrs).ok());
    return 0;
  }
  FUZZ_CHECK(cookieseal::is_cookie_name(name));
  const auto built = cookieseal::set_cookie_header(name, value, attrs, max_age, now);
  FUZZ_CHECK(built.ok() == cookieseal::is_cookie_value(value));  // a bad value: Error::malformed
  if (!built) return 0;

  const std::string& header = *built;
  FUZZ_CHECK(header.size() == cookieseal::set_cookie_header_size(name, value.size(), attrs, max_age));
  for (const char ch : header) {
    const auto c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c >= 0x20 && c < 0x7f);  // no CR/LF: no response splitting
  }
  const std::string start = name + "=" + value + "; Path=" + attrs.path;
  FUZZ_CHECK(header.compare(0, start.size(), start) == 0);
  // What a browser sends back is the `name=value` before the first ';'.
  const std::string sent = header.substr(0, header.find(';'));
  FUZZ_CHECK(sent == name + "=" + value);
  const auto back = cookieseal::find_cookie(sent, name);
  FUZZ_CHECK(back.has_value() && *back == value);
  const auto from_line = cookieseal::find_cookie(header, name);  // the first pair wins
  FUZZ_CHECK(from_line.has_value() && *from_line == value);
  const auto expires = header.find("; Expires=");
  FUZZ_CHECK(expires != std::string::npos);
  FUZZ_CHECK(header.compare(expires + 10 + cookieseal::imf_fixdate_bytes - 4, 4, " GMT") == 0);

  // Max-Age at most 400 days (max_cookie_age), whatever was asked.
  const auto max_age_at = header.find("; Max-Age=") + 10;
  FUZZ_CHECK(std::stoll(header.substr(max_age_at, header.find(';', max_age_at) - max_age_at)) <=
             cookieseal::max_cookie_age.count());

  const auto deleted = cookieseal::delete_cookie_header(name, attrs);
  FUZZ_CHECK(deleted.ok());
  if (!deleted) return 0;
  const std::string& gone = *deleted;
  const auto empty = cookieseal::find_cookie(gone, name);
  FUZZ_CHECK(empty.has_value() && empty->empty());
  FUZZ_CHECK(gone.find("; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT") != std::string::npos);
  return 0;
}
