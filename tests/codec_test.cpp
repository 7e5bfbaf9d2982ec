// Tests for include/cookieseal/codec.hpp: round trips, every Error, rotation, expiry, tamper
#include <cookieseal/codec.hpp>

#include "crypto/seal.hpp"
#include "test_support.hpp"

#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <map>
#include <thread>

using cookieseal::Codec;
using cookieseal::Error;
using cookieseal::Options;
using test_support::key_a_text;
using test_support::key_b_text;
using test_support::ManualClock;
using test_support::ring;
using namespace std::chrono_literals;

namespace {

struct Profile {
  std::uint64_t user_id = 0;
  std::string name;
  bool admin = false;
  double score = 0;
  std::vector<std::string> roles;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user_id, name, admin, score, roles);
  }
  friend bool operator==(const Profile&, const Profile&) = default;
};

struct Empty {
  template <class Archive>
  void serialize(Archive&) {}
};

struct Throws {
  template <class Archive>
  void load(Archive&) {
    throw std::runtime_error("user code failed");
  }
  template <class Archive>
  void save(Archive&) const {}
};

struct OutOfMemory {
  template <class Archive>
  void load(Archive&) {
    throw std::bad_alloc();
  }
  template <class Archive>
  void save(Archive&) const {}
};

Codec codec_with(ManualClock& clock, std::initializer_list<const char*> keys = {key_a_text}) {
  Options o;
  o.clock = clock.fn();
  return Codec(ring(keys), o);
}

using test_support::le64;
using test_support::seal_plaintext;

}  // namespace

TEST_CASE("a struct with serialize round-trips with its metadata") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const Profile p{42, "ada", true, 3.5, {"admin", "ops"}};
  const auto cookie = codec.encode("session", p);
  REQUIRE(cookie.ok());
  const auto back = codec.decode<Profile>("session", *cookie);
  REQUIRE(back.ok());
  CHECK(back->value == p);
  CHECK(back->expires_at == *clock.now + 24h);
  CHECK(back->key_id.hex() == "dacd950a");
  CHECK_FALSE(back->needs_reseal);
}

TEST_CASE("a std::map, a string and an empty value round-trip") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const std::map<std::string, std::int64_t> m{{"a", 1}, {"b", -2}, {"", 3}};
  CHECK(codec.decode<std::map<std::string, std::int64_t>>("m", *codec.encode("m", m))->value == m);
  CHECK(codec.decode<std::string>("s", *codec.encode("s", std::string("hello")))->value == "hello");
  CHECK(codec.decode<std::string>("s", *codec.encode("s", std::string()))->value.empty());
  const auto empty = codec.encode("e", Empty{});
  REQUIRE(empty.ok());
  CHECK(empty->size() == 72);  // header + endianness byte + tag: the shortest cookie
  CHECK(codec.decode<Empty>("e", *empty).ok());
}

TEST_CASE("two encodings of the same value differ (fresh nonce each time)") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  CHECK(*codec.encode("s", 1) != *codec.encode("s", 1));
}

TEST_CASE("encode with an explicit expiry seals that expiry") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const auto at = *clock.now + 5min;
  const auto back = codec.decode<int>("s", *codec.encode("s", 7, at));
  REQUIRE(back.ok());
  CHECK(back->expires_at == at);
  CHECK(cookieseal::inspect(*codec.encode("s", 7, std::chrono::sys_seconds(-5s)))
            ->expires_at.time_since_epoch() == 0s);
}

TEST_CASE("decode reaches every Error with a real input") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const std::string good = *codec.encode("session", std::string("hello"));

  SUBCASE("too_large: longer than max_value_bytes, before any decoding") {
    CHECK(codec.decode<std::string>("session", std::string(4097, '!')).error() == Error::too_large);
  }
  SUBCASE("malformed: padding, alphabet, whitespace, length, non-canonical tail") {
    CHECK(codec.decode<std::string>("session", good + "=").error() == Error::malformed);
    std::string plus = good;
    plus[20] = '+';
    CHECK(codec.decode<std::string>("session", plus).error() == Error::malformed);
    std::string slash = good;
    slash[20] = '/';
    CHECK(codec.decode<std::string>("session", slash).error() == Error::malformed);
    CHECK(codec.decode<std::string>("session", " " + good).error() == Error::malformed);
    CHECK(codec.decode<std::string>("session", good.substr(0, 70)).error() == Error::malformed);  // < 53 raw
    CHECK(codec.decode<std::string>("session", "").error() == Error::malformed);
    CHECK(codec.decode<std::string>("session", good.substr(0, good.size() / 4 * 4) + "A").error() ==
          Error::malformed);  // 4k+1 characters is never base64url
  }
  SUBCASE("unsupported_version") {
    std::string v2 = good;
    v2[0] = 'A';  // first 6 bits 000000: version byte 0x01 -> 0x00..0x03
    v2[1] = 'g';  // 'g' = 32: version byte = 0b00000010
    CHECK(codec.decode<std::string>("session", v2).error() == Error::unsupported_version);
  }
  SUBCASE("unknown_key") {
    const Codec other(ring({key_b_text}));
    CHECK(other.decode<std::string>("session", good).error() == Error::unknown_key);
  }
  SUBCASE("tampered: a changed ciphertext character or another cookie name") {
    std::string t = good;
    t[60] = t[60] == 'A' ? 'B' : 'A';
    CHECK(codec.decode<std::string>("session", t).error() == Error::tampered);
    CHECK(codec.decode<std::string>("other", good).error() == Error::tampered);
  }
  SUBCASE("expired") {
    clock.advance(24h + 61s);
    CHECK(codec.decode<std::string>("session", good).error() == Error::expired);
  }
  SUBCASE("bad_payload: another type, trailing bytes, a user load that throws") {
    CHECK(codec.decode<Profile>("session", good).error() == Error::bad_payload);
    CHECK(codec.decode<std::uint8_t>("session", good).error() == Error::bad_payload);  // bytes left over
    CHECK(codec.decode<Throws>("session", good).error() == Error::bad_payload);
  }
  CHECK(cookieseal::to_string(Error::bad_payload) == "bad_payload");
}

TEST_CASE("encode reports too_large instead of making a cookie browsers drop") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  CHECK(codec.encode("s", std::string(3000, 'x')).ok());
  CHECK(codec.encode("s", std::string(3100, 'x')).error() == Error::too_large);
  Options small;
  small.max_value_bytes = 100;
  const Codec tight(ring({key_a_text}), small);
  CHECK(tight.encode("s", std::string(40, 'x')).error() == Error::too_large);
  CHECK(tight.encode("s", std::string(10, 'x')).ok());
}

TEST_CASE("a forged length prefix of 2^60 is bad_payload without a large allocation") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  // string: endianness flag, then length 2^60, then 3 bytes
  const std::string forged = seal_plaintext(std::string("\x01", 1) + le64(1ULL << 60) + "abc");
  CHECK(codec.decode<std::string>("s", forged).error() == Error::bad_payload);
  // vector<string> claiming 2^40 elements
  const std::string vec = seal_plaintext(std::string("\x01", 1) + le64(1ULL << 40));
  CHECK(codec.decode<std::vector<std::string>>("s", vec).error() == Error::bad_payload);
  // a length one larger than the bytes left
  const std::string off_by_one = seal_plaintext(std::string("\x01", 1) + le64(4) + "abc");
  CHECK(codec.decode<std::string>("s", off_by_one).error() == Error::bad_payload);
  // exactly right opens
  CHECK(codec.decode<std::string>("s", seal_plaintext(std::string("\x01", 1) + le64(3) + "abc"))->value ==
        "abc");
}

TEST_CASE("payload bytes that are not a valid bool or endianness flag are bad_payload") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  CHECK(codec.decode<bool>("s", seal_plaintext(std::string("\x01\x01", 2)))->value == true);
  CHECK(codec.decode<bool>("s", seal_plaintext(std::string("\x01\x02", 2))).error() == Error::bad_payload);
  CHECK(codec.decode<bool>("s", seal_plaintext(std::string("\x02\x01", 2))).error() == Error::bad_payload);
  CHECK(codec.decode<Empty>("s", seal_plaintext("")).error() == Error::bad_payload);  // no flag byte
}

TEST_CASE("a big-endian payload (cereal's flag 0) is read too") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  CHECK(codec.decode<std::uint32_t>("s", seal_plaintext(std::string("\x00\x01\x02\x03\x04", 5)))->value ==
        0x01020304u);
}

TEST_CASE("rotation: a cookie sealed under A opens with B,A and needs resealing; B alone rejects it") {
  ManualClock clock;
  const Codec old_codec = codec_with(clock, {key_a_text});
  const Codec rotated = codec_with(clock, {key_b_text, key_a_text});
  const Codec retired = codec_with(clock, {key_b_text});
  const std::string cookie = *old_codec.encode("session", std::string("v"));
  const auto opened = rotated.decode<std::string>("session", cookie);
  REQUIRE(opened.ok());
  CHECK(opened->needs_reseal);
  CHECK(opened->key_id.hex() == "dacd950a");
  const std::string resealed = *rotated.encode("session", opened->value);
  CHECK_FALSE(rotated.decode<std::string>("session", resealed)->needs_reseal);
  CHECK(cookieseal::inspect(resealed)->key_id.hex() == "b229c9fb");
  CHECK(retired.decode<std::string>("session", cookie).error() == Error::unknown_key);
}

TEST_CASE("name binding: a cookie for 'session' decoded as 'other' is tampered") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const std::string cookie = *codec.encode("session", 1);
  CHECK(codec.decode<int>("other", cookie).error() == Error::tampered);
  CHECK(codec.decode<int>("Session", cookie).error() == Error::tampered);
  CHECK(codec.decode<int>("session ", cookie).error() == Error::tampered);
  CHECK(codec.decode<int>("session", cookie).ok());
  // Names longer than the inline associated-data buffer work the same way.
  const std::string long_name(500, 'n');
  const std::string c2 = *codec.encode(long_name, 2);
  CHECK(codec.decode<int>(long_name, c2)->value == 2);
  CHECK(codec.decode<int>(long_name + "x", c2).error() == Error::tampered);
}

TEST_CASE("expiry at the boundary, leeway included") {
  ManualClock clock;
  Options o;
  o.clock = clock.fn();
  o.ttl = 1h;
  o.leeway = 30s;
  const Codec codec(ring({key_a_text}), o);
  const std::string cookie = *codec.encode("s", 1);
  clock.advance(1h);
  CHECK(codec.decode<int>("s", cookie).ok());  // now == expires_at
  clock.advance(30s);
  CHECK(codec.decode<int>("s", cookie).ok());  // now == expires_at + leeway
  clock.advance(1s);
  CHECK(codec.decode<int>("s", cookie).error() == Error::expired);
  o.leeway = 0s;
  ManualClock c2;
  o.clock = c2.fn();
  const Codec strict(ring({key_a_text}), o);
  const std::string cookie2 = *strict.encode("s", 1);
  c2.advance(1h);
  CHECK(strict.decode<int>("s", cookie2).ok());
  c2.advance(1s);
  CHECK(strict.decode<int>("s", cookie2).error() == Error::expired);
}

TEST_CASE("a clock before the epoch expires nothing") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const std::string cookie = *codec.encode("s", 1, std::chrono::sys_seconds(0s));
  *clock.now = std::chrono::sys_seconds(-100s);
  CHECK(codec.decode<int>("s", cookie).ok());
}

TEST_CASE("every single-bit flip of the raw bytes is rejected") {
  ManualClock clock;
  const Codec codec = codec_with(clock, {key_a_text, key_b_text});
  const std::string cookie = *codec.encode("session", Profile{7, "bob", false, 1.25, {"x"}});
  // Work on the raw bytes: decode, flip, re-encode canonically.
  const auto info = cookieseal::inspect(cookie);
  REQUIRE(info.ok());
  std::string raw(info->raw_bytes, '\0');
  {
    // Reuse the codec's own base64url through seal_with_nonce's inverse: the test decodes by hand.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t o = 0;
    for (char c : cookie) {
      acc = acc << 6 | static_cast<std::uint32_t>(alphabet.find(c));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        raw[o++] = static_cast<char>(acc >> bits);
      }
    }
    REQUIRE(o == raw.size());
  }
  const auto to_text = [](const std::string& r) {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : r) {
      acc = acc << 8 | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out.push_back(alphabet[(acc >> bits) & 63]);
      }
    }
    if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
    return out;
  };
  REQUIRE(to_text(raw) == cookie);
  std::size_t tried = 0;
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = raw;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      ++tried;
      if (codec.decode<Profile>("session", to_text(flipped)).ok()) ++accepted;
    }
  }
  CHECK(tried == raw.size() * 8);
  CHECK(accepted == 0);
}

TEST_CASE("one Codec is shared by many threads without locks") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const Profile p{
            static_cast<std::uint64_t>(t * 100000 + i), "u" + std::to_string(i), i % 2 == 0, i * 0.5, {}};
        const auto c = codec.encode("s", p);
        const auto back = c ? codec.decode<Profile>("s", *c)
                            : cookieseal::Result<cookieseal::Decoded<Profile>>(Error::malformed);
        if (!back || !(back->value == p)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}

namespace {
const Codec* nested_codec = nullptr;
struct Nested {  // its save() itself encodes a cookie with the same codec on the same thread
  std::string inner_cookie;
  template <class Archive>
  void save(Archive& ar) const {
    const std::string c = *nested_codec->encode("inner", std::string("deep"));
    ar(c);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(inner_cookie);
  }
};
}  // namespace

TEST_CASE("a value whose own serialization encodes another cookie works (nested scratch)") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  nested_codec = &codec;
  const auto outer = codec.encode("outer", Nested{});
  REQUIRE(outer.ok());
  const auto back = codec.decode<Nested>("outer", *outer);
  REQUIRE(back.ok());
  CHECK(codec.decode<std::string>("inner", back->value.inner_cookie)->value == "deep");
}

TEST_CASE("Codec rejects nonsensical options at construction") {
  using test_support::config_error_of;
  Options o;
  o.ttl = 0s;
  CHECK(config_error_of([&] { Codec c(ring({key_a_text}), o); }) ==
        "codec: ttl must be positive and at most 400d, the longest cookie lifetime browsers keep (got 0s)");
  o = Options{};
  o.leeway = -1s;
  CHECK(config_error_of([&] { Codec c(ring({key_a_text}), o); }) ==
        "codec: leeway must be at least 0s and shorter than ttl (got -1s, ttl 86400s)");
  o = Options{};
  o.max_value_bytes = 72;
  CHECK(config_error_of([&] { Codec c(ring({key_a_text}), o); }).empty());
  o.max_value_bytes = 71;
  CHECK(config_error_of([&] { Codec c(ring({key_a_text}), o); }).find("at least 72") != std::string::npos);
}

TEST_CASE("Codec caps the ttl as Config does, so now + ttl cannot overflow") {
  using test_support::config_error_of;
  Options o;
  o.ttl = std::chrono::seconds::max();
  CHECK(config_error_of([&] { Codec c(ring({key_a_text}), o); }).find("at most 400d") != std::string::npos);
  o.ttl = cookieseal::max_ttl;
  ManualClock clock;
  o.clock = clock.fn();
  const Codec c(ring({key_a_text}), o);
  const auto cookie = c.encode("s", std::string("x"));
  REQUIRE(cookie);
  CHECK(c.decode<std::string>("s", *cookie)->expires_at == *clock.now + cookieseal::max_ttl);
}

TEST_CASE("out of memory while decoding propagates; a user load() that throws anything else is bad_payload") {
  ManualClock clock;
  const Codec c = codec_with(clock);
  const auto cookie = c.encode("s", Throws{});
  REQUIRE(cookie);
  CHECK(c.decode<Throws>("s", *cookie).error() == Error::bad_payload);
  CHECK_THROWS_AS((void)c.decode<OutOfMemory>("s", *cookie), std::bad_alloc);
}

TEST_CASE("the default leeway fits a short ttl: a 5 s value does not open 7 s later") {
  ManualClock clock;
  Options o;
  o.ttl = 5s;
  o.clock = clock.fn();
  const Codec c(ring({key_a_text}), o);
  const auto cookie = c.encode("s", std::string("x"));
  clock.advance(5s);
  CHECK(c.decode<std::string>("s", *cookie));
  clock.advance(2s);
  CHECK(c.decode<std::string>("s", *cookie).error() == Error::expired);
}

TEST_CASE("Result::value on an error throws BadResultAccess naming the error") {
  const cookieseal::Result<int> r(Error::expired);
  CHECK_FALSE(r);
  CHECK_THROWS_AS((void)r.value(), cookieseal::BadResultAccess);
}

TEST_CASE("inspect reads the public header without a key") {
  ManualClock clock;
  const Codec codec = codec_with(clock);
  const std::string cookie = *codec.encode("s", std::string(100, 'x'));
  const auto info = cookieseal::inspect(cookie);
  REQUIRE(info.ok());
  CHECK(info->version == 1);
  CHECK(info->key_id.hex() == "dacd950a");
  CHECK(info->expires_at == *clock.now + 24h);
  CHECK(info->value_bytes == cookie.size());
  CHECK(info->plaintext_bytes == 1 + 8 + 100);
  CHECK(info->raw_bytes == 53 + 109);
  CHECK(cookieseal::inspect(cookie + "=").error() == cookieseal::Error::malformed);
  CHECK(cookieseal::inspect(cookie.substr(0, 60)).error() == cookieseal::Error::malformed);
  CHECK(cookieseal::inspect(cookie, 100).error() == cookieseal::Error::too_large);
  std::string bad_tail = cookie;
  bad_tail[cookie.size() - 30] = '*';
  CHECK(cookieseal::inspect(bad_tail).error() == cookieseal::Error::malformed);
  std::string v0 = cookie;
  v0[1] = 'A';  // version byte 0x00
  CHECK(cookieseal::inspect(v0)->version == 0);
}
