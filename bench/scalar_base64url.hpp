// cookieseal bench - the first base64url (scalar, one character at a time, constant-time),
// kept verbatim so every run measures the current code against it
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bench_scalar {

inline char encode6(std::uint32_t x) noexcept {
  std::uint32_t c = x + 'A';
  c += ((25u - x) >> 8) & 6u;
  c -= ((51u - x) >> 8) & 75u;
  c -= ((61u - x) >> 8) & 13u;
  c += ((62u - x) >> 8) & 49u;
  return static_cast<char>(c);
}

inline std::uint32_t in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  return ~static_cast<std::uint32_t>(static_cast<std::int32_t>((c - lo) | (hi - c)) >> 31);
}

inline std::uint32_t decode6(unsigned char ch, std::uint32_t& bad) noexcept {
  const std::uint32_t c = ch;
  const std::uint32_t upper = in_range(c, 'A', 'Z');
  const std::uint32_t lower = in_range(c, 'a', 'z');
  const std::uint32_t digit = in_range(c, '0', '9');
  const std::uint32_t dash = in_range(c, '-', '-');
  const std::uint32_t under = in_range(c, '_', '_');
  bad |= ~(upper | lower | digit | dash | under);
  return ((upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) | (dash & 62u) |
          (under & 63u)) &
         63u;
}

inline void encode(const std::uint8_t* in, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3, out += 4) {
    const std::uint32_t w = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8 | in[i + 2];
    out[0] = encode6(w >> 18);
    out[1] = encode6((w >> 12) & 63u);
    out[2] = encode6((w >> 6) & 63u);
    out[3] = encode6(w & 63u);
  }
  if (n - i == 1) {
    const std::uint32_t w = std::uint32_t{in[i]} << 16;
    out[0] = encode6(w >> 18);
    out[1] = encode6((w >> 12) & 63u);
  } else if (n - i == 2) {
    const std::uint32_t w = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8;
    out[0] = encode6(w >> 18);
    out[1] = encode6((w >> 12) & 63u);
    out[2] = encode6((w >> 6) & 63u);
  }
}

inline bool decode(std::string_view in, std::uint8_t* out) noexcept {
  const std::size_t n = in.size();
  if (n % 4 == 1) return false;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  std::uint32_t bad = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4, out += 3) {
    const std::uint32_t w = decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12 |
                            decode6(s[i + 2], bad) << 6 | decode6(s[i + 3], bad);
    out[0] = static_cast<std::uint8_t>(w >> 16);
    out[1] = static_cast<std::uint8_t>(w >> 8);
    out[2] = static_cast<std::uint8_t>(w);
  }
  if (n - i == 2) {
    const std::uint32_t w = decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12;
    bad |= w & 0xffffu;
    out[0] = static_cast<std::uint8_t>(w >> 16);
  } else if (n - i == 3) {
    const std::uint32_t w =
        decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12 | decode6(s[i + 2], bad) << 6;
    bad |= w & 0xffu;
    out[0] = static_cast<std::uint8_t>(w >> 16);
    out[1] = static_cast<std::uint8_t>(w >> 8);
  }
  return bad == 0;
}

}  // namespace bench_scalar
