// cookieseal - writing `Set-Cookie` response headers and checking cookie settings
#include <cookieseal/set_cookie.hpp>

#include <cookieseal/error.hpp>  // ConfigError, Error::malformed, Result

#include "encoding/text.hpp"  // iequals, quoted

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>  // std::to_chars for Max-Age
#include <cstdint>
#include <limits>
#include <optional>

namespace cookieseal {

namespace {

using namespace std::string_view_literals;
using detail::iequals;
using detail::quoted;

// RFC 6265bis §5.6: browsers ignore an attribute whose value is longer than this.
constexpr std::size_t max_attribute_value_bytes = 1024;
// RFC 1035 host name limits.
constexpr std::size_t max_domain_bytes = 253;
constexpr std::size_t max_label_bytes = 63;

// 9999-12-31T23:59:59Z, the last instant an IMF-fixdate's four-digit year can write.
constexpr std::int64_t max_fixdate_seconds = 253402300799;

constexpr std::string_view secure_prefix = "__Secure-";
constexpr std::string_view host_prefix = "__Host-";

// The attribute texts, once, so the size helper and the builder cannot disagree.
constexpr std::string_view path_attr = "; Path="sv;
constexpr std::string_view domain_attr = "; Domain="sv;
constexpr std::string_view max_age_attr = "; Max-Age="sv;
constexpr std::string_view expires_attr = "; Expires="sv;
constexpr std::string_view secure_attr = "; Secure"sv;
constexpr std::string_view http_only_attr = "; HttpOnly"sv;
constexpr std::string_view same_site_attr = "; SameSite="sv;
constexpr std::string_view partitioned_attr = "; Partitioned"sv;

constexpr bool is_ctl(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

constexpr bool is_separator(unsigned char c) noexcept {
  return "()<>@,;:\\\"/[]?={} \t"sv.find(static_cast<char>(c)) != std::string_view::npos;
}

constexpr bool is_token_char(unsigned char c) noexcept { return c > 0x20 && c < 0x7f && !is_separator(c); }

constexpr bool is_cookie_octet(unsigned char c) noexcept {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
         (c >= 0x5d && c <= 0x7e);
}

constexpr bool is_path_char(unsigned char c) noexcept { return !is_ctl(c) && c < 0x80 && c != ';'; }

constexpr bool is_domain_char(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

constexpr char hex_digit(unsigned v) noexcept { return "0123456789ABCDEF"[v & 0xf]; }

// "' ' (0x20) at byte 3" or "0x0A at byte 3".
std::string describe_byte(std::string_view s, std::size_t at) {
  const auto c = static_cast<unsigned char>(s[at]);
  std::string out;
  if (!is_ctl(c) && c < 0x80) {
    out += '\'';
    out += static_cast<char>(c);
    out += "' (";
  }
  out += "0x";
  out += hex_digit(c >> 4U);
  out += hex_digit(c);
  if (!is_ctl(c) && c < 0x80) out += ')';
  out += " at byte " + std::to_string(at);
  return out;
}

template <class Pred>
std::size_t find_bad(std::string_view s, Pred good) noexcept {
  const auto it =
      std::find_if_not(s.begin(), s.end(), [&](char c) { return good(static_cast<unsigned char>(c)); });
  return static_cast<std::size_t>(it - s.begin());
}

// "cookie \"name\"", built only for a message: checking a good cookie allocates nothing.
std::string cookie_label(std::string_view name) { return "cookie " + quoted(name); }

std::optional<std::string> check_name(std::string_view name) {
  if (name.empty()) return "cookie name is empty";
  if (const std::size_t bad = find_bad(name, is_token_char); bad < name.size()) {
    return "cookie name " + quoted(name) + " has " + describe_byte(name, bad) +
           "; a cookie name must be an RFC 6265 token: printable ASCII without spaces or any "
           "of ()<>@,;:\\\"/[]?={}";
  }
  return std::nullopt;
}

std::optional<std::string> check_path(std::string_view name, std::string_view path) {
  if (path.empty()) return cookie_label(name) + ": Path is empty; it must start with '/'";
  if (path.size() > max_attribute_value_bytes) {
    return cookie_label(name) + ": Path is " + std::to_string(path.size()) +
           " bytes; browsers ignore attribute values over 1024 bytes";
  }
  if (path.front() != '/') return cookie_label(name) + ": Path " + quoted(path) + " must start with '/'";
  if (const std::size_t bad = find_bad(path, is_path_char); bad < path.size()) {
    return cookie_label(name) + ": Path " + quoted(path) + " has " + describe_byte(path, bad) +
           "; Path allows printable ASCII and spaces, except ';'";
  }
  return std::nullopt;
}

std::optional<std::string> check_domain(std::string_view name, std::string_view domain) {
  if (domain.empty()) {
    return cookie_label(name) + ": Domain is empty; leave it unset for a host-only cookie";
  }
  if (const std::size_t bad = find_bad(domain, is_domain_char); bad < domain.size()) {
    return cookie_label(name) + ": Domain " + quoted(domain) + " has " + describe_byte(domain, bad) +
           "; Domain must be a host name of letters, digits, '-' and '.'";
  }
  // One leading '.' is what RFC 2109 asked for; RFC 6265 browsers ignore it, so accept it.
  std::string_view host = domain;
  if (host.front() == '.') host.remove_prefix(1);
  if (host.size() > max_domain_bytes) {
    return cookie_label(name) + ": Domain is " + std::to_string(host.size()) +
           " bytes; a host name has at most 253";
  }
  // Walk the labels; an empty one means "..", a second leading '.', a trailing '.' or ".".
  while (true) {
    const std::size_t dot = host.find('.');
    const std::string_view label = host.substr(0, dot);
    if (label.empty()) {
      return cookie_label(name) + ": Domain " + quoted(domain) +
             " has an empty label (a trailing '.', \"..\" or no host name at all)";
    }
    if (label.size() > max_label_bytes) {
      return cookie_label(name) + ": Domain " + quoted(domain) + " has a label of " +
             std::to_string(label.size()) + " bytes; host name labels have at most 63";
    }
    if (label.front() == '-' || label.back() == '-') {
      return cookie_label(name) + ": Domain " + quoted(domain) + " has a label " + quoted(label) +
             " that starts or ends with '-'";
    }
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  return std::nullopt;
}

// Writes `time` (already clamped to 1970..9999) as an IMF-fixdate into out[0..29).
void write_fixdate(std::int64_t time, char* out) noexcept {
  using namespace std::chrono;
  constexpr std::string_view day_names = "SunMonTueWedThuFriSat";
  constexpr std::string_view month_names = "JanFebMarAprMayJunJulAugSepOctNovDec";
  // <chrono>'s civil calendar: pure arithmetic, no locale, no tz database, no shared state.
  const sys_seconds t{seconds{time}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};

  const auto put2 = [&out](unsigned v) noexcept {
    *out++ = static_cast<char>('0' + v / 10);
    *out++ = static_cast<char>('0' + v % 10);
  };
  const auto put = [&out](std::string_view s) noexcept { out = std::copy(s.begin(), s.end(), out); };
  put(day_names.substr(std::size_t{weekday{day}.c_encoding()} * 3, 3));
  put(", ");
  put2(static_cast<unsigned>(ymd.day()));
  put(" ");
  put(month_names.substr(std::size_t{static_cast<unsigned>(ymd.month()) - 1} * 3, 3));
  put(" ");
  const auto y = static_cast<unsigned>(static_cast<int>(ymd.year()));
  put2(y / 100);
  put2(y % 100);
  put(" ");
  put2(static_cast<unsigned>(hms.hours().count()));
  put(":");
  put2(static_cast<unsigned>(hms.minutes().count()));
  put(":");
  put2(static_cast<unsigned>(hms.seconds().count()));
  put(" GMT");
}

std::int64_t clamp_fixdate(std::int64_t t) noexcept {
  return std::clamp<std::int64_t>(t, 0, max_fixdate_seconds);
}

// Max-Age as written: negative counts as 0 ("expire now"), which browsers also do; above
// max_cookie_age it is max_cookie_age, where RFC 6265bis lets browsers cap it anyway.
std::uint64_t max_age_seconds(std::chrono::seconds max_age) noexcept {
  return static_cast<std::uint64_t>(std::clamp(max_age, std::chrono::seconds{0}, max_cookie_age).count());
}

std::size_t decimal_digits(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// now + max_age without overflow, clamped to what an IMF-fixdate can write.
std::int64_t expires_at(std::chrono::sys_seconds now, std::uint64_t max_age) noexcept {
  const std::int64_t start = clamp_fixdate(now.time_since_epoch().count());
  const auto room = static_cast<std::uint64_t>(max_fixdate_seconds - start);
  return max_age >= room ? max_fixdate_seconds : start + static_cast<std::int64_t>(max_age);
}

// Checked in every build, not asserted: a CR or LF in a value, name or attribute would split
// the response, and NDEBUG must not turn that check off.
// A lifetime of nullopt writes neither Max-Age nor Expires: a browser-session cookie.
struct Lifetime {
  std::uint64_t max_age;
  std::int64_t expires;
};

Result<std::string> build(std::string_view name, std::string_view value, const CookieAttributes& attributes,
                          std::optional<Lifetime> lifetime) {
  if (!is_cookie_value(value) || check_cookie(name, attributes)) return Error::malformed;
  const std::size_t size =
      lifetime ? set_cookie_header_size(
                     name, value.size(), attributes,
                     std::chrono::seconds{static_cast<std::chrono::seconds::rep>(lifetime->max_age)})
               : session_cookie_header_size(name, value.size(), attributes);

  // Layout: name=value; Path=p[; Domain=d]; Max-Age=n; Expires=date[; Secure][; HttpOnly];
  //         SameSite=s[; Partitioned]  -- the same order as set_cookie_header_size counts.
  std::string out;
  out.reserve(size);
  out.append(name).append(1, '=').append(value);
  out.append(path_attr).append(attributes.path);
  if (attributes.domain) out.append(domain_attr).append(*attributes.domain);

  if (lifetime) {
    out.append(max_age_attr);
    char digits[std::numeric_limits<std::uint64_t>::digits10 + 1];
    const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), lifetime->max_age);
    assert(ec == std::errc{});
    out.append(digits, end);

    out.append(expires_attr);
    char date[imf_fixdate_bytes];
    write_fixdate(lifetime->expires, date);
    out.append(date, imf_fixdate_bytes);
  }

  if (attributes.secure) out.append(secure_attr);
  if (attributes.http_only) out.append(http_only_attr);
  out.append(same_site_attr).append(to_string(attributes.same_site));
  if (attributes.partitioned) out.append(partitioned_attr);
  assert(out.size() == size);
  return out;
}

}  // namespace

std::string_view to_string(SameSite same_site) noexcept {
  switch (same_site) {
    case SameSite::strict: return "Strict";
    case SameSite::lax: return "Lax";
    case SameSite::none: return "None";
  }
  return "Lax";  // unreachable for a valid enumerator
}

std::optional<SameSite> parse_same_site(std::string_view text) noexcept {
  for (const SameSite s : {SameSite::strict, SameSite::lax, SameSite::none}) {
    if (iequals(text, to_string(s))) return s;
  }
  return std::nullopt;
}

bool is_cookie_name(std::string_view name) noexcept {
  return !name.empty() && find_bad(name, is_token_char) == name.size();
}

bool is_cookie_value(std::string_view value) noexcept {
  // On every Set-Cookie, over a value of up to 4 KB: a table and no branch per byte (the
  // predicate through find_bad's function pointer cost a third of a load+commit).
  static constexpr auto octets = [] {
    std::array<std::uint8_t, 256> t{};
    for (unsigned c = 0; c < 256; ++c) t[c] = is_cookie_octet(static_cast<unsigned char>(c)) ? 1 : 0;
    return t;
  }();
  std::uint8_t all = 1;
  for (const char c : value) all &= octets[static_cast<unsigned char>(c)];
  return all == 1;
}

std::optional<std::string> check_cookie(std::string_view name, const CookieAttributes& attributes) {
  if (auto problem = check_name(name)) return problem;
  if (auto problem = check_path(name, attributes.path)) return problem;
  if (attributes.domain) {
    if (auto problem = check_domain(name, *attributes.domain)) return problem;
  }
  if (attributes.same_site == SameSite::none && !attributes.secure) {
    return cookie_label(name) + ": SameSite=None requires Secure (browsers drop the cookie otherwise)";
  }
  if (attributes.partitioned && !attributes.secure) {
    return cookie_label(name) + ": Partitioned requires Secure (browsers drop the cookie otherwise)";
  }
  // RFC 6265bis §4.1.3: browsers refuse prefixed cookies that break these rules.
  if (istarts_with(name, secure_prefix) && !attributes.secure) {
    return cookie_label(name) + ": the __Secure- prefix requires Secure";
  }
  if (istarts_with(name, host_prefix)) {
    if (!attributes.secure) return cookie_label(name) + ": the __Host- prefix requires Secure";
    if (attributes.path != "/") {
      return cookie_label(name) + ": the __Host- prefix requires Path=/, not Path=" + quoted(attributes.path);
    }
    if (attributes.domain) {
      return cookie_label(name) +
             ": the __Host- prefix requires no Domain, not Domain=" + quoted(*attributes.domain);
    }
  }
  return std::nullopt;
}

void validate_cookie(std::string_view name, const CookieAttributes& attributes) {
  if (auto problem = check_cookie(name, attributes)) throw ConfigError(*problem);
}

std::string imf_fixdate(std::chrono::sys_seconds time) {
  std::string out(imf_fixdate_bytes, '\0');
  write_fixdate(clamp_fixdate(time.time_since_epoch().count()), out.data());
  return out;
}

std::size_t session_cookie_header_size(std::string_view name, std::size_t value_size,
                                       const CookieAttributes& attributes) noexcept {
  std::size_t size = name.size() + 1 + value_size;
  size += path_attr.size() + attributes.path.size();
  if (attributes.domain) size += domain_attr.size() + attributes.domain->size();
  if (attributes.secure) size += secure_attr.size();
  if (attributes.http_only) size += http_only_attr.size();
  size += same_site_attr.size() + to_string(attributes.same_site).size();
  if (attributes.partitioned) size += partitioned_attr.size();
  return size;
}

std::size_t set_cookie_header_size(std::string_view name, std::size_t value_size,
                                   const CookieAttributes& attributes,
                                   std::chrono::seconds max_age) noexcept {
  return session_cookie_header_size(name, value_size, attributes) + max_age_attr.size() +
         decimal_digits(max_age_seconds(max_age)) + expires_attr.size() + imf_fixdate_bytes;
}

Result<std::string> set_cookie_header(std::string_view name, std::string_view value,
                                      const CookieAttributes& attributes, std::chrono::seconds max_age,
                                      std::chrono::sys_seconds now) {
  const std::uint64_t seconds = max_age_seconds(max_age);
  return build(name, value, attributes, Lifetime{seconds, expires_at(now, seconds)});
}

Result<std::string> session_cookie_header(std::string_view name, std::string_view value,
                                          const CookieAttributes& attributes) {
  return build(name, value, attributes, std::nullopt);
}

Result<std::string> delete_cookie_header(std::string_view name, const CookieAttributes& attributes) {
  // Max-Age=0 deletes in RFC 6265 browsers; the 1970 Expires does it in the ones before.
  return build(name, "", attributes, Lifetime{0, 0});
}

}  // namespace cookieseal
