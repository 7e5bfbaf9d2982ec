// cookieseal - Key: guarded secret memory, parsing, key id
#include <cookieseal/key.hpp>

#include "crypto/key_strength.hpp"
#include "crypto/sodium.hpp"
#include "encoding/base64url.hpp"
#include "encoding/text.hpp"

#include <algorithm>
#include <new>
#include <ostream>
#include <string>

namespace cookieseal {
namespace detail {

void ensure_sodium() {
  static const int rc = sodium_init();  // 0 first time, 1 when already done, -1 on failure
  if (rc < 0) throw ConfigError("cookieseal: libsodium failed to initialise");
}

}  // namespace detail

namespace {
constexpr char key_id_message[] = "cookieseal-key-id";  // 17 bytes, no terminator hashed
constexpr std::size_t base64url_key_chars = format::base64url_length(format::key_bytes);  // 43
constexpr std::size_t hex_key_chars = 2 * format::key_bytes;                              // 64
}  // namespace

std::string KeyId::hex() const { return detail::to_hex(bytes); }

std::ostream& operator<<(std::ostream& os, const KeyId& id) { return os << id.hex(); }

Key::Key() {
  detail::ensure_sodium();
  bytes_ = static_cast<std::uint8_t*>(sodium_malloc(format::key_bytes));
  if (bytes_ == nullptr) throw std::bad_alloc();
}

Key::Key(Key&& other) noexcept : bytes_(other.bytes_), id_(other.id_) { other.bytes_ = nullptr; }

Key& Key::operator=(Key&& other) noexcept {
  if (this != &other) {
    if (bytes_ != nullptr) sodium_free(bytes_);
    bytes_ = other.bytes_;
    id_ = other.id_;
    other.bytes_ = nullptr;
  }
  return *this;
}

Key::~Key() {
  if (bytes_ != nullptr) sodium_free(bytes_);  // unprotects and wipes before freeing
}

namespace {

// A key is 32 bytes from a CSPRNG; these catch what is not: a placeholder, a pattern, a
// password. A random key has 30.1 distinct byte values on average; fewer than
// min_distinct_key_bytes happens by chance with probability 6.4e-26 (< 2^-83), and all 32
// bytes in 0x20..0x7e with (95/256)^32 = 1.7e-14 (< 2^-45). (tests/key_test.cpp computes both
// and shows the FORMAT.md vector keys pass.)

// The key's base64url text is all letters of one case: a passphrase typed as a key (for a
// random key, probability 2 x (26/64)^43 < 2^-54).
bool one_case_letters(const std::uint8_t* p) noexcept {
  char text[base64url_key_chars];
  detail::base64url_encode(p, format::key_bytes, text);
  const bool lower =
      std::all_of(std::begin(text), std::end(text), [](char c) { return c >= 'a' && c <= 'z'; });
  const bool upper =
      std::all_of(std::begin(text), std::end(text), [](char c) { return c >= 'A' && c <= 'Z'; });
  sodium_memzero(text, sizeof text);
  return lower || upper;
}

std::size_t distinct_bytes(const std::uint8_t* p) noexcept {
  bool seen[256] = {};
  std::size_t n = 0;
  for (std::size_t i = 0; i < format::key_bytes; ++i) {
    n += seen[p[i]] ? 0 : 1;
    seen[p[i]] = true;
  }
  return n;
}

}  // namespace

namespace detail {

const char* key_weakness(std::span<const std::uint8_t, format::key_bytes> key) noexcept {
  if (sodium_is_zero(key.data(), key.size())) {
    return "all 32 key bytes are zero (a placeholder, not a secret); make a key with `cookieseal keygen`";
  }
  if (distinct_bytes(key.data()) < min_distinct_key_bytes) {
    return "fewer than 12 distinct byte values among the 32 (a pattern, not a random key; a random "
           "key has about 30); make a key with `cookieseal keygen`";
  }
  if (std::all_of(key.begin(), key.end(), [](std::uint8_t b) { return b >= 0x20 && b <= 0x7e; })) {
    return "all 32 key bytes are printable ASCII (a password or text, not a random key); make a key "
           "with `cookieseal keygen`";
  }
  if (one_case_letters(key.data())) {
    return "the key's base64url text is all letters of one case (a passphrase, not a random key); "
           "make a key with `cookieseal keygen`";
  }
  return nullptr;
}

}  // namespace detail

void Key::finish() {
  if (const char* weakness = detail::key_weakness(secret())) throw ConfigError(weakness);
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(key_id_message),
                     sizeof key_id_message - 1, bytes_, format::key_bytes);
  for (std::size_t i = 0; i < format::key_id_bytes; ++i) id_.bytes[i] = digest[i];
  sodium_memzero(digest, sizeof digest);
  sodium_mprotect_readonly(bytes_);  // a stray write now faults instead of corrupting the key
}

Key Key::generate() {
  Key key;
  do {  // a random key is refused with probability < 2^-45: draw again then
    crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes_);
  } while (detail::key_weakness(key.secret()) != nullptr);
  key.finish();
  return key;
}

Key Key::from_bytes(std::span<const std::uint8_t, format::key_bytes> bytes) {
  Key key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_);
  key.finish();
  return key;
}

Key Key::parse(std::string_view text, std::string_view what) {
  const auto fail = [&](const std::string& why) -> ConfigError {
    return ConfigError{std::string(what) + ": " + why};
  };
  text = detail::trim(text);
  Key key;
  if (text.size() == hex_key_chars) {
    std::size_t bin_len = 0;
    const char* end = nullptr;
    // sodium_hex2bin is constant-time in the digits; both cases accepted.
    if (sodium_hex2bin(key.bytes_, format::key_bytes, text.data(), text.size(), nullptr, &bin_len, &end) !=
            0 ||
        bin_len != format::key_bytes || end != text.data() + text.size()) {
      throw fail("not valid hex (64 digits 0-9, a-f or A-F expected)");
    }
  } else if (text.size() == base64url_key_chars) {
    if (!detail::base64url_decode(text, key.bytes_)) {
      throw fail(
          "not valid base64url (43 characters from A-Z a-z 0-9 - _ expected, no padding, "
          "last character canonical)");
    }
  } else {
    throw fail("expected 43 base64url characters or 64 hex digits, got " + std::to_string(text.size()) +
               " characters");
  }
  try {
    key.finish();
  } catch (const ConfigError& e) {
    throw fail(e.what());
  }
  return key;
}

Key Key::clone() const { return from_bytes(secret()); }

std::string Key::to_base64url() const {
  std::string out(base64url_key_chars, '\0');
  detail::base64url_encode(bytes_, format::key_bytes, out.data());
  return out;
}

std::string Key::to_hex() const {
  std::string out(hex_key_chars + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_, format::key_bytes);  // constant-time
  out.pop_back();
  return out;
}

bool Key::same_secret(const Key& other) const noexcept {
  return sodium_memcmp(bytes_, other.bytes_, format::key_bytes) == 0;
}

std::ostream& operator<<(std::ostream& os, const Key& key) { return os << "Key(id=" << key.id() << ')'; }

}  // namespace cookieseal
