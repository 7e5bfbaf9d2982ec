// cookieseal - the keys leave /proc/self/environ once read. This executable is started with
// COOKIESEAL_KEYS in its initial environment (tests/meson.build), as a server is: that copy
// is what /proc/<pid>/environ shows and what a child would inherit.
#include <cookieseal/config.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::string proc_environ() {
  std::ifstream in("/proc/self/environ", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("Config::from_env wipes the keys from /proc/self/environ and unsets them by default") {
  const std::string key = test_support::key_a_text;
  REQUIRE(std::getenv("COOKIESEAL_KEYS") != nullptr);  // started with the key, as a server is
  REQUIRE(proc_environ().find(key) != std::string::npos);
  const cookieseal::Config config = cookieseal::Config::from_env();
  REQUIRE(config.keys);
  CHECK(config.keys->size() == 1);
  CHECK(std::getenv("COOKIESEAL_KEYS") == nullptr);  // a child started now inherits no key
  const std::string after = proc_environ();
  CHECK(after.find(key) == std::string::npos);
  CHECK(after.find(key.substr(0, 12)) == std::string::npos);
  // The variable's name stays in that memory; its value's bytes are zero.
  const std::size_t at = after.find("COOKIESEAL_KEYS=");
  REQUIRE(at != std::string::npos);
  CHECK(after.substr(at + 16, key.size()) == std::string(key.size(), '\0'));
}
