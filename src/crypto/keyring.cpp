// cookieseal - Keyring: ordered keys, O(1) lookup by key id, parsing from text, file and env
#include <cookieseal/keyring.hpp>

#include "crypto/keys_file.hpp"
#include "crypto/sodium.hpp"
#include "encoding/text.hpp"

#include <fcntl.h>   // open
#include <unistd.h>  // read, close

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace cookieseal {
namespace {

std::string position_name(std::string_view source, const char* unit, std::size_t pos) {
  return std::string(source) + ": " + unit + " " + std::to_string(pos);
}

// Rejects a repeated secret or two keys sharing an id; positions name keys in messages.
void check_distinct(const std::vector<Key>& keys, std::string_view source, const char* unit,
                    const std::vector<std::size_t>& positions) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[i].same_secret(keys[j])) {
        throw ConfigError(position_name(source, unit, positions[i]) + " duplicates " + unit + " " +
                          std::to_string(positions[j]));
      }
      if (keys[i].id() == keys[j].id()) {
        throw ConfigError(position_name(source, unit, positions[i]) + " has the same key id (" +
                          keys[i].id().hex() + ") as " + unit + " " + std::to_string(positions[j]) +
                          "; replace one of them");
      }
    }
  }
}

// Wipes a buffer when the scope ends, by return or by exception.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::span<char> buffer) noexcept : buffer_(buffer) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { sodium_memzero(buffer_.data(), buffer_.size()); }

 private:
  std::span<char> buffer_;
};

// Reads fd to its end (or until `out` is full) into out; bytes read, or -1 with errno set.
long read_all(int fd, std::span<char> out) noexcept {
  std::size_t n = 0;
  while (n < out.size()) {
    const ssize_t r = ::read(fd, out.data() + n, out.size() - n);
    if (r == 0) break;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    n += static_cast<std::size_t>(r);
  }
  return static_cast<long>(n);
}

}  // namespace

namespace detail {

Keyring read_keys_file(const std::string& path, std::string_view source, std::span<char> scratch) {
  const WipeOnExit wipe(scratch);
  const std::string where = std::string(source) + " (" + shown_path(path) + ")";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw ConfigError(where + ": cannot open: " + std::generic_category().message(err));
  }
  const long n = read_all(fd, scratch);
  const int err = errno;
  ::close(fd);
  if (n < 0) throw ConfigError(where + ": cannot read: " + std::generic_category().message(err));
  const auto bytes = static_cast<std::size_t>(n);
  if (bytes == scratch.size()) {
    throw ConfigError(where + ": larger than " + std::to_string(scratch.size() - 1) + " bytes");
  }
  return Keyring::parse_file_text(std::string_view(scratch.data(), bytes), where);
}

}  // namespace detail

Keyring::Keyring(std::vector<Key> keys) : keys_(std::move(keys)) {
  if (keys_.empty()) throw ConfigError("keyring: no keys");
  if (keys_.size() >= empty_slot) throw ConfigError("keyring: too many keys");
  std::vector<std::size_t> positions(keys_.size());
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = i + 1;
  check_distinct(keys_, "keyring", "key", positions);
  std::size_t capacity = 2;
  while (capacity < 2 * keys_.size()) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const std::uint32_t v = keys_[i].id().value();
    std::size_t s = v & mask_;
    while (slots_[s].index != empty_slot) s = (s + 1) & mask_;
    slots_[s] = Slot{v, static_cast<std::uint32_t>(i)};
  }
}

int Keyring::position(const KeyId& id) const noexcept {
  const Key* k = find(id);
  return k == nullptr ? -1 : static_cast<int>(k - keys_.data());
}

Keyring Keyring::clone() const {
  std::vector<Key> copy;
  copy.reserve(keys_.size());
  for (const Key& k : keys_) copy.push_back(k.clone());
  return Keyring(std::move(copy));
}

static Keyring build(std::vector<Key> keys, std::string_view source, const char* unit,
                     const std::vector<std::size_t>& positions) {
  check_distinct(keys, source, unit, positions);  // so the message names the source
  return Keyring(std::move(keys));
}

Keyring Keyring::parse(std::string_view text, std::string_view source) {
  std::vector<Key> keys;
  std::vector<std::size_t> positions;
  if (detail::trim(text).empty()) throw ConfigError(std::string(source) + ": empty (no keys)");
  std::size_t pos = 1;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    if (detail::trim(entry).empty()) {
      throw ConfigError(position_name(source, "key", pos) +
                        " is empty (keys are separated by single commas)");
    }
    keys.push_back(Key::parse(entry, position_name(source, "key", pos)));
    positions.push_back(pos);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    ++pos;
  }
  return build(std::move(keys), source, "key", positions);
}

Keyring Keyring::parse_file_text(std::string_view text, std::string_view source) {
  std::vector<Key> keys;
  std::vector<std::size_t> positions;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    const std::string_view line = detail::trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    keys.push_back(Key::parse(line, position_name(source, "line", line_no)));
    positions.push_back(line_no);
  }
  if (keys.empty()) throw ConfigError(std::string(source) + ": no keys (only blank or # lines)");
  return build(std::move(keys), source, "line", positions);
}

Keyring Keyring::from_file(const std::string& path, std::string_view source) {
  std::vector<char> scratch(detail::max_keys_file_bytes + 1);  // the only copy of the text
  return detail::read_keys_file(path, source, scratch);        // wipes it
}

Keyring Keyring::from_env(std::string_view prefix, KeysInEnvironment keys_in_environment) {
  const std::string keys_var = std::string(prefix) + "KEYS";
  const std::string file_var = std::string(prefix) + "KEYS_FILE";
  // Start-up only (documented): the environment is not read on the request path.
  const char* keys = std::getenv(keys_var.c_str());  // NOLINT(concurrency-mt-unsafe)
  const char* file = std::getenv(file_var.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (keys != nullptr && file != nullptr) {
    throw ConfigError("both " + keys_var + " and " + file_var + " are set; set only one");
  }
  if (keys == nullptr && file == nullptr) {
    throw ConfigError("neither " + keys_var + " nor " + file_var +
                      " is set; make a key with `cookieseal keygen` and set " + keys_var);
  }
  if (file != nullptr) {
    if (*file == '\0') throw ConfigError(file_var + " is empty; it must name a keys file");
    return from_file(file, file_var);
  }
  Keyring ring = parse(keys, keys_var);
  if (keys_in_environment == KeysInEnvironment::remove) {
    // Wipe the bytes in place first: /proc/<pid>/environ shows the original memory.
    sodium_memzero(const_cast<char*>(keys), std::strlen(keys));
    ::unsetenv(keys_var.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only, documented
  }
  return ring;
}

}  // namespace cookieseal
