// cookieseal - Codec: the non-template steps of encode and decode (docs/FORMAT.md)
#include <cookieseal/codec.hpp>

#include "crypto/nonce.hpp"
#include "crypto/seal.hpp"
#include "crypto/sodium.hpp"
#include "encoding/base64url.hpp"

#include <ostream>
#include <string>

namespace cookieseal {
namespace {

// Header, tag and the payload's endianness byte: no cookie is shorter than 72 characters.
constexpr std::size_t shortest_cookie = format::base64url_length(format::min_raw_bytes + 1);
// A per-thread buffer that grew past this (a huge value was encoded) is released after use.
constexpr std::size_t scratch_keep_bytes = std::size_t{64} * 1024;

struct ThreadScratch {
  std::string bytes;
  bool busy = false;
};
thread_local ThreadScratch thread_scratch;

std::uint8_t* bytes(std::string& s) noexcept { return reinterpret_cast<std::uint8_t*>(s.data()); }

}  // namespace

std::string_view to_string(Error error) noexcept {
  switch (error) {
    case Error::malformed: return "malformed";
    case Error::unsupported_version: return "unsupported_version";
    case Error::unknown_key: return "unknown_key";
    case Error::tampered: return "tampered";
    case Error::expired: return "expired";
    case Error::bad_payload: return "bad_payload";
    case Error::too_large: return "too_large";
    case Error::unavailable: return "unavailable";
    case Error::conflict: return "conflict";
    case Error::stale: return "stale";
  }
  return "unknown_error";
}

std::ostream& operator<<(std::ostream& os, Error error) { return os << to_string(error); }

Codec::Scratch::Scratch() : bytes_(&own_), borrowed_(!thread_scratch.busy) {
  if (borrowed_) {
    thread_scratch.busy = true;
    bytes_ = &thread_scratch.bytes;
  }
}

Codec::Scratch::~Scratch() {
  sodium_memzero(bytes_->data(), bytes_->size());  // no plaintext outlives the call
  bytes_->clear();
  if (borrowed_) {
    if (bytes_->capacity() > scratch_keep_bytes) std::string().swap(*bytes_);
    thread_scratch.busy = false;
  }
}

Codec::Codec(Keyring keyring, Options options) : keyring_(std::move(keyring)), options_(std::move(options)) {
  detail::ensure_sodium();
  if (options_.ttl.count() <= 0) throw ConfigError("codec: ttl must be positive");
  if (options_.leeway.count() < 0) throw ConfigError("codec: leeway must not be negative");
  if (options_.max_value_bytes < shortest_cookie) {
    throw ConfigError("codec: max_value_bytes must be at least " + std::to_string(shortest_cookie) +
                      " (the shortest possible cookie)");
  }
}

std::chrono::sys_seconds Codec::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Result<std::string> Codec::seal(std::string_view name, std::string& buf,
                                std::chrono::sys_seconds expires_at) const {
  // buf = [37 bytes of room | plaintext]; the cookie is base64url(header | ciphertext | tag).
  const std::size_t value_bytes = format::base64url_length(buf.size() + format::tag_bytes);
  if (value_bytes > options_.max_value_bytes) return Error::too_large;
  const auto seconds = expires_at.time_since_epoch().count();
  std::uint8_t nonce[format::nonce_bytes];
  detail::fill_nonce(nonce);
  detail::seal_in_place(keyring_.primary(), name, seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds),
                        nonce, buf);
  std::string out(value_bytes, '\0');
  detail::base64url_encode(bytes(buf), buf.size(), out.data());
  return out;
}

// The numbered steps are those of docs/FORMAT.md §Decoding; each has its own Error.
Result<Codec::Opened> Codec::open(std::string_view name, std::string_view cookie_value,
                                  std::string& buf) const {
  // 1. Length cap, before any work.
  if (cookie_value.size() > options_.max_value_bytes) return Error::too_large;
  // 2. Canonical base64url, and at least header + tag.
  const std::size_t raw_bytes = detail::base64url_decoded_length(cookie_value.size());
  if (raw_bytes == static_cast<std::size_t>(-1) || raw_bytes < format::min_raw_bytes) return Error::malformed;
  buf.resize(raw_bytes);
  if (!detail::base64url_decode(cookie_value, bytes(buf))) return Error::malformed;
  const std::uint8_t* raw = bytes(buf);
  // 3. Version.
  if (raw[0] != format::version) return Error::unsupported_version;
  // 4. Key id -> key (one table probe; no trial decryption).
  KeyId id;
  std::copy_n(raw + format::key_id_offset, format::key_id_bytes, id.bytes.begin());
  const Key* key = keyring_.find(id);
  if (key == nullptr) return Error::unknown_key;
  // 5. Authenticate and decrypt, with header || name as associated data.
  if (!detail::open_in_place(*key, name, buf)) return Error::tampered;
  // 6. Expiry (authenticated by step 5): open while now <= expires_at + leeway.
  const std::uint64_t expires = detail::read_expires(raw);
  const auto now_s = now().time_since_epoch().count();
  if (now_s > 0) {
    const auto now_u = static_cast<std::uint64_t>(now_s);
    if (now_u > expires && now_u - expires > static_cast<std::uint64_t>(options_.leeway.count())) {
      return Error::expired;
    }
  }
  // 7. The caller deserializes the plaintext (bad_payload).
  const auto expires_tp = std::chrono::sys_seconds(std::chrono::seconds(
      static_cast<std::chrono::seconds::rep>(std::min<std::uint64_t>(expires, INT64_MAX))));
  return Opened{raw + format::header_bytes, raw_bytes - format::min_raw_bytes, expires_tp, id,
                key != &keyring_.primary()};
}

Result<CookieInfo> inspect(std::string_view cookie_value, std::size_t max_value_bytes) noexcept {
  if (cookie_value.size() > max_value_bytes) return Error::too_large;
  const std::size_t raw_bytes = detail::base64url_decoded_length(cookie_value.size());
  if (raw_bytes == static_cast<std::size_t>(-1) || raw_bytes < format::min_raw_bytes) return Error::malformed;
  // Validate the whole text in 64-character chunks on the stack; the first holds the header.
  std::uint8_t header[48] = {};  // the loop runs at least once (raw_bytes >= 53)
  for (std::size_t at = 0; at < cookie_value.size(); at += 64) {
    std::uint8_t chunk[48];
    if (!detail::base64url_decode(cookie_value.substr(at, 64), chunk)) return Error::malformed;
    if (at == 0) std::copy_n(chunk, sizeof header, header);
  }
  CookieInfo info;
  info.version = header[0];
  info.value_bytes = cookie_value.size();
  info.raw_bytes = raw_bytes;
  info.plaintext_bytes = raw_bytes - format::min_raw_bytes;
  if (info.version == format::version) {
    std::copy_n(header + format::key_id_offset, format::key_id_bytes, info.key_id.bytes.begin());
    const std::uint64_t expires = detail::read_expires(header);
    info.expires_at = std::chrono::sys_seconds(std::chrono::seconds(
        static_cast<std::chrono::seconds::rep>(std::min<std::uint64_t>(expires, INT64_MAX))));
  }
  return info;
}

}  // namespace cookieseal
