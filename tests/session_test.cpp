// Tests for include/cookieseal/session.hpp: values, ids, flags, and the payload layout bytes
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>

#include "session/payload.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>

using cookieseal::LoadStatus;
using cookieseal::Session;
using cookieseal::SessionId;
using cookieseal::TypedSession;

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0x0f];
  }
  return out;
}

struct Profile {
  static constexpr std::string_view session_schema = "profile";
  static constexpr std::uint32_t session_schema_version = 1;
  std::int64_t user = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user);
  }
};

}  // namespace

// The overload set refuses what would silently change meaning.
template <class V>
concept settable = requires(Session s, V v) {
  s.set("k", v);
};
static_assert(settable<int> && settable<bool> && settable<const char*> && settable<double>);
static_assert(!settable<std::uint64_t>, "uint64 may not fit int64: convert explicitly");
static_assert(!settable<char>, "a char is ambiguous");
static_assert(!settable<std::nullptr_t>, "nullptr is no string");
static_assert(!settable<const int*>, "a pointer never becomes a bool");

TEST_CASE("set and get store and read a bool, an integer, a double and a string") {
  Session s;
  s.set("flag", true);
  s.set("n", 42);
  s.set("ratio", 0.25);
  s.set("user", std::string("ada"));
  CHECK(s.get<bool>("flag") == true);
  CHECK(s.get<std::int64_t>("n") == 42);
  CHECK(s.get<int>("n") == 42);
  CHECK(s.get<double>("ratio") == 0.25);
  CHECK(s.get<std::string>("user") == "ada");
  CHECK(s.size() == 4);
  CHECK(s.modified());
}

TEST_CASE("a string literal is stored as a string, not as a bool") {
  Session s;
  s.set("user", "ada");
  CHECK(s.get<std::string>("user") == "ada");
  CHECK_FALSE(s.get<bool>("user").has_value());
  s.set("who", std::string_view("bob"));
  CHECK(s.get<std::string>("who") == "bob");
}

TEST_CASE("get of a missing key or of another type is nullopt") {
  Session s;
  s.set("n", 1);
  s.set("user", "ada");
  CHECK_FALSE(s.get<int>("missing").has_value());
  CHECK_FALSE(s.get<std::string>("n").has_value());
  CHECK_FALSE(s.get<bool>("n").has_value());
  CHECK_FALSE(s.get<double>("n").has_value());  // an int64 is not silently a double
  CHECK_FALSE(s.get<int>("user").has_value());
}

TEST_CASE("get of an integer type that cannot hold the value is nullopt") {
  Session s;
  s.set("big", std::numeric_limits<std::int64_t>::max());
  s.set("neg", -1);
  CHECK_FALSE(s.get<int>("big").has_value());
  CHECK(s.get<std::int64_t>("big") == std::numeric_limits<std::int64_t>::max());
  CHECK(s.get<std::uint64_t>("big") == static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  CHECK_FALSE(s.get<unsigned>("neg").has_value());
  CHECK(s.get<short>("neg") == -1);
}

TEST_CASE("small unsigned integers and floats are stored as int64 and double") {
  Session s;
  s.set("u", std::uint32_t{4000000000u});
  s.set("f", 1.5f);
  CHECK(s.get<std::int64_t>("u") == 4000000000);
  CHECK(s.get<double>("f") == 1.5);
  CHECK(s.get<float>("f") == 1.5f);
}

TEST_CASE("erase and clear report and mark only a real change") {
  Session s;
  CHECK_FALSE(s.erase("missing"));
  CHECK_FALSE(s.modified());
  s.clear();
  CHECK_FALSE(s.modified());
  s.set("a", 1);
  s.set("b", 2);
  CHECK(s.erase("a"));
  CHECK_FALSE(s.contains("a"));
  CHECK(s.contains("b"));
  s.clear();
  CHECK(s.empty());
}

TEST_CASE("entries are kept sorted by key bytes") {
  Session s;
  s.set("b", 1);
  s.set("a", 2);
  s.set("\xc3\xa9", 3);  // a byte above 0x7f sorts after ASCII
  s.set("B", 4);
  std::string order;
  for (const auto& [key, value] : s.entries()) order += key + ",";
  CHECK(order == "B,a,b,\xc3\xa9,");
  const Session::Value* v = s.find("a");
  REQUIRE(v != nullptr);
  CHECK(std::get<std::int64_t>(*v) == 2);
  CHECK(s.find("zzz") == nullptr);
}

TEST_CASE("a new session has a random 128-bit id printed as 32 hex digits") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Session s;
    const std::string h = s.id().hex();
    CHECK(h.size() == 32);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(h);
  }
  CHECK(seen.size() == 100);
  Session s;
  std::ostringstream os;
  os << s.id();
  CHECK(os.str() == s.id().hex());
  CHECK(s.load_status() == LoadStatus::absent);
  CHECK(s.is_new());
  CHECK_FALSE(s.rejected());
  CHECK_FALSE(s.expires_at().has_value());
}

TEST_CASE("regenerate_id gives a new id, keeps the data and marks the session modified") {
  Session s;
  s.set("user", "ada");
  Session before = s;
  s.regenerate_id();
  CHECK(s.id() != before.id());
  CHECK(s.get<std::string>("user") == "ada");
  CHECK(s.created_at() == before.created_at());
  CHECK(s.modified());
}

TEST_CASE("SessionId::from_hex reads hex() back, in either case, and refuses anything else") {
  const SessionId id = SessionId::generate();
  CHECK(SessionId::from_hex(id.hex()) == id);
  std::string upper = id.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(SessionId::from_hex(upper) == id);
  CHECK_FALSE(SessionId::from_hex("").has_value());
  CHECK_FALSE(SessionId::from_hex(id.hex() + "0").has_value());
  CHECK_FALSE(SessionId::from_hex("g" + id.hex().substr(1)).has_value());
  CHECK_FALSE(SessionId::from_hex(" " + id.hex().substr(1)).has_value());
  CHECK(std::hash<SessionId>{}(id) == std::hash<SessionId>{}(*SessionId::from_hex(id.hex())));
}

TEST_CASE("destroy and mark_modified set their flags") {
  Session s;
  CHECK_FALSE(s.destroyed());
  s.destroy();
  CHECK(s.destroyed());
  Session t;
  t.mark_modified();
  CHECK(t.modified());
}

TEST_CASE("a TypedSession's mutable data() marks it modified; const access and view() do not") {
  TypedSession<Profile> t;
  CHECK(t.view().user == 0);
  const auto& c = t;
  CHECK(c.data().user == 0);
  CHECK_FALSE(t.modified());
  t.data().user = 7;
  CHECK(t.modified());
  CHECK(t.view().user == 7);
}

TEST_CASE("to_string names every LoadStatus, and load_status_of maps every Error") {
  CHECK(cookieseal::to_string(LoadStatus::absent) == "absent");
  CHECK(cookieseal::to_string(LoadStatus::loaded) == "loaded");
  CHECK(cookieseal::to_string(LoadStatus::revoked) == "revoked");
  for (std::size_t i = 0; i < cookieseal::load_status_count; ++i) {
    CHECK(cookieseal::to_string(static_cast<LoadStatus>(i)) != "unknown_status");
  }
  using cookieseal::Error;
  for (Error e : {Error::malformed, Error::unsupported_version, Error::unknown_key, Error::tampered,
                  Error::expired, Error::bad_payload, Error::too_large}) {
    CHECK(cookieseal::to_string(cookieseal::load_status_of(e)) == cookieseal::to_string(e));
  }
}

TEST_CASE("the Session payload is exactly the bytes drawn in docs/SESSION.md") {
  cookieseal::detail::SessionHead head;
  for (std::uint8_t i = 0; i < 16; ++i) head.id[i] = i;
  head.created_at = 1767225600;  // 2026-01-01T00:00:00Z
  head.issued_at = 1767229200;   // an hour later
  head.user = "42";
  Session s;
  s.set("user", "ada");
  s.set("pi", 0.5);
  s.set("n", -2);
  s.set("admin", true);
  const std::string bytes = cookieseal::detail::map_payload_bytes(head, s.entries());
  // The same hex is in docs/SESSION.md §Example; change both or neither.
  CHECK(hex(bytes) ==
        "01"                                // cereal endianness flag: little-endian
        "03"                                // layout 3: Session entries
        "000102030405060708090a0b0c0d0e0f"  // id
        "00b9556900000000"                  // created_at 1767225600
        "10c7556900000000"                  // issued_at 1767229200
        "00000000"                          // ttl: 0, the manager's
        "0200000000000000"
        "3432"              // user "42"
        "0400000000000000"  // 4 entries
        "0500000000000000"
        "61646d696e"
        "00"
        "01"  // "admin" bool true
        "0100000000000000"
        "6e"
        "01"
        "feffffffffffffff"  // "n" int64 -2
        "0200000000000000"
        "7069"
        "02"
        "000000000000e03f"  // "pi" double 0.5
        "0400000000000000"
        "75736572"
        "03"
        "0300000000000000"
        "616461");  // "user" "ada"
  CHECK(bytes.size() == 132);
  head.user.clear();
  CHECK(cookieseal::detail::map_payload_bytes(head, {}).size() ==
        cookieseal::format::empty_session_plaintext_bytes);
}

TEST_CASE("the golden payload reads back; unsorted, duplicate and unknown-tag payloads do not") {
  auto read = [](const std::string& hex_text) -> bool {
    std::string raw;
    for (std::size_t i = 0; i + 1 < hex_text.size(); i += 2) {
      raw += static_cast<char>(std::stoi(hex_text.substr(i, 2), nullptr, 16));
    }
    try {
      cookieseal::detail::BoundedInputArchive ar(reinterpret_cast<const std::uint8_t*>(raw.data()),
                                                 raw.size());
      cookieseal::detail::MapPayloadIn in;
      ar(in);
      return ar.remaining() == 0 && in.entries.size() == 2;
    } catch (const cereal::Exception&) {
      return false;
    }
  };
  const std::string head =
      "0101000102030405060708090a0b0c0d0e0f00b9556900000000"
      "0200000000000000";
  const std::string a =
      "0100000000000000"
      "61"
      "00"
      "01";  // "a" true
  const std::string b =
      "0100000000000000"
      "62"
      "00"
      "00";  // "b" false
  CHECK(read(head + a + b));
  CHECK_FALSE(read(head + b + a));  // unsorted
  CHECK_FALSE(read(head + a + a));  // duplicate key
  CHECK_FALSE(read(head + a +
                   "0100000000000000"
                   "62"
                   "04"
                   "00"));                             // tag 4
  CHECK_FALSE(read("0102" + head.substr(4) + a + b));  // layout 2 is a TypedSession
}
