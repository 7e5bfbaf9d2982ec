// cookieseal fuzz - shared helpers: the entry point's signature, checks that abort, input fields
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

/// A property of the library that the fuzz input broke: print it and abort, so libFuzzer
/// saves the input as a crash and the replayer fails its test. (assert() is gone in release.)
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits one fuzz input into fields, in the style of LLVM's FuzzedDataProvider strings: a
/// field ends at a backslash followed by any byte but a backslash (both consumed), and "\\\\"
/// is one backslash. So every byte value can occur in a field, and a seed is easy to write
/// by hand: "__Host-s\\|AQID\\|/\\|" is the fields "__Host-s", "AQID", "/".
class Fields {
 public:
  explicit Fields(std::string_view input) noexcept : rest_(input) {}

  /// The next field (possibly empty; empty once the input is used up).
  std::string text() {
    std::string out;
    while (!rest_.empty()) {
      const char c = rest_.front();
      rest_.remove_prefix(1);
      if (c == '\\' && !rest_.empty()) {
        const char next = rest_.front();
        rest_.remove_prefix(1);
        if (next != '\\') break;
      }
      out.push_back(c);
    }
    return out;
  }

  /// The next byte, or 0 at the end.
  std::uint8_t byte() noexcept {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  /// The next 8 bytes as a little-endian integer (missing bytes are 0).
  std::uint64_t u64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{byte()} << (8 * i);
    return v;
  }

  /// Whatever is left, unsplit.
  std::string_view rest() noexcept {
    const std::string_view r = rest_;
    rest_ = {};
    return r;
  }

  [[nodiscard]] bool empty() const noexcept { return rest_.empty(); }

 private:
  std::string_view rest_;
};

/// True when every byte is printable ASCII (0x20-0x7E): an error message stays one log line.
inline bool printable(std::string_view s) noexcept {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace fuzz
