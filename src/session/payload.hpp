// cookieseal - the Session payload (layout 3, docs/SESSION.md §Payload): head, then sorted entries
#pragma once

#include <cookieseal/detail/archive.hpp>
#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/format.hpp>
#include <cookieseal/session.hpp>

#include <cereal/types/string.hpp>  // std::string as uint64le length + bytes

#include <bit>
#include <cstdint>
#include <string>
#include <utility>

namespace cookieseal::detail {

inline constexpr std::uint8_t tag_bool = 0;    // == Session::Value index 0
inline constexpr std::uint8_t tag_int64 = 1;   // index 1
inline constexpr std::uint8_t tag_double = 2;  // index 2
inline constexpr std::uint8_t tag_string = 3;  // index 3

// format::empty_session_plaintext_bytes spells out this layout's empty head.
static_assert(format::empty_session_plaintext_bytes == 1 + 1 + SessionId::size + 8 + 8 + 4 + 8 + 8);

/// A Session payload being written (refers to the session's entries).
struct MapPayloadOut {
  SessionHead head;
  const Session::Entries* entries;

  template <class Archive>
  void save(Archive& ar) const {
    save_head(ar, layout_map, head);
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(entries->size())));
    for (const auto& [key, value] : *entries) {  // std::map: already in byte order
      ar(key);
      const auto tag = static_cast<std::uint8_t>(value.index());
      ar(tag);
      std::visit([&](const auto& v) { ar(v); }, value);
    }
  }
};

/// A Session payload being read. Anything but the canonical encoding is refused, so one state
/// has exactly one payload: keys strictly ascending (which also refuses duplicates), tags 0-3.
struct MapPayloadIn {
  SessionHead head;
  Session::Entries entries;

  template <class Archive>
  void load(Archive& ar) {
    load_head(ar, layout_map, head);
    cereal::size_type count = 0;
    ar(cereal::make_size_tag(count));  // checked against the bytes left by the archive
    std::string key;
    for (cereal::size_type i = 0; i < count; ++i) {
      key.clear();
      ar(key);
      if (!entries.empty() && !(entries.rbegin()->first < key)) {
        throw cereal::Exception("session: keys not strictly ascending (duplicate or unsorted)");
      }
      std::uint8_t tag = 0;
      ar(tag);
      Session::Value value;
      switch (tag) {
        case tag_bool: {
          bool b = false;
          ar(b);
          value.emplace<0>(b);
          break;
        }
        case tag_int64: {
          std::int64_t n = 0;
          ar(n);
          value.emplace<1>(n);
          break;
        }
        case tag_double: {
          double d = 0;
          ar(d);
          value.emplace<2>(d);
          break;
        }
        case tag_string: {
          std::string s;
          ar(s);
          value.emplace<3>(std::move(s));
          break;
        }
        default: throw cereal::Exception("session: unknown value tag");
      }
      entries.emplace_hint(entries.end(), std::move(key), std::move(value));
      key = std::string();
    }
  }
};

/// Session's payload for SessionManager: reads into `in`, writes from `out`.
class MapPayloadIo final : public PayloadIo {
 public:
  MapPayloadIo(Session::Entries* in, const Session::Entries* out) noexcept : in_(in), out_(out) {}
  [[nodiscard]] std::uint8_t layout() const noexcept override { return layout_map; }
  [[nodiscard]] bool read(std::span<const std::uint8_t> plaintext, SessionHead& head) override;
  void write(BufferOutputArchive& ar, const SessionHead& head) const override {
    ar(MapPayloadOut{head, out_});
  }

 private:
  Session::Entries* in_;
  const Session::Entries* out_;
};

/// The plaintext bytes a Session payload seals (what docs/SESSION.md draws), for tests and
/// for measuring a payload that did not fit.
inline std::string map_payload_bytes(const SessionHead& head, const Session::Entries& entries) {
  std::string out;
  {
    BufferOutputArchive ar(out);
    ar(MapPayloadOut{head, &entries});
  }
  return out;
}

}  // namespace cookieseal::detail
