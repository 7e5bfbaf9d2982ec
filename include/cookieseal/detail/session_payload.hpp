// cookieseal - detail: the session payload layouts of docs/SESSION.md §Payload (head, entries, typed data)
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/detail/archive.hpp>
#include <cookieseal/export.hpp>

#include <cereal/types/string.hpp>  // std::string as uint64le length + bytes

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// The layout byte after cereal's endianness flag. 1 and 2 are read for cookies written before
/// the head carried issue time, ttl and user; 3 and 4 are written.
inline constexpr std::uint8_t layout_map_v1 = 1;    ///< Session entries, short head
inline constexpr std::uint8_t layout_typed_v1 = 2;  ///< TypedSession<T>, short head, no schema
inline constexpr std::uint8_t layout_map = 3;       ///< Session entries
inline constexpr std::uint8_t layout_typed = 4;     ///< TypedSession<T>, with its schema identity

/// The longest user id a session carries (bytes).
inline constexpr std::size_t max_user_bytes = 256;
/// The longest schema name of a typed session (bytes).
inline constexpr std::size_t max_schema_name_bytes = 128;

/// What every session payload starts with.
struct SessionHead {
  std::array<std::uint8_t, 16> id{};
  std::uint64_t created_at = 0;  ///< seconds since the Unix epoch
  std::uint64_t issued_at = 0;   ///< when this cookie was written; 0 in a v1 head (not recorded)
  std::uint32_t ttl = 0;         ///< this session's own idle ttl in seconds; 0 = the manager's
  std::string user;              ///< the signed-in user, empty for none
  bool legacy = false;           ///< read from a v1 head (layout 1 or 2)
};

/// A typed session's declared identity: its name and version, sealed with the data so a
/// cookie written for one T never opens as another.
struct Schema {
  std::string_view name;
  std::uint32_t version = 0;
};

template <class Archive>
void save_string(Archive& ar, std::string_view s) {
  ar(cereal::make_size_tag(static_cast<cereal::size_type>(s.size())));
  ar(cereal::binary_data(s.data(), s.size()));
}

/// A length-prefixed string of at most `limit` bytes (a longer one is refused before any
/// allocation).
template <class Archive>
void load_string(Archive& ar, std::string& s, std::size_t limit) {
  cereal::size_type n = 0;
  ar(cereal::make_size_tag(n));
  if (n > limit) throw cereal::Exception("session: string longer than its limit");
  s.resize(static_cast<std::size_t>(n));
  ar(cereal::binary_data(s.data(), s.size()));
}

template <class Archive>
void save_head(Archive& ar, std::uint8_t layout, const SessionHead& head) {
  ar(layout);
  for (std::uint8_t b : head.id) ar(b);
  ar(head.created_at, head.issued_at, head.ttl);
  save_string(ar, head.user);
}

/// Reads the head of a payload of one kind: `layout` (3 or 4) or its v1 form (1 or 2).
template <class Archive>
void load_head(Archive& ar, std::uint8_t layout, SessionHead& head) {
  std::uint8_t found = 0;
  ar(found);
  const std::uint8_t v1 = layout == layout_map ? layout_map_v1 : layout_typed_v1;
  if (found != layout && found != v1) throw cereal::Exception("session: another payload layout");
  for (std::uint8_t& b : head.id) ar(b);
  ar(head.created_at);
  head.legacy = found == v1;
  if (head.legacy) return;
  ar(head.issued_at, head.ttl);
  load_string(ar, head.user, max_user_bytes);
}

/// Checks the schema identity after a typed head. A v1 cookie carried none: it opens only as
/// version 1 of a schema (the first version is the type that wrote it; any later version must
/// refuse it).
template <class Archive>
void load_schema(Archive& ar, const SessionHead& head, Schema expected) {
  if (head.legacy) {
    if (expected.version != 1) throw cereal::Exception("session: unversioned cookie for a later schema");
    return;
  }
  std::string name;
  std::uint32_t version = 0;
  load_string(ar, name, max_schema_name_bytes);
  ar(version);
  if (name != expected.name || version != expected.version)
    throw cereal::Exception("session: another schema");
}

template <class Archive>
void save_schema(Archive& ar, Schema schema) {
  save_string(ar, schema.name);
  ar(schema.version);
}

/// The head alone, from the start of a payload of `layout`'s kind (a second cookie of the
/// name only needs its id, never its data). False for anything that is not such a head.
COOKIESEAL_API bool read_head(std::span<const std::uint8_t> plaintext, std::uint8_t layout,
                              SessionHead& head);

/// The data half of a session, as SessionManager sees it: read from an opened plaintext into a
/// value of the reader's own (never into the session before every check passed), and written
/// after a head. One implementation for Session's entries (src/session/), one per T below.
class PayloadIo {
 public:
  /// The layout byte this payload writes (layout_map or layout_typed).
  [[nodiscard]] virtual std::uint8_t layout() const noexcept = 0;
  /// Reads head and data from `plaintext`; false when it is not such a payload (bad_payload).
  /// Only std::bad_alloc propagates.
  [[nodiscard]] virtual bool read(std::span<const std::uint8_t> plaintext, SessionHead& head) = 0;
  /// Writes head and data.
  virtual void write(BufferOutputArchive& ar, const SessionHead& head) const = 0;

 protected:
  PayloadIo() = default;
  PayloadIo(const PayloadIo&) = default;
  PayloadIo& operator=(const PayloadIo&) = default;
  ~PayloadIo() = default;
};

/// A T that declares its schema identity (see TypedSession).
template <class T>
concept DeclaresSessionSchema = requires {
  { T::session_schema } -> std::convertible_to<std::string_view>;
  { T::session_schema_version } -> std::convertible_to<std::uint32_t>;
};

/// TypedSession<T>'s payload: head, schema, then T as its own serialize/save writes it.
template <class T>
class TypedPayloadIo final : public PayloadIo {
 public:
  /// Reads into `in` (may be null for a writer), writes from `out` (may be null for a reader).
  TypedPayloadIo(T* in, const T* out) noexcept : in_(in), out_(out) {}
  [[nodiscard]] std::uint8_t layout() const noexcept override { return layout_typed; }
  [[nodiscard]] bool read(std::span<const std::uint8_t> plaintext, SessionHead& head) override {
    try {
      BoundedInputArchive ar(plaintext.data(), plaintext.size());
      load_head(ar, layout_typed, head);
      load_schema(ar, head, schema());
      if (read_before_) *in_ = T{};  // a later candidate's read starts afresh, whatever T's load() does
      read_before_ = true;
      ar(*in_);
      return ar.remaining() == 0;  // trailing bytes: not this type
    } catch (const std::bad_alloc&) {
      throw;
    } catch (...) {  // cereal::Exception, or anything the user's load() throws
      return false;
    }
  }
  void write(BufferOutputArchive& ar, const SessionHead& head) const override {
    save_head(ar, layout_typed, head);
    save_schema(ar, schema());
    ar(*out_);
  }

 private:
  static Schema schema() noexcept {
    return Schema{std::string_view(T::session_schema), static_cast<std::uint32_t>(T::session_schema_version)};
  }
  T* in_;
  const T* out_;
  bool read_before_ = false;  // *in_ holds an earlier candidate's (refused) value
};

}  // namespace cookieseal::detail
