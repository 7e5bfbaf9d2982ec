// cookieseal - Session and SessionId: the request-local half of a session
#include <cookieseal/lifetimes.hpp>  // max_ttl
#include <cookieseal/session.hpp>

#include "crypto/sodium.hpp"  // ensure_sodium, randombytes_buf
#include "encoding/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>

namespace cookieseal {

SessionId SessionId::generate() {
  detail::ensure_sodium();
  SessionId id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  return id;
}

std::optional<SessionId> SessionId::from_hex(std::string_view text) noexcept {
  if (text.size() != 2 * size) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  SessionId id;
  for (std::size_t i = 0; i < size; ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return id;
}

std::string SessionId::hex() const { return detail::to_hex(bytes); }

std::ostream& operator<<(std::ostream& os, const SessionId& id) { return os << id.hex(); }

// Indexed by the enumerator's value.
constexpr std::array<std::string_view, load_status_count> load_status_names = {
    "absent",      "loaded",    "malformed", "unsupported_version", "unknown_key", "tampered", "expired",
    "bad_payload", "too_large", "revoked",   "unavailable",         "stale",       "ambiguous"};

std::string_view to_string(LoadStatus status) noexcept {
  const auto i = static_cast<std::size_t>(status);
  return i < load_status_names.size() ? load_status_names[i] : "unknown_status";
}

std::ostream& operator<<(std::ostream& os, LoadStatus status) { return os << to_string(status); }

LoadStatus load_status_of(Error error) noexcept {
  switch (error) {
    case Error::malformed: return LoadStatus::malformed;
    case Error::unsupported_version: return LoadStatus::unsupported_version;
    case Error::unknown_key: return LoadStatus::unknown_key;
    case Error::tampered: return LoadStatus::tampered;
    case Error::expired: return LoadStatus::expired;
    case Error::bad_payload: return LoadStatus::bad_payload;
    case Error::too_large: return LoadStatus::too_large;
    case Error::unavailable: return LoadStatus::unavailable;
    case Error::stale: return LoadStatus::stale;
    case Error::conflict: break;  // a write outcome, never a load's
  }
  return LoadStatus::malformed;  // an Error this build does not know: not a usable cookie
}

SessionBase::SessionBase()
    : id_(SessionId::generate()),
      created_at_(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())) {}

void SessionBase::regenerate_id() {
  id_ = SessionId::generate();
  modified_ = true;
}

void SessionBase::set_user(std::string_view user) {
  if (user.size() > detail::max_user_bytes) {
    throw std::length_error("cookieseal: set_user: a user id has at most 256 bytes (got " +
                            std::to_string(user.size()) + ")");
  }
  if (user == user_) return;
  user_ = std::string(user);
  modified_ = true;
}

void SessionBase::set_ttl(std::chrono::seconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("cookieseal: set_ttl: the ttl must be positive");
  // Beyond 400 days browsers cut the cookie's life short (RFC 6265bis), so the session would
  // silently not last as asked: refused, as Config refuses such a ttl. commit() also caps
  // the ttl at the absolute lifetime.
  if (ttl > max_ttl) {
    throw std::invalid_argument(
        "cookieseal: set_ttl: at most 400d, the longest cookie lifetime browsers keep (got " +
        std::to_string(ttl.count()) + "s)");
  }
  const auto seconds = static_cast<std::uint32_t>(ttl.count());
  if (seconds == own_ttl_) return;
  own_ttl_ = seconds;
  modified_ = true;
}

void SessionBase::extend(std::chrono::seconds by) {
  if (by.count() <= 0) throw std::invalid_argument("cookieseal: extend: the duration must be positive");
  // Saturates at max_ttl: commit() caps the sum there anyway.
  const auto sum =
      std::min<std::int64_t>(std::int64_t{extend_by_} + std::min(by, max_ttl).count(), max_ttl.count());
  extend_by_ = static_cast<std::uint32_t>(sum);
  modified_ = true;
}

namespace {
// Equal down to the bit, so that storing -0.0 over 0.0 (or a NaN) still changes the payload.
bool same_value(const Session::Value& a, const Session::Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<2>(&a)) {
    return std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(*std::get_if<2>(&b));
  }
  return a == b;
}
}  // namespace

void Session::set(std::string_view key, Value value) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), std::move(value));
  } else if (same_value(it->second, value)) {
    return;  // nothing changed: no reason to send a new cookie
  } else {
    it->second = std::move(value);
  }
  mark_modified();
}

bool Session::erase(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  mark_modified();
  return true;
}

void Session::clear() noexcept {
  if (entries_.empty()) return;
  entries_.clear();
  mark_modified();
}

const Session::Value* Session::find(std::string_view key) const noexcept {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace cookieseal
