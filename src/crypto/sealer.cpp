// cookieseal - Sealer: docs/FORMAT.md's encoding and decoding steps, in one place
#include <cookieseal/sealer.hpp>

#include "crypto/nonce.hpp"
#include "crypto/seal.hpp"
#include "crypto/sodium.hpp"
#include "encoding/base64url.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace cookieseal {
namespace {

// Header, tag and the payload's endianness byte: no cookie is shorter than 72 characters.
constexpr std::size_t shortest_cookie = format::base64url_length(format::min_raw_bytes + 1);
// A per-thread buffer that grew past this (a huge value was sealed) is released after use.
constexpr std::size_t scratch_keep_bytes = std::size_t{64} * 1024;

struct ThreadScratch {
  std::string bytes;
  bool busy = false;
};
thread_local ThreadScratch thread_scratch;

std::uint8_t* bytes(std::string& s) noexcept { return reinterpret_cast<std::uint8_t*>(s.data()); }

std::chrono::sys_seconds from_wire(std::uint64_t seconds) noexcept {
  return std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::chrono::seconds::rep>(
      std::min<std::uint64_t>(seconds, std::numeric_limits<std::int64_t>::max()))));
}

// 2. Canonical base64url, and at least header + tag: the decoded length, or 0 when malformed.
std::size_t raw_length(std::string_view cookie_value) noexcept {
  const std::size_t raw_bytes = detail::base64url_decoded_length(cookie_value.size());
  if (raw_bytes == static_cast<std::size_t>(-1) || raw_bytes < format::min_raw_bytes) return 0;
  return raw_bytes;
}

// What open() and open_record() learn from an authentic header.
struct OpenedHeader {
  std::chrono::sys_seconds expires_at;
  KeyId key_id;
  bool needs_reseal = false;
};

// docs/FORMAT.md §Decoding steps 3-6 on raw = [header | ciphertext | tag] (at least 53 bytes),
// decrypting in place: on success the plaintext is at raw[37 .. size - 16).
Result<OpenedHeader> open_raw(const Sealer& sealer, std::string_view name, std::string& raw) {
  const std::uint8_t* p = bytes(raw);
  // 3. Version.
  if (p[0] != format::version) return Error::unsupported_version;
  // 4. Key id -> key (one table probe; no trial decryption).
  OpenedHeader out;
  std::copy_n(p + format::key_id_offset, format::key_id_bytes, out.key_id.bytes.begin());
  const Key* key = sealer.keyring().find(out.key_id);
  if (key == nullptr) return Error::unknown_key;
  // 5. Authenticate and decrypt, with header || name as associated data.
  if (!detail::open_in_place(*key, name, raw)) return Error::tampered;
  // 6. Expiry (authenticated by step 5): open while now <= expires_at + leeway.
  const std::uint64_t expires = detail::read_expires(p);
  const auto now_s = sealer.now().time_since_epoch().count();
  if (now_s > 0) {
    const auto now_u = static_cast<std::uint64_t>(now_s);
    if (now_u > expires && now_u - expires > static_cast<std::uint64_t>(sealer.options().leeway.count())) {
      return Error::expired;
    }
  }
  // 7. The caller reads the plaintext (Codec: bad_payload).
  out.expires_at = from_wire(expires);
  out.needs_reseal = key != &sealer.keyring().primary();
  return out;
}

}  // namespace

namespace detail {

Scratch::Scratch() : bytes_(&own_), borrowed_(!thread_scratch.busy) {
  if (borrowed_) {
    thread_scratch.busy = true;
    bytes_ = &thread_scratch.bytes;
  }
}

Scratch::Scratch(Scratch&& other) noexcept : own_(std::move(other.own_)), borrowed_(other.borrowed_) {
  bytes_ = borrowed_ ? other.bytes_ : &own_;
  other.borrowed_ = false;
  other.bytes_ = &other.own_;
  other.own_.clear();
}

Scratch::~Scratch() {
  sodium_memzero(bytes_->data(), bytes_->size());  // no plaintext outlives its use
  bytes_->clear();
  if (borrowed_) {
    if (bytes_->capacity() > scratch_keep_bytes) std::string().swap(*bytes_);
    thread_scratch.busy = false;
  }
}

}  // namespace detail

Sealer::Sealer(Keyring keyring, SealerOptions options)
    : keyring_(std::move(keyring)), options_(std::move(options)) {
  detail::ensure_sodium();
  if (options_.leeway.count() < 0) throw ConfigError("sealer: leeway must not be negative");
  if (options_.max_value_bytes < shortest_cookie) {
    throw ConfigError("sealer: max_value_bytes must be at least " + std::to_string(shortest_cookie) +
                      " (the shortest possible cookie)");
  }
}

std::chrono::sys_seconds Sealer::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Result<std::string> Sealer::seal_with_nonce(std::string_view name, std::string& buffer,
                                            std::chrono::sys_seconds expires_at, const std::uint8_t* nonce,
                                            std::size_t max_bytes) const {
  // buffer = [37 bytes of room | plaintext]; the value is base64url(header | ciphertext | tag).
  const std::size_t value_bytes = format::base64url_length(buffer.size() + format::tag_bytes);
  if (value_bytes > max_bytes) return Error::too_large;
  const auto seconds = expires_at.time_since_epoch().count();
  detail::seal_in_place(keyring_.primary(), name, seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds),
                        nonce, buffer);
  std::string out(value_bytes, '\0');
  detail::base64url_encode(bytes(buffer), buffer.size(), out.data());
  return out;
}

Result<std::string> Sealer::seal_prepared(std::string_view name, std::string& buffer,
                                          std::chrono::sys_seconds expires_at) const {
  std::uint8_t nonce[format::nonce_bytes];
  detail::fill_nonce(nonce);
  return seal_with_nonce(name, buffer, expires_at, nonce, options_.max_value_bytes);
}

Result<std::string> Sealer::seal_record(std::string_view name, std::string& buffer,
                                        std::chrono::sys_seconds expires_at, std::size_t max_bytes) const {
  // A record is the sealed bytes themselves, without base64url: a store is binary-safe, and
  // the text form would cost a third more bytes and an encoding each way (docs/STORE.md §Record).
  if (buffer.size() + format::tag_bytes > max_bytes) return Error::too_large;
  std::uint8_t nonce[format::nonce_bytes];
  detail::fill_nonce(nonce);
  const auto seconds = expires_at.time_since_epoch().count();
  detail::seal_in_place(keyring_.primary(), name, seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds),
                        nonce, buffer);
  return std::string(buffer);
}

Result<std::string> Sealer::seal(std::string_view name, std::span<const std::uint8_t> plaintext,
                                 std::chrono::sys_seconds expires_at) const {
  detail::Scratch scratch;
  std::string& buffer = scratch.bytes();
  buffer.assign(format::header_bytes, '\0');
  buffer.append(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
  return seal_prepared(name, buffer, expires_at);
}

Result<std::string> Sealer::seal(std::string_view name, std::string_view plaintext,
                                 std::chrono::sys_seconds expires_at) const {
  return seal(name, std::span(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()),
              expires_at);
}

Result<std::string> Sealer::seal_with_fixed_nonce_for_test_vectors(
    std::string_view name, std::span<const std::uint8_t> plaintext, std::chrono::sys_seconds expires_at,
    std::span<const std::uint8_t, format::nonce_bytes> nonce) const {
  detail::Scratch scratch;
  std::string& buffer = scratch.bytes();
  buffer.assign(format::header_bytes, '\0');
  buffer.append(reinterpret_cast<const char*>(plaintext.data()), plaintext.size());
  return seal_with_nonce(name, buffer, expires_at, nonce.data(), options_.max_value_bytes);
}

// The numbered steps are those of docs/FORMAT.md §Decoding; each has its own Error.
Result<Opened> Sealer::open(std::string_view name, std::string_view cookie_value) const {
  // 1. Length cap, before any work (and before the buffer is touched).
  if (cookie_value.size() > options_.max_value_bytes) return Error::too_large;
  // 2. Canonical base64url, and at least header + tag.
  const std::size_t raw_bytes = raw_length(cookie_value);
  if (raw_bytes == 0) return Error::malformed;
  Opened out;
  std::string& buf = out.scratch_.bytes();
  buf.resize(raw_bytes);
  if (!detail::base64url_decode(cookie_value, bytes(buf))) return Error::malformed;
  Result<OpenedHeader> header = open_raw(*this, name, buf);
  if (!header) return header.error();
  out.size_ = raw_bytes - format::min_raw_bytes;
  out.expires_at_ = header->expires_at;
  out.key_id_ = header->key_id;
  out.needs_reseal_ = header->needs_reseal;
  return out;
}

Result<Opened> Sealer::open_record(std::string_view name, std::string_view value,
                                   std::size_t max_bytes) const {
  // 1. Length cap, before any work. 2. The raw bytes (no base64url), at least header + tag.
  if (value.size() > max_bytes) return Error::too_large;
  if (value.size() < format::min_raw_bytes) return Error::malformed;
  Opened out;
  std::string& buf = out.scratch_.bytes();
  buf.assign(value);
  Result<OpenedHeader> header = open_raw(*this, name, buf);
  if (!header) return header.error();
  out.size_ = value.size() - format::min_raw_bytes;
  out.expires_at_ = header->expires_at;
  out.key_id_ = header->key_id;
  out.needs_reseal_ = header->needs_reseal;
  return out;
}

Result<CookieInfo> inspect(std::string_view cookie_value, std::size_t max_value_bytes) noexcept {
  // Steps 1-3 of open(), without a key.
  if (cookie_value.size() > max_value_bytes) return Error::too_large;
  const std::size_t raw_bytes = raw_length(cookie_value);
  if (raw_bytes == 0) return Error::malformed;
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
    info.expires_at = from_wire(detail::read_expires(header));
  }
  return info;
}

}  // namespace cookieseal
