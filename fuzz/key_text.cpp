// cookieseal fuzz - key and keyring text: Key::parse, Keyring::parse, Keyring::parse_file_text
//
// Input: byte 0 picks the parser (0: one key, 1: comma-separated keys as in COOKIESEAL_KEYS,
// 2: a keys file); the rest is the text. Checks: the only exception is ConfigError; its
// message is one printable line that never contains key text; a parsed key prints back to a
// text that parses to the same secret; a keyring holds one key per entry and finds each by id.

#include "fuzz_support.hpp"

#include <cookieseal/error.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

bool key_alphabet(std::string_view s) {
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// Every entry that could be (or nearly be) a secret: 43 or 64 characters of the key alphabets.
std::vector<std::string_view> secret_like(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t at = text.find(separator);
    const std::string_view entry = trim(text.substr(0, at));
    if ((entry.size() == 43 || entry.size() == 64) && key_alphabet(entry)) out.push_back(entry);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

void check_message(const cookieseal::ConfigError& e, std::string_view text, char separator) {
  const std::string_view message = e.what();
  FUZZ_CHECK(!message.empty());
  FUZZ_CHECK(fuzz::printable(message));
  for (const std::string_view secret : secret_like(text, separator)) {
    FUZZ_CHECK(message.find(secret) == std::string_view::npos);
  }
}

void check_key(const cookieseal::Key& key, std::string_view text) {
  const cookieseal::Key again = cookieseal::Key::parse(key.to_base64url());
  FUZZ_CHECK(again.same_secret(key) && again.id() == key.id());
  const cookieseal::Key from_hex = cookieseal::Key::parse(key.to_hex());
  FUZZ_CHECK(from_hex.same_secret(key));
  const std::string_view t = trim(text);
  if (t.size() == 43) FUZZ_CHECK(key.to_base64url() == t);  // base64url text is canonical
  if (t.size() == 64) {
    std::string lower(t);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(key.to_hex() == lower);
  }
}

void check_ring(const cookieseal::Keyring& ring, std::size_t entries) {
  FUZZ_CHECK(ring.size() == entries && entries > 0);
  for (std::size_t i = 0; i < ring.size(); ++i) {
    FUZZ_CHECK(ring.find(ring.keys()[i].id()) == &ring.keys()[i]);
    FUZZ_CHECK(ring.position(ring.keys()[i].id()) == static_cast<int>(i));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: try { check_key(cookieseal::Key::parse(text, "TEST_KEY"), text);
      } catch (const cookieseal::ConfigError& e) {
        check_message(e, text, '\0');
      }
      break;
    case 1:
      try {
        const auto ring = cookieseal::Keyring::parse(text, "TEST_KEYS");
        std::size_t commas = 0;
        for (const char c : text) commas += c == ',' ? 1 : 0;
        check_ring(ring, commas + 1);
        for (const auto& k : ring.keys()) check_key(k, "");
      } catch (const cookieseal::ConfigError& e) {
        check_message(e, text, ',');
      }
      break;
    default:
      try {
        const auto ring = cookieseal::Keyring::parse_file_text(text, "keys file");
        std::size_t lines = 0;
        for (std::string_view rest = text; !rest.empty();) {
          const std::size_t nl = rest.find('\n');
          const std::string_view line = trim(rest.substr(0, nl));
          if (!line.empty() && line.front() != '#') ++lines;
          rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        }
        check_ring(ring, lines);
      } catch (const cookieseal::ConfigError& e) {
        check_message(e, text, '\n');
      }
      break;
  }
  return 0;
}
