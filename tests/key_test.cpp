// Tests for include/cookieseal/key.hpp
#include <cookieseal/key.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sstream>

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
