// Tests for src/encoding/base64url.hpp: the fast paths (AVX2 where the CPU has it, 64-bit
// SWAR everywhere) against the plain table-driven reference of tests/support, for every length and every bad
// byte
#include "encoding/base64url.hpp"

#include <cookieseal/format.hpp>

#include "bytes.hpp"  // the reference base64url

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

const std::string alphabet(test_support::base64url_alphabet);

std::string reference_encode(const std::vector<std::uint8_t>& in) {
  return test_support::reference_base64url_encode(in);
}
bool reference_decode(const std::string& text, std::vector<std::uint8_t>& out) {
  return test_support::reference_base64url_decode(text, out);
}

struct Path {
  const char* name;
  void (*encode)(const std::uint8_t*, std::size_t, char*) noexcept;
  bool (*decode)(std::string_view, std::uint8_t*) noexcept;
};
const Path paths[] = {
    {"dispatching (AVX2 when available)", cookieseal::detail::base64url_encode,
     cookieseal::detail::base64url_decode},
    {"portable (SWAR + scalar)", cookieseal::detail::base64url_encode_portable,
     cookieseal::detail::base64url_decode_portable},
};

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

}  // namespace

TEST_CASE("both paths encode and decode like the reference for every length 0..600") {
  std::mt19937_64 rng(20260101);
  for (const Path& path : paths) {
    CAPTURE(path.name);
    for (std::size_t n = 0; n <= 600; ++n) {
      CAPTURE(n);
      for (int round = 0; round < 3; ++round) {
        // Exact-size buffers (padded views would hide an overrun from ASan), with guard bytes.
        const std::vector<std::uint8_t> in = random_bytes(rng, n);
        const std::string expected = reference_encode(in);
        REQUIRE(expected.size() == cookieseal::format::base64url_length(n));
        std::string text(expected.size() + 8, '#');
        path.encode(in.data(), n, text.data());
        CHECK(text.substr(expected.size()) == std::string(8, '#'));
        text.resize(expected.size());
        REQUIRE(text == expected);
        std::vector<std::uint8_t> back(cookieseal::detail::base64url_decoded_length(text.size()) + 8, 0xee);
        REQUIRE(path.decode(text, back.data()));
        CHECK(std::vector<std::uint8_t>(back.begin() + static_cast<std::ptrdiff_t>(n), back.end()) ==
              std::vector<std::uint8_t>(8, 0xee));
        back.resize(n);
        CHECK(back == in);
      }
    }
  }
}

TEST_CASE("both paths reject every byte outside the alphabet at every position mod 32") {
  std::mt19937_64 rng(42);
  for (const Path& path : paths) {
    CAPTURE(path.name);
    // 96 and 99 characters: whole AVX2 blocks, SWAR blocks and a scalar tail are all covered.
    for (std::size_t length : {96u, 99u, 40u, 7u}) {
      const std::vector<std::uint8_t> raw =
          random_bytes(rng, length / 4 * 3 + (length % 4 == 0 ? 0 : length % 4 - 1));
      const std::string good = reference_encode(raw);
      REQUIRE(good.size() == length);
      std::vector<std::uint8_t> out(raw.size() + 1);
      REQUIRE(path.decode(good, out.data()));
      for (std::size_t pos = 0; pos < length; ++pos) {
        for (int c = 0; c < 256; ++c) {
          if (alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
          std::string bad = good;
          bad[pos] = static_cast<char>(c);
          if (path.decode(bad, out.data())) {
            FAIL_CHECK("accepted byte " << c << " at position " << pos << " of " << length);
          }
        }
      }
    }
  }
}

TEST_CASE("both paths reject every residue mod 32 exhaustively for one long text") {
  // Every position 0..63 (two AVX2 blocks) with every invalid byte.
  std::mt19937_64 rng(7);
  const std::vector<std::uint8_t> raw = random_bytes(rng, 66);  // 88 characters
  const std::string good = reference_encode(raw);
  std::vector<std::uint8_t> out(raw.size());
  for (const Path& path : paths) {
    CAPTURE(path.name);
    std::size_t accepted = 0;
    for (std::size_t pos = 0; pos < good.size(); ++pos) {
      for (int c = 0; c < 256; ++c) {
        if (alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
        std::string bad = good;
        bad[pos] = static_cast<char>(c);
        accepted += path.decode(bad, out.data()) ? 1 : 0;
      }
    }
    CHECK(accepted == 0);
  }
}

TEST_CASE("both paths accept exactly the canonical tails, as the reference does") {
  std::mt19937_64 rng(1);
  for (const Path& path : paths) {
    CAPTURE(path.name);
    for (std::size_t prefix : {0u, 32u, 64u, 100u}) {
      const std::string head = reference_encode(random_bytes(rng, prefix / 4 * 3)).substr(0, prefix / 4 * 4);
      for (std::size_t tail = 0; tail < 4; ++tail) {
        // every combination of the last `tail` characters would be 64^3; try the last one fully
        for (char last : alphabet) {
          std::string text =
              head + std::string(tail == 0 ? 0 : tail - 1, 'Q') + (tail == 0 ? "" : std::string(1, last));
          std::vector<std::uint8_t> ref;
          std::vector<std::uint8_t> out(text.size());
          CAPTURE(text);
          CHECK(path.decode(text, out.data()) == reference_decode(text, ref));
        }
      }
    }
  }
}

TEST_CASE("random texts decode exactly when the reference accepts them") {
  std::mt19937_64 rng(99);
  const std::string chars = alphabet + "=+/ \n\x80\xff";
  for (const Path& path : paths) {
    CAPTURE(path.name);
    for (int round = 0; round < 2000; ++round) {
      std::string text(rng() % 200, 'A');
      for (char& c : text) c = rng() % 40 == 0 ? chars[rng() % chars.size()] : alphabet[rng() % 64];
      std::vector<std::uint8_t> ref;
      std::vector<std::uint8_t> out(text.size());
      const bool want = reference_decode(text, ref);
      CAPTURE(text);
      REQUIRE(path.decode(text, out.data()) == want);
      if (want)
        CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(ref.size())) ==
              ref);
    }
  }
}
