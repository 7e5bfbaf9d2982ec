// cookieseal fuzz - opening a cookie value with a fixed keyring: any bytes in, an Error or a value out
//
// Input: byte 0 picks the cookie name (bits 0-1) and the payload type (bits 2-3); the rest is
// the cookie value exactly as it would arrive in a Cookie header. Keys A and B of
// docs/FORMAT.md, clock fixed at 2026-01-01 (so the FORMAT.md vectors in the corpus open).
// Checks: decode never throws or crashes and returns a known Error or a value; it agrees
// with inspect() on everything inspect can see; a value opened by key B asks for a reseal.

#include "fuzz_support.hpp"

#include <cookieseal/codec.hpp>

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace {

struct User {  // docs/FORMAT.md vector 3
  std::uint64_t id = 0;
  std::string name;
  bool admin = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name, admin);
  }
};

struct Empty {
  template <class Archive>
  void serialize(Archive&) {}
};

constexpr std::int64_t fixed_now = 1767225600;  // 2026-01-01T00:00:00Z

const cookieseal::Codec& codec() {
  static const cookieseal::Codec c = [] {
    std::vector<cookieseal::Key> keys;
    keys.push_back(cookieseal::Key::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"));  // A
    keys.push_back(cookieseal::Key::parse("__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA"));  // B
    cookieseal::Options o;
    o.clock = [] { return std::chrono::sys_seconds(std::chrono::seconds(fixed_now)); };
    return cookieseal::Codec(cookieseal::Keyring(std::move(keys)), std::move(o));
  }();
  return c;
}

bool known(cookieseal::Error e) {
  using E = cookieseal::Error;
  switch (e) {
    case E::malformed:
    case E::unsupported_version:
    case E::unknown_key:
    case E::tampered:
    case E::expired:
    case E::bad_payload:
    case E::too_large: return cookieseal::to_string(e) != "unknown_error";
    case E::unavailable:  // storage outcomes: decoding a cookie never gives them
    case E::conflict:
    case E::stale: return false;
  }
  return false;
}

template <class T>
void open_as(std::string_view name, std::string_view value) {
  const cookieseal::Codec& c = codec();
  const auto r = c.decode<T>(name, value);
  const auto info = cookieseal::inspect(value, c.options().max_value_bytes);
  if (!r) {
    FUZZ_CHECK(known(r.error()));
    // The checks before authentication are the ones inspect() makes too.
    if (r.error() == cookieseal::Error::too_large || r.error() == cookieseal::Error::malformed) {
      FUZZ_CHECK(!info && info.error() == r.error());
    } else {
      FUZZ_CHECK(info.ok());
      FUZZ_CHECK((r.error() == cookieseal::Error::unsupported_version) == (info->version != 1));
    }
    return;
  }
  FUZZ_CHECK(info.ok() && info->version == 1);
  FUZZ_CHECK(info->key_id == r->key_id);
  FUZZ_CHECK(info->expires_at == r->expires_at);
  FUZZ_CHECK(c.keyring().find(r->key_id) != nullptr);
  FUZZ_CHECK(r->needs_reseal == (r->key_id != c.keyring().primary().id()));
  FUZZ_CHECK(r->expires_at.time_since_epoch().count() + 60 >= fixed_now);
  // Opening is a pure function of its inputs.
  const auto again = c.decode<T>(name, value);
  FUZZ_CHECK(again.ok() && again->key_id == r->key_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::array<std::string_view, 4> names = {"session", "", "__Host-session", "s"};
  const std::string_view name = names[data[0] & 3];
  const std::string_view value = fuzz::as_text(data + 1, size - 1);
  switch ((data[0] >> 2) & 3) {
    case 0: open_as<std::string>(name, value); break;
    case 1: open_as<Empty>(name, value); break;
    case 2: open_as<User>(name, value); break;
    default: open_as<std::vector<std::string>>(name, value); break;
  }
  return 0;
}
