// cookieseal - constant-time base64url (see base64url.hpp): AVX2, 64-bit SWAR, scalar
#include "encoding/base64url.hpp"

#include <bit>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define COOKIESEAL_B64_AVX2 1
#include <immintrin.h>  // _mm256_*: the AVX2 path, chosen at run time
#endif

// Three paths, all branch-free on the data and free of memory indexed by it (only lengths,
// which are public, steer loops; the AVX2 path is chosen once from CPUID, never from the bytes):
//  - AVX2 (x86-64 CPUs that have it): 24 bytes <-> 32 characters per step. Bits are moved
//    with constant shuffles and multiplies (W. Muła and D. Lemire, "Faster Base64 Encoding
//    and Decoding Using AVX2 Instructions", 2018). Encoding maps the alphabet with compares
//    and masks; decoding with their in-register nibble lookups (vpshufb: fixed latency, no
//    memory access, whatever the byte values).
//  - SWAR on 64-bit words (everywhere): 6 bytes <-> 8 characters per step, the same
//    compare-and-mask arithmetic done on eight bytes at once.
//  - Scalar, one character at a time, for the last few bytes.
// tests/base64url_test.cpp checks all three against a plain reference.

namespace cookieseal::detail {
namespace {

// --- scalar --------------------------------------------------------------------------------
// 6-bit value -> character by adding offsets selected with arithmetic masks:
// 0..25 'A'.., 26..51 'a'.., 52..61 '0'.., 62 '-', 63 '_'.
inline char encode6(std::uint32_t x) noexcept {
  std::uint32_t c = x + 'A';
  c += ((25u - x) >> 8) & 6u;   // x >= 26: 'a' - 26 = 'A' + 6
  c -= ((51u - x) >> 8) & 75u;  // x >= 52: '0' - 52
  c -= ((61u - x) >> 8) & 13u;  // x >= 62: '-' - 62
  c += ((62u - x) >> 8) & 49u;  // x == 63: '_' - 63
  return static_cast<char>(c);
}

// All ones when lo <= c <= hi, else zero (c, lo, hi < 2^31).
inline std::uint32_t in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  return ~static_cast<std::uint32_t>(static_cast<std::int32_t>((c - lo) | (hi - c)) >> 31);
}

// character -> 6-bit value; sets bits in `bad` for a character outside the alphabet.
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

// --- SWAR: eight bytes in a 64-bit word, byte k holding character k -------------------------
constexpr std::uint64_t ones = 0x0101010101010101u;
constexpr std::uint64_t high = 0x8080808080808080u;
constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;
constexpr std::uint64_t splat(std::uint8_t b) noexcept { return ones * b; }

constexpr std::uint64_t byteswap64(std::uint64_t v) noexcept {
  v = (v & 0x00ff00ff00ff00ffu) << 8 | (v >> 8 & 0x00ff00ff00ff00ffu);
  v = (v & 0x0000ffff0000ffffu) << 16 | (v >> 16 & 0x0000ffff0000ffffu);
  return v << 32 | v >> 32;
}
inline std::uint64_t load_le64(const void* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return std::endian::native == std::endian::little ? v : byteswap64(v);
}
inline void store_le64(void* p, std::uint64_t v) noexcept {
  if constexpr (std::endian::native != std::endian::little) v = byteswap64(v);
  std::memcpy(p, &v, 8);
}

// Per byte of x (each < 128): bit 7 set where the byte >= lo (1 <= lo <= 128) / <= hi (< 128).
// No sum crosses a byte, so the bytes stay independent.
constexpr std::uint64_t ge(std::uint64_t x, std::uint8_t lo) noexcept {
  return (x + splat(static_cast<std::uint8_t>(128 - lo))) & high;
}
constexpr std::uint64_t le(std::uint64_t x, std::uint8_t hi) noexcept {
  return (splat(static_cast<std::uint8_t>(128 + hi)) - x) & high;
}
// Per byte: k where bit 7 of m is set, else 0 (each byte of m >> 7 is 0 or 1: no carries).
constexpr std::uint64_t select(std::uint64_t m, std::uint8_t k) noexcept { return (m >> 7) * k; }
// Per-byte addition modulo 256 of x (bytes < 128) and y.
constexpr std::uint64_t add_bytes(std::uint64_t x, std::uint64_t y) noexcept {
  return (x + (y & low7)) ^ (y & high);
}

// 6 bytes at `in` (8 readable) -> 8 characters at `out`.
inline void encode_swar(const std::uint8_t* in, char* out) noexcept {
  const std::uint64_t w = byteswap64(load_le64(in)) >> 16;                // the 6 bytes, big-endian, 48 bits
  std::uint64_t x = (w >> 24) | (w & 0xffffffu) << 32;                    // 24 bits per 32-bit half
  x = (x >> 12 & 0x00000fff00000fffu) | (x & 0x00000fff00000fffu) << 16;  // 12 bits per 16
  x = (x >> 6 & 0x003f003f003f003fu) | (x & 0x003f003f003f003fu) << 8;    // 6 bits per byte
  // Offset from the 6-bit value to its character, chosen by nested masks (as encode6).
  std::uint64_t off = splat('A');
  off ^= select(ge(x, 26), 'A' ^ ('a' - 26));
  off ^= select(ge(x, 52), ('a' - 26) ^ static_cast<std::uint8_t>('0' - 52));
  off ^= select(ge(x, 62), static_cast<std::uint8_t>('0' - 52) ^ static_cast<std::uint8_t>('-' - 62));
  off ^= select(ge(x, 63), static_cast<std::uint8_t>('-' - 62) ^ ('_' - 63));
  store_le64(out, add_bytes(x, off));
}

// 8 characters at `in` -> 6 bytes at `out`; ORs bit 7 into `bad` for any character outside
// the alphabet.
inline void decode_swar(const unsigned char* in, std::uint8_t* out, std::uint64_t& bad) noexcept {
  const std::uint64_t c = load_le64(in);
  const std::uint64_t x = c & low7;
  const std::uint64_t upper = ge(x, 'A') & le(x, 'Z');
  const std::uint64_t lower = ge(x, 'a') & le(x, 'z');
  const std::uint64_t digit = ge(x, '0') & le(x, '9');
  const std::uint64_t dash = ge(x, '-') & le(x, '-');
  const std::uint64_t under = ge(x, '_') & le(x, '_');
  bad |= ~(upper | lower | digit | dash | under) & high;
  bad |= c & high;  // 0x80..0xff
  const std::uint64_t off =
      select(upper, static_cast<std::uint8_t>(-'A')) | select(lower, static_cast<std::uint8_t>(26 - 'a')) |
      select(digit, static_cast<std::uint8_t>(52 - '0')) | select(dash, static_cast<std::uint8_t>(62 - '-')) |
      select(under, static_cast<std::uint8_t>(63 - '_'));
  std::uint64_t v = add_bytes(x, off) & splat(63);
  v = (v & 0x003f003f003f003fu) << 6 | (v >> 8 & 0x003f003f003f003fu);    // 12 bits per 16
  v = (v & 0x00000fff00000fffu) << 12 | (v >> 16 & 0x00000fff00000fffu);  // 24 bits per 32
  const std::uint64_t w = (v & 0xffffffu) << 24 | (v >> 32 & 0xffffffu);  // 48 bits, big-endian
  std::uint8_t tmp[8];
  store_le64(tmp, byteswap64(w << 16));
  std::memcpy(out, tmp, 6);
}

// --- AVX2 ------------------------------------------------------------------------------------
#ifdef COOKIESEAL_B64_AVX2
bool cpu_has_avx2() noexcept {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

// Encodes 24-byte blocks while 28 bytes are readable; returns the bytes consumed.
__attribute__((target("avx2"))) std::size_t encode_avx2(const std::uint8_t* in, std::size_t n,
                                                        char* out) noexcept {
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  std::size_t i = 0;
  for (; i + 28 <= n; i += 24, out += 32) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i + 12));
    __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    v = _mm256_shuffle_epi8(v, spread);  // each dword: bytes b1 b0 b2 b1 of one 3-byte group
    const __m256i t0 =
        _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)), _mm256_set1_epi32(0x04000040));
    const __m256i t1 =
        _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)), _mm256_set1_epi32(0x01000010));
    const __m256i x = _mm256_or_si256(t0, t1);  // one 6-bit value per byte, in order
    __m256i c = _mm256_add_epi8(x, _mm256_set1_epi8('A'));
    c = _mm256_add_epi8(c, _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8(25)), _mm256_set1_epi8(6)));
    c = _mm256_sub_epi8(c,
                        _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8(51)), _mm256_set1_epi8(75)));
    c = _mm256_sub_epi8(c,
                        _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8(61)), _mm256_set1_epi8(13)));
    c = _mm256_add_epi8(c,
                        _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8(62)), _mm256_set1_epi8(49)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c);
  }
  return i;
}

// Decodes 32-character blocks while 32 bytes of output fit; returns the characters consumed.
// `valid` is cleared if any character is outside the alphabet.
//
// Validation and translation by nibble lookups (after Muła and Lemire): vpshufb picks bytes of
// a constant held in a register, by the low 4 bits of each index, in one cycle whatever the
// indices. No memory is indexed by the text, so timing does not depend on it (the same property
// vector-permute AES relies on).
//   invalid(c) = lut_lo[c & 15] & lut_hi[c >> 4] != 0, one bit per high nibble:
//     hi 2: only lo D ('-')   hi 3: lo 0..9   hi 4: not lo 0 ('@')   hi 5: lo 0..A and F ('_')
//     hi 6: not lo 0 ('`')    hi 7: lo 0..A   hi 0, 1, 8..F: nothing (bit 0x40 in every lo)
//   value(c) = c + shift[c >> 4], and +33 more for '_' (the one 0x5_ byte not shifted by -65).
__attribute__((target("avx2"))) std::size_t decode_avx2(const unsigned char* in, std::size_t n,
                                                        std::uint8_t* out, std::size_t out_bytes,
                                                        bool& valid) noexcept {
  const __m256i lut_lo = _mm256_setr_epi8(0x55, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,  //
                                          0x41, 0x41, 0x43, 0x6b, 0x6b, 0x6a, 0x6b, 0x63,  //
                                          0x55, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,  //
                                          0x41, 0x41, 0x43, 0x6b, 0x6b, 0x6a, 0x6b, 0x63);
  const __m256i lut_hi = _mm256_setr_epi8(0x40, 0x40, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20,  //
                                          0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,  //
                                          0x40, 0x40, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20,  //
                                          0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40);
  const __m256i shift = _mm256_setr_epi8(0, 0, 62 - '-', 52 - '0', -'A', -'A', 26 - 'a', 26 - 'a',  //
                                         0, 0, 0, 0, 0, 0, 0, 0,                                    //
                                         0, 0, 62 - '-', 52 - '0', -'A', -'A', 26 - 'a', 26 - 'a',  //
                                         0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i underscore = _mm256_set1_epi8('_');
  const __m256i underscore_fix = _mm256_set1_epi8(static_cast<char>((63 - '_') - (-'A')));
  __m256i bad = _mm256_setzero_si256();
  std::size_t i = 0;
  for (std::size_t o = 0; i + 32 <= n && o + 32 <= out_bytes; i += 32, o += 24) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), nibble);
    const __m256i lo = _mm256_and_si256(c, nibble);
    bad = _mm256_or_si256(bad,
                          _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi)));
    __m256i v = _mm256_add_epi8(c, _mm256_shuffle_epi8(shift, hi));
    v = _mm256_add_epi8(v, _mm256_and_si256(_mm256_cmpeq_epi8(c, underscore), underscore_fix));
    // Pack: 4 x 6 bits -> 24 bits per dword, then 12 bytes per lane, then 24 contiguous bytes.
    const __m256i ab = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
    const __m256i abcd = _mm256_madd_epi16(ab, _mm256_set1_epi32(0x00011000));
    const __m256i packed =
        _mm256_shuffle_epi8(abcd, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                                   2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
    const __m256i joined = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + o), joined);
  }
  valid = _mm256_testz_si256(bad, bad) != 0;
  return i;
}
#endif

// Encodes in[i..n) (i a multiple of 3, out the start of the text) without AVX2.
void encode_from(const std::uint8_t* in, std::size_t n, char* out, std::size_t i) noexcept {
  for (; i + 8 <= n; i += 6) encode_swar(in + i, out + i / 3 * 4);
  out += i / 3 * 4;
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

// Decodes in[i..n) (i a multiple of 4, out the start of the output, n % 4 != 1) without
// AVX2; `bad` carries what earlier blocks found. True when everything was canonical.
bool decode_from(std::string_view in, std::uint8_t* out, std::size_t i, std::uint32_t bad) noexcept {
  const std::size_t n = in.size();
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  std::uint64_t bad_swar = 0;
  for (; i + 8 <= n; i += 8) decode_swar(s + i, out + i / 4 * 3, bad_swar);
  bad |= static_cast<std::uint32_t>(bad_swar >> 32 | bad_swar);
  out += i / 4 * 3;
  for (; i + 4 <= n; i += 4, out += 3) {
    const std::uint32_t w = decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12 |
                            decode6(s[i + 2], bad) << 6 | decode6(s[i + 3], bad);
    out[0] = static_cast<std::uint8_t>(w >> 16);
    out[1] = static_cast<std::uint8_t>(w >> 8);
    out[2] = static_cast<std::uint8_t>(w);
  }
  if (n - i == 2) {
    const std::uint32_t w = decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12;
    bad |= w & 0xffffu;  // canonical: the 4 unused bits are zero
    out[0] = static_cast<std::uint8_t>(w >> 16);
  } else if (n - i == 3) {
    const std::uint32_t w =
        decode6(s[i], bad) << 18 | decode6(s[i + 1], bad) << 12 | decode6(s[i + 2], bad) << 6;
    bad |= w & 0xffu;  // canonical: the 2 unused bits are zero
    out[0] = static_cast<std::uint8_t>(w >> 16);
    out[1] = static_cast<std::uint8_t>(w >> 8);
  }
  return bad == 0;
}

}  // namespace

void base64url_encode(const std::uint8_t* in, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
#ifdef COOKIESEAL_B64_AVX2
  if (cpu_has_avx2()) i = encode_avx2(in, n, out);
#endif
  encode_from(in, n, out, i);
}

bool base64url_decode(std::string_view in, std::uint8_t* out) noexcept {
  if (in.size() % 4 == 1) return false;
  std::size_t i = 0;
  std::uint32_t bad = 0;
#ifdef COOKIESEAL_B64_AVX2
  if (cpu_has_avx2()) {
    bool valid = true;
    i = decode_avx2(reinterpret_cast<const unsigned char*>(in.data()), in.size(), out,
                    base64url_decoded_length(in.size()), valid);
    bad = valid ? 0u : 1u;  // carried along; nothing below looks at it before the end
  }
#endif
  return decode_from(in, out, i, bad);
}

void base64url_encode_portable(const std::uint8_t* in, std::size_t n, char* out) noexcept {
  encode_from(in, n, out, 0);
}

bool base64url_decode_portable(std::string_view in, std::uint8_t* out) noexcept {
  if (in.size() % 4 == 1) return false;
  return decode_from(in, out, 0, 0);
}

}  // namespace cookieseal::detail
