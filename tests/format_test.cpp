// Tests for docs/FORMAT.md: the test vectors, byte for byte, and the payload's cereal bytes
#include <cookieseal/codec.hpp>
#include <cookieseal/format.hpp>

#include "crypto/seal.hpp"
#include "encoding/base64url.hpp"
#include "test_support.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace std::chrono_literals;

namespace {

struct User {
  std::uint64_t id = 0;
  std::string name;
  bool admin = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name, admin);
  }
};

struct Empty {
  template <class Archive>
  void serialize(Archive&) {}
};

struct Vector {
  const char* key;
  const char* name;
  std::uint64_t expires_at;
  std::uint8_t nonce_first;  // nonce = nonce_first, nonce_first + 1, ... (24 bytes)
  const char* plaintext_hex;
  const char* cookie;
};

// Copied from docs/FORMAT.md §Test vectors (the test below checks they are still there).
const Vector vectors[] = {
    {test_support::key_a_text, "session", 1767225600, 0x40, "01050000000000000068656c6c6f",
     "AdrNlQoAAAAAaVW5AEBBQkNERUZHSElKS0xNTk9QUVJTVFVWV9U8BXDQ4HkWj5zi0sPzqmIIimNfYzVFMRxqGmquaA"},
    {test_support::key_a_text, "", 1767225600, 0xa0, "01",
     "AdrNlQoAAAAAaVW5AKChoqOkpaanqKmqq6ytrq-wsbKztLW2t0TolJfQm00OBWaT3r86Dy8t"},
    {test_support::key_b_text, "__Host-session", 4102444800ULL, 0x40,
     "012a00000000000000030000000000000061646101",
     "AbIpyfsAAAAA9IZXAEBBQkNERUZHSElKS0xNTk9QUVJTVFVWVx1fJIy5Ulk_W7C8KhhUB8ZE4wxSXkHdwDLZ6Pm4Lb2akwmQBxQ"},
};

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

template <class T>
std::string ours(const T& v) {
  std::string s;
  {
    cookieseal::detail::BufferOutputArchive ar(s);
    ar(v);
  }
  return s;
}

template <class T>
std::string cereals(const T& v) {
  std::ostringstream os(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(os);
    ar(v);
  }
  return os.str();
}

cookieseal::Codec codec_at(const char* key, std::uint64_t now) {
  cookieseal::Options o;
  o.clock = [now] { return std::chrono::sys_seconds(std::chrono::seconds(now)); };
  return cookieseal::Codec(test_support::ring({key}), o);
}

}  // namespace

TEST_CASE("the FORMAT.md test vectors are reproduced byte for byte with a fixed nonce") {
  for (const Vector& v : vectors) {
    CAPTURE(v.cookie);
    const auto key = cookieseal::Key::parse(v.key);
    std::array<std::uint8_t, 24> nonce{};
    for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<std::uint8_t>(v.nonce_first + i);
    const std::string plaintext = from_hex(v.plaintext_hex);
    const std::string cookie = cookieseal::detail::seal_with_nonce(
        key, v.name, v.expires_at, nonce,
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(plaintext.data()),
                                      plaintext.size()));
    CHECK(cookie == v.cookie);
  }
}

TEST_CASE("the FORMAT.md test vectors open with the public API") {
  const auto hello =
      codec_at(vectors[0].key, vectors[0].expires_at).decode<std::string>("session", vectors[0].cookie);
  REQUIRE(hello.ok());
  CHECK(hello->value == "hello");
  CHECK(hello->expires_at.time_since_epoch() == std::chrono::seconds(1767225600));
  CHECK(codec_at(vectors[1].key, 0).decode<Empty>("", vectors[1].cookie).ok());
  const auto user = codec_at(vectors[2].key, 0).decode<User>("__Host-session", vectors[2].cookie);
  REQUIRE(user.ok());
  CHECK(user->value.id == 42);
  CHECK(user->value.name == "ada");
  CHECK(user->value.admin);
  // Expiry in FORMAT.md: vector 1 opens at expires_at + 60 s (the default leeway), not at +61 s.
  CHECK(codec_at(vectors[0].key, 1767225600 + 60).decode<std::string>("session", vectors[0].cookie).ok());
  CHECK(codec_at(vectors[0].key, 1767225600 + 61).decode<std::string>("session", vectors[0].cookie).error() ==
        cookieseal::Error::expired);
}

TEST_CASE("the FORMAT.md test vectors are frozen: every one is still written in the document") {
  std::ifstream in(COOKIESEAL_SOURCE_ROOT "/docs/FORMAT.md");
  REQUIRE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  for (const Vector& v : vectors) {
    CAPTURE(v.cookie);
    CHECK(doc.str().find(v.cookie) != std::string::npos);
    CHECK(doc.str().find(v.plaintext_hex) != std::string::npos);
  }
}

TEST_CASE("the payload bytes equal cereal's PortableBinaryOutputArchive bytes") {
  const User u{42, "ada", true};
  CHECK(ours(u) == cereals(u));
  CHECK(ours(u) == from_hex(vectors[2].plaintext_hex));
  const std::map<std::string, std::vector<double>> m{{"x", {1.5, -2.0}}, {"", {}}};
  CHECK(ours(m) == cereals(m));
  CHECK(ours(std::string("hello")) == cereals(std::string("hello")));
  CHECK(ours(Empty{}) == cereals(Empty{}));
  const std::vector<bool> bits{true, false, true};
  CHECK(ours(bits) == cereals(bits));
  const std::int16_t neg = -2;
  CHECK(ours(neg) == cereals(neg));
}

TEST_CASE("base64url round-trips every length and matches RFC 4648 §10 without padding") {
  const std::pair<const char*, const char*> rfc[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : rfc) {
    const std::string p = plain;
    std::string out(cookieseal::format::base64url_length(p.size()), '\0');
    cookieseal::detail::base64url_encode(reinterpret_cast<const std::uint8_t*>(p.data()), p.size(),
                                         out.data());
    CHECK(out == encoded);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); ++n) {
    std::string text(cookieseal::format::base64url_length(n), '\0');
    cookieseal::detail::base64url_encode(reinterpret_cast<const std::uint8_t*>(all.data()), n, text.data());
    CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    std::string back(cookieseal::detail::base64url_decoded_length(text.size()), '\0');
    REQUIRE(cookieseal::detail::base64url_decode(text, reinterpret_cast<std::uint8_t*>(back.data())));
    CHECK(back == all.substr(0, n));
  }
}

TEST_CASE("base64url decoding rejects every byte outside the alphabet and non-canonical tails") {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint8_t out[3];
  for (int c = 0; c < 256; ++c) {
    const std::string text = std::string("AA") + static_cast<char>(c) + "A";
    const bool in_alphabet = alphabet.find(static_cast<char>(c)) != std::string::npos;
    CAPTURE(c);
    CHECK(cookieseal::detail::base64url_decode(text, out) == in_alphabet);
  }
  CHECK(cookieseal::detail::base64url_decode("Zg", out));
  CHECK_FALSE(cookieseal::detail::base64url_decode("Zh", out));  // unused bits set
  CHECK(cookieseal::detail::base64url_decode("Zm8", out));
  CHECK_FALSE(cookieseal::detail::base64url_decode("Zm9", out));    // unused bits set
  CHECK_FALSE(cookieseal::detail::base64url_decode("Zm9vY", out));  // 4k+1
  CHECK_FALSE(cookieseal::detail::base64url_decode("Zg==", out));
}
