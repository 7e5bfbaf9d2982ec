// Tests for include/cookieseal/keyring.hpp
#include <cookieseal/keyring.hpp>

#include "crypto/keys_file.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <unistd.h>
#include <vector>

using cookieseal::Key;
using cookieseal::Keyring;
using test_support::config_error_of;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ScopedEnv;

namespace {

std::string temp_file(const std::string& contents) {
  char path[] = "/tmp/cookieseal-keys-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()));
  ::close(fd);
  return path;
}

}  // namespace

TEST_CASE("Keyring::parse keeps the order: the first key is primary") {
  const Keyring ring = Keyring::parse(std::string(key_b_text) + " , " + key_a_text);
  REQUIRE(ring.size() == 2);
  CHECK(ring.primary().id().hex() == "b229c9fb");
  CHECK(ring.keys()[1].id().hex() == "dacd950a");
  CHECK(ring.position(ring.keys()[1].id()) == 1);
  CHECK(ring.find(ring.keys()[0].id()) == &ring.primary());
}

TEST_CASE("Keyring::find returns null for an id not in the ring") {
  const Keyring ring = Keyring::parse(key_a_text);
  cookieseal::KeyId other{{1, 2, 3, 4}};
  CHECK(ring.find(other) == nullptr);
  CHECK(ring.position(other) == -1);
}

TEST_CASE("Keyring::find finds every key of a large ring") {
  std::vector<Key> keys;
  for (int i = 0; i < 200; ++i) keys.push_back(Key::generate());
  std::vector<cookieseal::KeyId> ids;
  for (const Key& k : keys) ids.push_back(k.id());
  const Keyring ring(std::move(keys));
  for (std::size_t i = 0; i < ids.size(); ++i) CHECK(ring.position(ids[i]) == static_cast<int>(i));
}

TEST_CASE("Keyring::parse rejects empty lists and empty entries, naming the position") {
  CHECK(config_error_of([] { (void)Keyring::parse("", "COOKIESEAL_KEYS"); }) ==
        "COOKIESEAL_KEYS: empty (no keys)");
  CHECK(config_error_of([] { (void)Keyring::parse("  ", "COOKIESEAL_KEYS"); }) ==
        "COOKIESEAL_KEYS: empty (no keys)");
  CHECK(config_error_of([] {
          (void)Keyring::parse(std::string(key_a_text) + ",,x", "COOKIESEAL_KEYS");
        }).find("COOKIESEAL_KEYS: key 2 is empty") == 0);
  CHECK(config_error_of([] {
          (void)Keyring::parse(std::string(key_a_text) + ",", "COOKIESEAL_KEYS");
        }).find("COOKIESEAL_KEYS: key 2 is empty") == 0);
}

TEST_CASE("Keyring::parse rejects a malformed key by position without echoing it") {
  const std::string bad = "this-is-not-a-key-but-looks-secret";
  const std::string msg =
      config_error_of([&] { (void)Keyring::parse(std::string(key_a_text) + "," + bad, "COOKIESEAL_KEYS"); });
  CHECK(msg.find("COOKIESEAL_KEYS: key 2: expected 43 base64url characters") == 0);
  CHECK(msg.find(bad) == std::string::npos);
  CHECK(msg.find(key_a_text) == std::string::npos);
}

TEST_CASE("Keyring::parse rejects a duplicate key, also written in another form") {
  const std::string hex_a = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const std::string msg = config_error_of([&] {
    (void)Keyring::parse(std::string(key_b_text) + "," + key_a_text + "," + hex_a, "COOKIESEAL_KEYS");
  });
  CHECK(msg == "COOKIESEAL_KEYS: key 3 duplicates key 2");
}

TEST_CASE("Keyring constructor rejects an empty vector") {
  CHECK(config_error_of([] { Keyring r{std::vector<Key>{}}; }) == "keyring: no keys");
}

TEST_CASE("Keyring::clone copies every key") {
  const Keyring ring = Keyring::parse(std::string(key_a_text) + "," + key_b_text);
  const Keyring copy = ring.clone();
  REQUIRE(copy.size() == 2);
  CHECK(copy.primary().same_secret(ring.primary()));
  CHECK(copy.keys()[1].same_secret(ring.keys()[1]));
}

TEST_CASE("Keyring::parse_file_text skips comments and blank lines and names line numbers") {
  const std::string text =
      std::string("# rotated 2026-11\n\n  ") + key_b_text + "  \r\n# old\n" + key_a_text + "\n";
  const Keyring ring = Keyring::parse_file_text(text, "keys.txt");
  REQUIRE(ring.size() == 2);
  CHECK(ring.primary().id().hex() == "b229c9fb");
  CHECK(config_error_of([] {
          (void)Keyring::parse_file_text("# only\n\n", "keys.txt");
        }).find("keys.txt: no keys") == 0);
  CHECK(config_error_of([] {
          (void)Keyring::parse_file_text("#\n\nnope\n", "keys.txt");
        }).find("keys.txt: line 3: expected 43") == 0);
  CHECK(config_error_of([] {
          (void)Keyring::parse_file_text(std::string(key_a_text) + "\n\n" + key_a_text, "keys.txt");
        }) == "keys.txt: line 3 duplicates line 1");
}

TEST_CASE("Keyring::from_env reads COOKIESEAL_KEYS") {
  ScopedEnv keys("COOKIESEAL_KEYS", std::string(key_a_text) + "," + key_b_text);
  ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
  const Keyring ring = Keyring::from_env();
  CHECK(ring.size() == 2);
  CHECK(ring.primary().id().hex() == "dacd950a");
}

TEST_CASE("Keyring::from_env honours a custom prefix") {
  ScopedEnv keys("MYAPP_KEYS", key_b_text);
  ScopedEnv file("MYAPP_KEYS_FILE", std::nullopt);
  CHECK(Keyring::from_env("MYAPP_").primary().id().hex() == "b229c9fb");
}

TEST_CASE("Keyring::from_env reads COOKIESEAL_KEYS_FILE") {
  const std::string path =
      temp_file(std::string("# primary first\n") + key_b_text + "\n" + key_a_text + "\n");
  ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
  ScopedEnv file("COOKIESEAL_KEYS_FILE", path);
  const Keyring ring = Keyring::from_env();
  CHECK(ring.size() == 2);
  CHECK(ring.primary().id().hex() == "b229c9fb");
  std::remove(path.c_str());
}

TEST_CASE("Keyring::from_env gives clear errors that never contain the key text") {
  SUBCASE("neither variable set") {
    ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    CHECK(config_error_of([] {
            (void)Keyring::from_env();
          }).find("neither COOKIESEAL_KEYS nor COOKIESEAL_KEYS_FILE is set") == 0);
  }
  SUBCASE("both set") {
    ScopedEnv keys("COOKIESEAL_KEYS", key_a_text);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", "/nonexistent");
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg == "both COOKIESEAL_KEYS and COOKIESEAL_KEYS_FILE are set; set only one");
  }
  SUBCASE("empty") {
    ScopedEnv keys("COOKIESEAL_KEYS", "");
    ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    CHECK(config_error_of([] { (void)Keyring::from_env(); }) == "COOKIESEAL_KEYS: empty (no keys)");
  }
  SUBCASE("short key") {
    const std::string shortkey = std::string(key_a_text).substr(0, 40);
    ScopedEnv keys("COOKIESEAL_KEYS", shortkey);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg ==
          "COOKIESEAL_KEYS: key 1: expected 43 base64url characters or 64 hex digits, got 40 characters");
    CHECK(msg.find(shortkey) == std::string::npos);
  }
  SUBCASE("bad characters") {
    std::string badkey = key_a_text;
    badkey[10] = '*';
    ScopedEnv keys("COOKIESEAL_KEYS", std::string(key_b_text) + "," + badkey);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg.find("COOKIESEAL_KEYS: key 2: not valid base64url") == 0);
    CHECK(msg.find(badkey) == std::string::npos);
    CHECK(msg.find(key_b_text) == std::string::npos);
  }
  SUBCASE("duplicate") {
    ScopedEnv keys("COOKIESEAL_KEYS", std::string(key_a_text) + "," + key_a_text);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg == "COOKIESEAL_KEYS: key 2 duplicates key 1");
  }
  SUBCASE("unreadable file") {
    ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", "/nonexistent/keys");
    CHECK(config_error_of([] { (void)Keyring::from_env(); }) ==
          "COOKIESEAL_KEYS_FILE (/nonexistent/keys): cannot open: No such file or directory");
  }
  SUBCASE("a directory instead of a file") {
    ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", "/tmp");
    CHECK(config_error_of([] { (void)Keyring::from_env(); }).find("COOKIESEAL_KEYS_FILE (/tmp): cannot") ==
          0);
  }
  SUBCASE("empty file variable") {
    ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", "");
    CHECK(config_error_of([] { (void)Keyring::from_env(); }) ==
          "COOKIESEAL_KEYS_FILE is empty; it must name a keys file");
  }
  SUBCASE("a bad line in the file") {
    const std::string path = temp_file(std::string(key_a_text) + "\n# c\nnot-a-key\n");
    ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", path);
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg.find("COOKIESEAL_KEYS_FILE (" + path + "): line 3: expected 43") == 0);
    CHECK(msg.find(key_a_text) == std::string::npos);
    std::remove(path.c_str());
  }
}

TEST_CASE("Keyring::from_env can remove COOKIESEAL_KEYS from the environment once read") {
  ScopedEnv keys("COOKIESEAL_KEYS", key_a_text);
  ScopedEnv file("COOKIESEAL_KEYS_FILE", std::nullopt);
  const Keyring ring = Keyring::from_env("COOKIESEAL_", cookieseal::KeysInEnvironment::remove);
  CHECK(ring.primary().id().hex() == "dacd950a");
  CHECK(std::getenv("COOKIESEAL_KEYS") == nullptr);
}

namespace {

bool all_zero(const std::vector<char>& v) {
  return std::all_of(v.begin(), v.end(), [](char c) { return c == 0; });
}

}  // namespace

TEST_CASE("a keys file is read into one buffer that is wiped after success and after every error") {
  using cookieseal::detail::read_keys_file;
  std::vector<char> scratch(cookieseal::detail::max_keys_file_bytes + 1, 'Z');
  const std::string good = temp_file("# keys\n" + std::string(key_a_text) + "\n" + key_b_text + "\n");
  const Keyring ring = read_keys_file(good, "keys file", scratch);
  CHECK(ring.size() == 2);
  CHECK(all_zero(scratch));

  const std::string bad = temp_file(std::string(key_a_text) + "\nnot-a-key\n");
  std::fill(scratch.begin(), scratch.end(), 'Z');
  CHECK(config_error_of([&] { (void)read_keys_file(bad, "keys file", scratch); }).find("line 2") !=
        std::string::npos);
  CHECK(all_zero(scratch));

  std::vector<char> small(40, 'Z');  // the file (87 bytes) does not fit
  CHECK(config_error_of([&] {
          (void)read_keys_file(good, "keys file", small);
        }).find("larger than 39 bytes") != std::string::npos);
  CHECK(all_zero(small));
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

TEST_CASE("COOKIESEAL_KEYS_FILE set to key text is never echoed in the error") {
  const std::string key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  ScopedEnv keys("COOKIESEAL_KEYS", std::nullopt);
  for (const std::string& value :
       {std::string(key_a_text), std::string(key_a_text) + "," + key_b_text, key_hex, " " + key_hex + "\n",
        std::string(key_a_text).substr(0, 20), "./" + std::string(key_a_text), "/run/" + key_hex}) {
    CAPTURE(value);
    ScopedEnv file("COOKIESEAL_KEYS_FILE", value);
    const std::string msg = config_error_of([] { (void)Keyring::from_env(); });
    CHECK(msg.rfind("COOKIESEAL_KEYS_FILE (path not shown: it could be key text): cannot open: ", 0) == 0);
    for (const std::string_view k :
         {std::string_view(key_a_text), std::string_view(key_b_text), std::string_view(key_hex)})
      for (std::size_t i = 0; i + 8 <= k.size(); ++i) CHECK(msg.find(k.substr(i, 8)) == std::string::npos);
  }
  // An ordinary path is still shown, control bytes replaced.
  ScopedEnv file("COOKIESEAL_KEYS_FILE", "/etc/cookieseal/keys\n.txt");
  CHECK(config_error_of([] { (void)Keyring::from_env(); }) ==
        "COOKIESEAL_KEYS_FILE (/etc/cookieseal/keys?.txt): cannot open: No such file or directory");
}
