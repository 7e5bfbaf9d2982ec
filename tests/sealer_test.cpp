// Tests for include/cookieseal/sealer.hpp: the byte layer alone (docs/FORMAT.md)
#include <cookieseal/sealer.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <sstream>
#include <string>

using cookieseal::Error;
using cookieseal::Sealer;
using cookieseal::SealerOptions;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;

namespace {

Sealer sealer_of(const ManualClock& clock, std::initializer_list<const char*> keys = {key_a_text}) {
  SealerOptions o;
  o.clock = clock.fn();
  return Sealer(ring(keys), std::move(o));
}

std::string text_of(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

TEST_CASE("Sealer round-trips any bytes with their expiry, key id and reseal hint") {
  ManualClock clock;
  const Sealer s = sealer_of(clock);
  const std::string bytes("\0\x01\xff payload", 11);
  const auto value = s.seal("flash", bytes, *clock.now + 5min);
  REQUIRE(value);
  const auto opened = s.open("flash", *value);
  REQUIRE(opened);
  CHECK(text_of(opened->plaintext()) == bytes);
  CHECK(opened->expires_at() == *clock.now + 5min);
  CHECK(opened->key_id() == s.keyring().primary().id());
  CHECK_FALSE(opened->needs_reseal());
}

TEST_CASE("Sealer::open goes through the FORMAT.md steps in order, each with its own error") {
  ManualClock clock;
  const Sealer s = sealer_of(clock);
  const std::string value = s.seal("n", std::string("x"), *clock.now + 1h).value();
  CHECK(s.open("n", std::string(4097, 'A')).error() == Error::too_large);
  CHECK(s.open("n", "not base64url!").error() == Error::malformed);
  std::string v2 = value;
  v2[0] = 'B';  // byte 0 becomes 0x04..0x07: not version 1
  CHECK(s.open("n", v2).error() == Error::unsupported_version);
  CHECK(sealer_of(clock, {key_b_text}).open("n", value).error() == Error::unknown_key);
  CHECK(s.open("other name", value).error() == Error::tampered);
  clock.advance(1h + 61s);
  CHECK(s.open("n", value).error() == Error::expired);
}

TEST_CASE("two Opened values on one thread each keep their own plaintext") {
  ManualClock clock;
  const Sealer s = sealer_of(clock);
  const std::string a = s.seal("n", std::string("first"), *clock.now + 1h).value();
  const std::string b = s.seal("n", std::string("second"), *clock.now + 1h).value();
  auto first = s.open("n", a);
  auto second = s.open("n", b);  // the thread's buffer is taken: this one gets its own
  REQUIRE(first);
  REQUIRE(second);
  CHECK(text_of(first->plaintext()) == "first");
  CHECK(text_of(second->plaintext()) == "second");
  auto moved = std::move(*first);  // the plaintext moves with its buffer
  CHECK(text_of(moved.plaintext()) == "first");
}

TEST_CASE("a non-primary key opens and asks for a reseal") {
  ManualClock clock;
  const std::string value =
      sealer_of(clock, {key_a_text}).seal("n", std::string("x"), *clock.now + 1h).value();
  const auto opened = sealer_of(clock, {key_b_text, key_a_text}).open("n", value);
  REQUIRE(opened);
  CHECK(opened->needs_reseal());
}

TEST_CASE("the fixed-nonce seal for test vectors is deterministic and opens like any other") {
  ManualClock clock;
  const Sealer s = sealer_of(clock);
  std::array<std::uint8_t, cookieseal::format::nonce_bytes> nonce{};
  nonce.fill(7);
  const std::string plain = "vector";
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size());
  const auto a = s.seal_with_fixed_nonce_for_test_vectors("n", bytes, *clock.now + 1h, nonce);
  const auto b = s.seal_with_fixed_nonce_for_test_vectors("n", bytes, *clock.now + 1h, nonce);
  REQUIRE(a);
  CHECK(*a == *b);
  CHECK(text_of(s.open("n", *a)->plaintext()) == plain);
  CHECK(*s.seal("n", plain, *clock.now + 1h) != *a);  // the random nonce differs
}

TEST_CASE("Sealer refuses nonsensical options at construction") {
  SealerOptions o;
  o.leeway = -1s;
  CHECK_THROWS_AS(Sealer(ring({key_a_text}), o), cookieseal::ConfigError);
  o = {};
  o.max_value_bytes = 10;
  CHECK_THROWS_AS(Sealer(ring({key_a_text}), o), cookieseal::ConfigError);
}

TEST_CASE("Result::error() on a success is a programming error, and errors print by name") {
  const cookieseal::Result<int> ok = 1;
  CHECK_THROWS_AS((void)ok.error(), std::logic_error);
  const cookieseal::Result<void> done;
  CHECK(done.ok());
  CHECK_THROWS_AS((void)done.error(), std::logic_error);
  const cookieseal::Result<void> failed = Error::unavailable;
  CHECK(failed.error() == Error::unavailable);
  std::ostringstream out;
  out << Error::tampered << ' ' << cookieseal::to_string(Error::stale);
  CHECK(out.str() == "tampered stale");
}
