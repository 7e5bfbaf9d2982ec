// cookieseal fuzz - structure-aware opening: authentic cookies whose plaintext is the fuzz input
//
// Input: byte 0 picks the payload type; the rest is the plaintext (cereal PortableBinary bytes,
// docs/FORMAT.md §Payload). The target seals it with key A under a fixed nonce
// (test_support::seal_with_fixed_nonce), so authentication passes and only the payload deserializers
// judge the bytes: user types (0-7; 10-11: 64 KiB elements and a pointer chain, which the
// allocation budget and the depth limit must stop), and the Session layouts through
// SessionManager::load (8: Session, docs/SESSION.md §Payload; 9: TypedSession<Profile>). Checks: the result
// is a value or Error::bad_payload (for sessions: loaded, bad_payload, or expired by the fuzzed created_at),
// nothing else and no crash; no allocation beyond what the bytes can justify (libFuzzer runs this target with
// -malloc_limit_mb=64, the replayer caps operator new at 64 MiB); a value read from a little-endian payload
// with one encoding serializes back to exactly the same bytes; a loaded Session commits to a cookie that
// loads back the same.

#include "fixed_nonce.hpp"  // tests/support
#include "fuzz_support.hpp"
#include "payload_bytes.hpp"  // tests/support

#include <cookieseal/codec.hpp>

#include <cookieseal/config.hpp>
#include <cookieseal/cookie_header.hpp>
#include <cookieseal/session_manager.hpp>

#include "session/payload.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace {

enum class Role : std::uint8_t { guest, member, admin };

// A user's cart-and-profile struct: what application code puts in a cookie.
struct Profile {
  static constexpr std::string_view session_schema = "profile";
  static constexpr std::uint32_t session_schema_version = 1;
  std::uint64_t user_id = 0;
  std::string name;
  bool admin = false;
  double score = 0;
  std::int32_t level = 0;
  Role role = Role::guest;
  std::vector<std::string> roles;
  std::map<std::string, std::int64_t> counters;
  std::vector<bool> flags;
  std::vector<std::uint16_t> small;
  std::optional<std::string> email;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user_id, name, admin, score, level, role, roles, counters, flags, small, email);
  }
};

struct Line {
  std::string sku;
  std::uint32_t quantity = 0;
  float price = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(sku, quantity, price);
  }
};

struct Cart {
  std::vector<Line> lines;
  std::pair<std::string, std::uint8_t> coupon;
  std::array<std::int16_t, 3> dims{};
  template <class Archive>
  void serialize(Archive& ar) {
    ar(lines, coupon, dims);
  }
};

using Nested = std::vector<std::vector<std::vector<std::string>>>;
using Mixed = std::tuple<std::set<std::int32_t>, std::unordered_map<std::string, std::string>,
                         std::list<double>, std::deque<char>>;
using Choice = std::variant<std::monostate, std::int64_t, std::string, std::vector<bool>>;
using Pages = std::vector<std::array<std::uint8_t, 65536>>;  // a count claims 64 KiB each

// A linked list as deep as the bytes say: without a depth limit, a stack overflow.
struct Chain {
  std::unique_ptr<Chain> next;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(next);
  }
};

constexpr std::string_view cookie_name = "s";
constexpr std::uint64_t far_future = 4102444800;  // 2100-01-01

const cookieseal::Key& key() {
  static const cookieseal::Key k = cookieseal::Key::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  return k;
}

const cookieseal::Codec& codec() {
  static const cookieseal::Codec c = [] {
    std::vector<cookieseal::Key> keys;
    keys.push_back(key().clone());
    cookieseal::Options o;
    o.max_value_bytes = 1 << 16;  // room for any input libFuzzer makes here (-max_len 4096)
    return cookieseal::Codec(cookieseal::Keyring(std::move(keys)), std::move(o));
  }();
  return c;
}

using test_support::payload_bytes;

// canonical: one byte string per value (no map/set ordering, no big-endian flag), so a value
// that opened must serialize back to the very bytes it came from.
template <class T, bool canonical>
void open_as(std::span<const std::uint8_t> plaintext) {
  static constexpr std::array<std::uint8_t, cookieseal::format::nonce_bytes> nonce{};
  const std::string cookie =
      test_support::seal_with_fixed_nonce(key(), cookie_name, far_future, nonce, plaintext);
  const auto r = codec().decode<T>(cookie_name, cookie);
  if (!r) {
    FUZZ_CHECK(r.error() == cookieseal::Error::bad_payload);
    return;
  }
  if constexpr (canonical) {
    if (!plaintext.empty() && plaintext[0] == cookieseal::detail::payload_little_endian) {
      const std::string back = payload_bytes(r->value);
      FUZZ_CHECK(back.size() == plaintext.size());
      FUZZ_CHECK(std::equal(back.begin(), back.end(), reinterpret_cast<const char*>(plaintext.data())));
    }
  }
}

constexpr std::int64_t fixed_now = 1767225600;  // 2026-01-01

const cookieseal::SessionManager& manager() {
  static const cookieseal::SessionManager m = [] {
    cookieseal::Config config;
    std::vector<cookieseal::Key> keys;
    keys.push_back(key().clone());
    config.keys.emplace(std::move(keys));
    config.clock = [] { return std::chrono::sys_seconds(std::chrono::seconds(fixed_now)); };
    return cookieseal::SessionManager(std::move(config));
  }();
  return m;
}

// A cookie longer than a browser keeps (4096) is too_large before anything else; otherwise
// only the payload decides: loaded, bad_payload, or expired (created_at is in the payload).
template <class SessionT>
void check_status(const SessionT& s, std::size_t cookie_bytes) {
  using cookieseal::LoadStatus;
  if (cookie_bytes > cookieseal::max_set_cookie_bytes) {
    FUZZ_CHECK(s.load_status() == LoadStatus::too_large);
    return;
  }
  FUZZ_CHECK(s.load_status() == LoadStatus::loaded || s.load_status() == LoadStatus::bad_payload ||
             s.load_status() == LoadStatus::expired);
}

// A Session or a TypedSession<Profile> (every layout of docs/SESSION.md), read the way a
// request reads them.
void open_session(std::span<const std::uint8_t> plaintext, bool typed) {
  static constexpr std::array<std::uint8_t, cookieseal::format::nonce_bytes> nonce{};
  const cookieseal::SessionManager& m = manager();
  const std::string cookie =
      test_support::seal_with_fixed_nonce(key(), m.cookie_name(), fixed_now + 3600, nonce, plaintext);
  const std::string header = "theme=dark; " + m.cookie_name() + "=" + cookie;
  if (typed) {
    check_status(m.load<Profile>(header), cookie.size());
    return;
  }
  cookieseal::Session s = m.load(header);
  check_status(s, cookie.size());
  if (s.load_status() != cookieseal::LoadStatus::loaded) return;
  // One state, one payload: the entries and head that loaded write back to the same bytes.
  if (plaintext[0] == cookieseal::detail::payload_little_endian) {
    // The head as the cookie carried it (layout 3): the same head and entries give the same bytes.
    cookieseal::detail::SessionHead head;
    if (!cookieseal::detail::read_head(plaintext, cookieseal::detail::layout_map, head)) return;
    if (head.legacy) return;  // an old layout is rewritten in the new one, by design
    const std::string back = cookieseal::detail::map_payload_bytes(head, s.entries());
    FUZZ_CHECK(back.size() == plaintext.size());
    FUZZ_CHECK(std::equal(back.begin(), back.end(), reinterpret_cast<const char*>(plaintext.data())));
  }
  // And what commit writes loads back as the same session (unless it no longer fits).
  s.mark_modified();
  const cookieseal::Commit out = m.commit(s);
  if (!out.ok() || out.action != cookieseal::Commit::Action::set) return;
  const auto value = cookieseal::find_cookie(*out.set_cookie, m.cookie_name());
  FUZZ_CHECK(value.has_value());
  const cookieseal::Session again = m.load(m.cookie_name() + "=" + std::string(*value));
  FUZZ_CHECK(again.load_status() == cookieseal::LoadStatus::loaded);
  FUZZ_CHECK(again.id() == s.id() && again.created_at() == s.created_at());
  FUZZ_CHECK(again.entries().size() == s.entries().size());
  auto a = again.entries().begin();
  for (const auto& [k, v] : s.entries()) {
    FUZZ_CHECK(a->first == k);
    // NaN != NaN: compare doubles by their bits.
    if (const double* d = std::get_if<2>(&v)) {
      const double* e = std::get_if<2>(&a->second);
      FUZZ_CHECK(e != nullptr && std::memcmp(d, e, sizeof(double)) == 0);
    } else {
      FUZZ_CHECK(a->second == v);
    }
    ++a;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> plaintext(data + 1, size - 1);
  switch (data[0] % 12) {
    case 0: open_as<std::string, true>(plaintext); break;
    case 1: open_as<Profile, false>(plaintext); break;  // role: any byte is a valid Role (uint8_t)
    case 2: open_as<Cart, false>(plaintext); break;     // float NaN payloads may not round-trip
    case 3: open_as<Nested, true>(plaintext); break;
    case 4: open_as<Mixed, false>(plaintext); break;
    case 5: open_as<Choice, true>(plaintext); break;
    case 6: open_as<std::map<std::string, std::vector<double>>, false>(plaintext); break;
    case 7: open_as<std::vector<std::uint64_t>, true>(plaintext); break;
    case 8: open_session(plaintext, false); break;
    case 9: open_session(plaintext, true); break;
    case 10: open_as<Pages, true>(plaintext); break;
    default: open_as<Chain, false>(plaintext); break;  // cereal reads any nonzero byte as "a pointee"
  }
  return 0;
}
