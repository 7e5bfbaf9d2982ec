// Tests for docs/FORMAT.md: every test vector, read from the document, byte for byte; every
// negative vector gives its documented Error; the payload's cereal bytes
#include <cookieseal/codec.hpp>
#include <cookieseal/format.hpp>

#include "bytes.hpp"
#include "encoding/base64url.hpp"
#include "fixed_nonce.hpp"
#include "format_vectors.hpp"
#include "payload_bytes.hpp"
#include "test_support.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

using test_support::FormatEmpty;
using test_support::FormatUser;
using test_support::from_hex;

namespace {

const test_support::FormatVectors& doc() {
  static const test_support::FormatVectors v = test_support::read_format_md();
  return v;
}

template <class T>
std::string ours(const T& v) {
  return test_support::payload_bytes(v);
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

cookieseal::Codec codec_for(const std::vector<std::string>& keys, std::int64_t now, std::int64_t leeway = 60,
                            std::size_t max_value_bytes = 4096) {
  std::vector<cookieseal::Key> ring;
  for (const auto& k : keys) ring.push_back(cookieseal::Key::parse(k));
  cookieseal::Options o;
  o.clock = [now] { return std::chrono::sys_seconds(std::chrono::seconds(now)); };
  o.leeway = std::chrono::seconds(leeway);
  o.max_value_bytes = max_value_bytes;
  return cookieseal::Codec(cookieseal::Keyring(std::move(ring)), o);
}

/// What the codec says of a negative vector: its Error, or nullopt with needs_reseal.
struct Outcome {
  std::optional<cookieseal::Error> error;
  bool needs_reseal = false;
};
template <class T>
Outcome outcome(const cookieseal::Result<cookieseal::Decoded<T>>& r) {
  if (!r) return {r.error(), false};
  return {std::nullopt, r->needs_reseal};
}
Outcome open_negative(const test_support::NegativeVector& n) {
  const auto codec = codec_for(n.keyring, n.now, n.leeway, n.max_value_bytes);
  switch (n.type) {
    case test_support::PayloadType::string: return outcome(codec.decode<std::string>(n.name, n.text));
    case test_support::PayloadType::empty_struct: return outcome(codec.decode<FormatEmpty>(n.name, n.text));
    case test_support::PayloadType::u64: return outcome(codec.decode<std::uint64_t>(n.name, n.text));
    case test_support::PayloadType::user: return outcome(codec.decode<FormatUser>(n.name, n.text));
  }
  return {};
}

std::string format_md_text() {
  std::ifstream in(COOKIESEAL_SOURCE_ROOT "/docs/FORMAT.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("docs/FORMAT.md's test vectors are all read: every vector paragraph, every negative row") {
  for (const auto& p : doc().problems) FAIL_CHECK("FORMAT.md: " << p);
  CHECK(doc().problems.empty());
  // Counted on the raw lines: "**Vector N" paragraphs, and the rows under "| Input | Result |".
  std::istringstream lines(format_md_text());
  std::size_t paragraphs = 0;
  std::size_t rows = 0;
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("**Vector ")) ++paragraphs;
    if (line.starts_with("| Input | Result |")) in_table = true;
    else if (in_table && !line.starts_with("|")) in_table = false;
    else if (in_table && !line.starts_with("|---")) ++rows;
  }
  CHECK(paragraphs >= 6);
  CHECK(doc().sealed.size() == paragraphs);
  CHECK(rows >= 22);
  CHECK(doc().negative.size() == rows);
  // Each text written out under the table is the text of a row that says "(below)".
  CHECK(doc().changed_texts.size() >= 3);
  for (const auto& text : doc().changed_texts) {
    CAPTURE(text);
    CHECK(std::any_of(doc().negative.begin(), doc().negative.end(),
                      [&](const auto& n) { return n.listed_below && n.text == text; }));
  }
}

TEST_CASE("every FORMAT.md vector is reproduced byte for byte with its fixed nonce") {
  REQUIRE_FALSE(doc().sealed.empty());
  for (const auto& v : doc().sealed) {
    CAPTURE(v.number);
    const auto key = cookieseal::Key::parse(v.key_text);
    CHECK(test_support::seal_with_fixed_nonce(key, v.name, v.expires_at, v.nonce, v.plaintext) == v.text);
  }
}

TEST_CASE("every FORMAT.md vector opens with the public API as the value its paragraph describes") {
  for (const auto& v : doc().sealed) {
    CAPTURE(v.number);
    const auto info = cookieseal::inspect(v.text);
    REQUIRE(info.ok());
    CHECK(info->key_id.hex() == cookieseal::Key::parse(v.key_text).id().hex());
    CHECK(info->expires_at.time_since_epoch() == std::chrono::seconds(v.expires_at));
    CHECK(info->plaintext_bytes == v.plaintext.size());
  }
  const auto& s = doc().sealed;
  REQUIRE(s.size() >= 4);
  const auto hello = codec_for({s[0].key_text}, 1767225600).decode<std::string>(s[0].name, s[0].text);
  REQUIRE(hello.ok());
  CHECK(hello->value == "hello");
  CHECK(hello->expires_at.time_since_epoch() == std::chrono::seconds(1767225600));
  CHECK(codec_for({s[1].key_text}, 0).decode<FormatEmpty>(s[1].name, s[1].text).ok());
  const auto user = codec_for({s[2].key_text}, 0).decode<FormatUser>(s[2].name, s[2].text);
  REQUIRE(user.ok());
  CHECK(user->value.id == 42);
  CHECK(user->value.name == "ada");
  CHECK(user->value.admin);
  const auto big_endian = codec_for({s[3].key_text}, 0).decode<std::string>(s[3].name, s[3].text);
  REQUIRE(big_endian.ok());
  CHECK(big_endian->value == "hello");
}

TEST_CASE("every FORMAT.md negative vector gives its documented result") {
  REQUIRE_FALSE(doc().negative.empty());
  for (const auto& n : doc().negative) {
    CAPTURE(n.input);
    const Outcome got = open_negative(n);
    if (n.error)
      CHECK(cookieseal::to_string(got.error.value_or(cookieseal::Error{})) ==
            cookieseal::to_string(*n.error));
    else CHECK_MESSAGE(!got.error, "opened: " << cookieseal::to_string(*got.error));
    CHECK(got.needs_reseal == n.needs_reseal);
    if (n.listed_below) {
      const auto& listed = doc().changed_texts;
      CHECK(std::find(listed.begin(), listed.end(), n.text) != listed.end());
    }
  }
}

TEST_CASE("a FORMAT.md negative row the reader does not understand is reported, not skipped") {
  const std::string md = format_md_text();
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string changed = md;
    const auto at = changed.find(from);
    REQUIRE(at != std::string::npos);
    return test_support::read_format_vectors(changed.replace(at, from.size(), to)).problems;
  };
  CHECK(test_support::read_format_vectors(md).problems.empty());
  const auto unknown_change = with("`V1` presented as name `Session`", "`V1` read aloud");
  REQUIRE(unknown_change.size() == 1);
  CHECK(unknown_change[0].find("read aloud") != std::string::npos);
  const auto unknown_result = with("+ 61 | `expired` |", "+ 61 | `exploded` |");
  REQUIRE(unknown_result.size() == 1);
  CHECK(unknown_result[0].find("exploded") != std::string::npos);
  CHECK_FALSE(with("### Negative vectors", "### Other vectors").empty());
}

TEST_CASE("the payload bytes equal cereal's PortableBinaryOutputArchive bytes") {
  const FormatUser u{42, "ada", true};
  CHECK(ours(u) == cereals(u));
  REQUIRE(doc().sealed.size() >= 3);
  CHECK(ours(FormatUser{42, "ada", true}) == doc().sealed[2].plaintext);
  const std::map<std::string, std::vector<double>> m{{"x", {1.5, -2.0}}, {"", {}}};
  CHECK(ours(m) == cereals(m));
  CHECK(ours(std::string("hello")) == cereals(std::string("hello")));
  CHECK(ours(FormatEmpty{}) == cereals(FormatEmpty{}));
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
