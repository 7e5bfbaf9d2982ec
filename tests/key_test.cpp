// Tests for include/cookieseal/key.hpp
#include <cookieseal/key.hpp>

#include "crypto/key_strength.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>  // randombytes_buf

#include <array>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

using cookieseal::Key;
using test_support::config_error_of;

TEST_CASE("Key::parse reads base64url and hex forms of the same key") {
  const Key a = Key::parse(test_support::key_a_text);
  const Key b = Key::parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const Key c = Key::parse("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  CHECK(a.same_secret(b));
  CHECK(a.same_secret(c));
  CHECK(a.id().hex() == "dacd950a");
  CHECK(a.to_base64url() == test_support::key_a_text);
  CHECK(a.to_hex() == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

TEST_CASE("Key::parse ignores surrounding whitespace such as a trailing newline") {
  const Key k = Key::parse(std::string(" \t") + test_support::key_a_text + "\r\n");
  CHECK(k.id().hex() == "dacd950a");
}

TEST_CASE("Key::parse rejects wrong lengths, bad characters and padding without echoing the text") {
  const std::string secretish = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I";  // 43 chars
  struct Case {
    std::string text;
    std::string expect;
  };
  const Case cases[] = {
      {"", "got 0 characters"},
      {"abc", "got 3 characters"},
      {std::string(test_support::key_a_text) + "=", "got 44 characters"},      // padded
      {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", "not valid base64url"},  // '+' alphabet
      {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/", "not valid base64url"},
      {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", "not valid base64url"},  // non-canonical tail
      {"AAECAwQF BgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh", "not valid base64url"},  // inner space
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g", "not valid hex"},
      {"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "not valid hex"},
      {std::string(64, '0'), "all 32 key bytes are zero"},
      {std::string(43, 'A'), "all 32 key bytes are zero"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string msg = config_error_of([&] { (void)Key::parse(c.text); });
    CHECK(msg.find(c.expect) != std::string::npos);
    CHECK(msg.rfind("key: ", 0) == 0);
    if (c.text.size() > 4) CHECK(msg.find(c.text) == std::string::npos);
  }
  const std::string msg = config_error_of([&] { (void)Key::parse(secretish + "!"); });
  CHECK(msg.find(secretish) == std::string::npos);
}

TEST_CASE("Key::parse names the key with the caller's label") {
  const std::string msg = config_error_of([] { (void)Key::parse("short", "COOKIESEAL_KEYS: key 2"); });
  CHECK(msg == "COOKIESEAL_KEYS: key 2: expected 43 base64url characters or 64 hex digits, got 5 characters");
}

TEST_CASE("generated keys are distinct, parse back, and print only their id") {
  const Key a = Key::generate();
  const Key b = Key::generate();
  CHECK_FALSE(a.same_secret(b));
  CHECK(Key::parse(a.to_base64url()).same_secret(a));
  CHECK(Key::parse(a.to_hex()).same_secret(a));
  std::ostringstream os;
  os << a;
  CHECK(os.str() == "Key(id=" + a.id().hex() + ")");
  CHECK(os.str().find(a.to_base64url()) == std::string::npos);
}

TEST_CASE("a moved key keeps its secret and clone copies it explicitly") {
  Key a = Key::parse(test_support::key_a_text);
  Key moved = std::move(a);
  CHECK(moved.id().hex() == "dacd950a");
  const Key copy = moved.clone();
  CHECK(copy.same_secret(moved));
  CHECK(copy.id() == moved.id());
}

TEST_CASE("Key::from_bytes rejects an all-zero key") {
  const std::array<std::uint8_t, 32> zero{};
  CHECK(config_error_of([&] { (void)Key::from_bytes(zero); }).find("zero") != std::string::npos);
}

namespace {

std::string hex_of_byte(std::uint8_t b, std::size_t times) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += {digits[b >> 4], digits[b & 15]};
  return out;
}

std::string hex_of_text(std::string_view text) {
  std::string out;
  for (const char c : text) out += hex_of_byte(static_cast<std::uint8_t>(c), 1);
  return out;
}

}  // namespace

TEST_CASE("Key::parse refuses patterned and password keys, says how to make one, and never echoes them") {
  const struct {
    std::string text;
    const char* why;
  } weak[] = {
      {hex_of_byte(0, 31) + "01", "fewer than 12 distinct byte values"},  // 31 zero bytes, then 01
      {hex_of_byte(0x01, 32), "fewer than 12 distinct byte values"},
      {hex_of_byte(0xff, 32), "fewer than 12 distinct byte values"},
      {"passwordpasswordpasswordpasswordpasswordpas", "fewer than 12 distinct byte values"},  // base64url
      {hex_of_text("correct horse battery staple 42!"), "printable ASCII"},  // a password, in hex
      {std::string(64, '0'), "all 32 key bytes are zero"},
      // A passphrase pasted as base64url: 27 distinct, non-printable bytes, accepted before.
      {"correcthorsebatterystapleandsomemorewordsxs", "all letters of one case"},
      {"CORRECTHORSEBATTERYSTAPLEANDSOMEMOREWORDSXQ", "all letters of one case"},
  };
  for (const auto& w : weak) {
    const std::string& text = w.text;
    CAPTURE(text);
    const std::string msg = config_error_of([&] { (void)Key::parse(text, "COOKIESEAL_KEYS: key 1"); });
    CHECK(msg.rfind("COOKIESEAL_KEYS: key 1: ", 0) == 0);
    CHECK(msg.find(w.why) != std::string::npos);
    CHECK(msg.find("cookieseal keygen") != std::string::npos);
    for (std::size_t i = 0; i + 8 <= text.size(); ++i)
      CHECK(msg.find(text.substr(i, 8)) == std::string::npos);
  }
  std::array<std::uint8_t, 32> password{};
  std::copy_n("correct horse battery staple 42!", 32, password.begin());
  CHECK(config_error_of([&] { (void)Key::from_bytes(password); }).find("printable ASCII") !=
        std::string::npos);
}

TEST_CASE("the FORMAT.md vector keys and 100,000 random keys pass the weak-key checks") {
  CHECK(cookieseal::detail::key_weakness(Key::parse(test_support::key_a_text).secret()) == nullptr);
  CHECK(cookieseal::detail::key_weakness(Key::parse(test_support::key_b_text).secret()) == nullptr);
  std::size_t refused = 0;
  std::array<std::uint8_t, 32> k{};
  for (int i = 0; i < 100000; ++i) {
    randombytes_buf(k.data(), k.size());
    if (cookieseal::detail::key_weakness(k) != nullptr) ++refused;
  }
  CHECK(refused == 0);
}

TEST_CASE(
    "a random key is refused with negligible probability: < 2^-83 for too few distinct bytes, < 2^-45 for "
    "printable") {
  // P(exactly d distinct values among 32 uniform bytes) = C(256, d) S(32, d) d! / 256^32, with
  // S the Stirling numbers of the second kind; in logarithms to stay in range.
  constexpr int n = 32;
  std::vector<std::vector<long double>> stirling(n + 1, std::vector<long double>(n + 1, 0));
  stirling[0][0] = 1;
  for (int i = 1; i <= n; ++i)
    for (int d = 1; d <= i; ++d) stirling[i][d] = d * stirling[i - 1][d] + stirling[i - 1][d - 1];
  long double below = 0;
  long double mean = 0;
  for (int d = 1; d <= n; ++d) {
    const long double log_p = std::lgamma(257.0L) - std::lgamma(257.0L - d) + std::log(stirling[n][d]) -
                              n * std::log(256.0L);  // C(256,d) d! = 256! / (256-d)!
    const long double p = std::exp(log_p);
    mean += d * p;
    if (d < static_cast<int>(cookieseal::detail::min_distinct_key_bytes)) below += p;
  }
  MESSAGE("distinct bytes of a random key: mean " << static_cast<double>(mean)
                                                  << "; P(< 12) = " << static_cast<double>(below));
  CHECK(mean > 30.1L);
  CHECK(mean < 30.2L);
  CHECK(below < std::ldexp(1.0L, -83));
  const long double printable = std::pow(95.0L / 256.0L, 32.0L);
  MESSAGE("P(all 32 bytes printable) = " << static_cast<double>(printable));
  CHECK(printable < std::ldexp(1.0L, -45));
}
