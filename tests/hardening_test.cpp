// Hardening: tamper sweeps over many cookies, resource bounds on huge input, key hygiene
#include <cookieseal/codec.hpp>
#include <cookieseal/cookie_header.hpp>

#include "allocation_counter.hpp"
#include "test_support.hpp"

#include <cereal/types/string.hpp>
#include <doctest/doctest.h>

#include <random>

namespace {

using test_support::AllocationCounter;

cookieseal::Codec make_codec() { return cookieseal::Codec(test_support::ring({test_support::key_a_text})); }

}  // namespace

// Single-threaded and exhaustive: the plain and ASan runs cover it; under TSan it would only
// be slow.
TEST_CASE("no bit flip, deletion, insertion or truncation of 100 cookies' text is accepted" *
          doctest::skip(test_support::under_tsan)) {
  const cookieseal::Codec codec = make_codec();
  std::mt19937 rng(20261122);
  std::size_t tried = 0;
  std::size_t accepted = 0;
  const auto attempt = [&](const std::string& text) {
    ++tried;
    if (codec.decode<std::string>("session", text).ok()) ++accepted;
  };
  // Inserted bytes: all 256 values (the 64 of the alphabet reach decryption).
  std::string inserts;
  for (int b = 0; b < 256; ++b) inserts.push_back(static_cast<char>(b));
  for (int c = 0; c < 100; ++c) {
    std::string payload(static_cast<std::size_t>(c) * 5, '\0');  // cookies of 72 to 748 characters
    for (char& ch : payload) ch = static_cast<char>(rng());
    const std::string cookie = *codec.encode("session", payload);
    REQUIRE(codec.decode<std::string>("session", cookie)->value == payload);
    for (std::size_t i = 0; i < cookie.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string t = cookie;
        t[i] = static_cast<char>(t[i] ^ (1 << bit));
        attempt(t);
      }
      std::string deleted = cookie;
      deleted.erase(i, 1);
      attempt(deleted);
      attempt(cookie.substr(0, i));  // every truncation (i = 0 is the empty value)
    }
    for (std::size_t i = 0; i <= cookie.size(); ++i) {
      for (char ins : inserts) {
        std::string t = cookie;
        t.insert(t.begin() + static_cast<std::ptrdiff_t>(i), ins);
        attempt(t);
      }
    }
  }
  MESSAGE("tamper sweep: " << tried << " altered cookies tried, " << accepted << " accepted");
  CHECK(tried > 1000000);
  CHECK(accepted == 0);
}

TEST_CASE("a 1 MiB cookie value is too_large without any allocation") {
  const cookieseal::Codec codec = make_codec();
  const std::string huge(1 << 20, 'A');
  AllocationCounter count;
  const auto r = codec.decode<std::string>("session", huge);
  const std::size_t n = count.count();
  CHECK(r.error() == cookieseal::Error::too_large);
  CHECK(n == 0);
}

TEST_CASE("a cookie just under the limit allocates no more than its own size") {
  const cookieseal::Codec codec = make_codec();
  const std::string cookie = *codec.encode("session", std::string(2900, 'x'));
  (void)codec.decode<std::string>("session", cookie);  // warm the per-thread buffer
  std::string forged = cookie;
  forged[100] = forged[100] == 'A' ? 'B' : 'A';
  AllocationCounter count;
  const auto r = codec.decode<std::string>("session", forged);
  const std::size_t bytes = count.bytes();
  CHECK(r.error() == cookieseal::Error::tampered);
  CHECK(bytes <= cookie.size());
}

TEST_CASE("a 1 MiB Cookie header is searched without allocating") {
  std::string header;
  header.reserve(1 << 20);
  while (header.size() < (1u << 20)) header += "junk=" + std::string(50, 'x') + "; ";
  header += "session=found";
  AllocationCounter count;
  const auto v = cookieseal::find_cookie(header, "session");
  const std::size_t n = count.count();
  REQUIRE(v.has_value());
  CHECK(*v == "found");
  CHECK(n == 0);
}

TEST_CASE("no error message, exception text or printed key contains key material") {
  const std::string key_text = test_support::key_a_text;
  const std::string key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  std::vector<std::string> messages;
  const auto collect = [&](auto&& f) { messages.push_back(test_support::config_error_of(f)); };
  // Near-misses of the real key in every position of a list, and broken keys files.
  std::string truncated = key_text.substr(0, 42);
  std::string bad_char = key_text;
  bad_char[5] = '!';
  std::string hex_bad = key_hex;
  hex_bad[63] = 'z';
  for (const std::string& bad :
       {truncated, bad_char, hex_bad, key_text + "A", key_text + "=", std::string(64, '0')}) {
    collect([&] { (void)cookieseal::Key::parse(bad); });
    collect([&] { (void)cookieseal::Keyring::parse(key_text + "," + bad, "COOKIESEAL_KEYS"); });
    collect([&] { (void)cookieseal::Keyring::parse_file_text(key_text + "\n" + bad + "\n", "keys"); });
  }
  collect([&] { (void)cookieseal::Keyring::parse(key_text + "," + key_hex, "COOKIESEAL_KEYS"); });
  {
    test_support::ScopedEnv keys("COOKIESEAL_KEYS", key_text + "," + bad_char);
    test_support::ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    collect([] { (void)cookieseal::Keyring::from_env(); });
  }
  {
    test_support::ScopedEnv keys("COOKIESEAL_KEYS", key_text);
    test_support::ScopedEnv file("COOKIESEAL_KEYS_FILE", "/nonexistent");
    collect([] { (void)cookieseal::Keyring::from_env(); });
  }
  {  // the key pasted where the keys file's path belongs
    test_support::ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    test_support::ScopedEnv file("COOKIESEAL_KEYS_FILE", key_text);
    collect([] { (void)cookieseal::Keyring::from_env(); });
  }
  {
    test_support::ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    test_support::ScopedEnv file("COOKIESEAL_KEYS_FILE", key_hex + "," + key_text);
    collect([] { (void)cookieseal::Keyring::from_env(); });
  }
  std::ostringstream printed;
  printed << cookieseal::Key::parse(key_text) << ' ' << cookieseal::Key::parse(key_text).id();
  messages.push_back(printed.str());
  for (int e = 1; e <= 7; ++e)
    messages.emplace_back(cookieseal::to_string(static_cast<cookieseal::Error>(e)));
  std::size_t checked = 0;
  for (const std::string& m : messages) {
    CAPTURE(m);
    CHECK_FALSE(m.empty());
    // No 8-character window of either key form appears in any message.
    for (std::size_t i = 0; i + 8 <= key_text.size(); ++i)
      CHECK(m.find(key_text.substr(i, 8)) == std::string::npos);
    for (std::size_t i = 0; i + 8 <= key_hex.size(); ++i)
      CHECK(m.find(key_hex.substr(i, 8)) == std::string::npos);
    ++checked;
  }
  MESSAGE("key hygiene: " << checked << " messages scanned");
}
