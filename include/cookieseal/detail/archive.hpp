// cookieseal - cereal archives for the payload: PortableBinary's bytes, bounded reads
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

// The payload format is cereal's PortableBinaryOutputArchive (little-endian, docs/FORMAT.md
// §Payload). These two archives write and read exactly those bytes, but
//  - write straight into a std::string (no ostream), and
//  - read from a byte span, checking every length prefix against the bytes left, so a
//    forged length (say 2^60) is an error before any container is resized to it. cereal's
//    stock archives resize to whatever a length prefix says.
// Only authenticated plaintext ever reaches the reader.

#include <cereal/cereal.hpp>  // OutputArchive, InputArchive, SizeTag, BinaryData, NameValuePair

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

namespace cookieseal::detail {

inline constexpr bool host_is_little = std::endian::native == std::endian::little;
inline constexpr std::uint8_t payload_little_endian = 1;  // cereal's first payload byte
inline constexpr std::uint8_t payload_big_endian = 0;

template <std::size_t Size>
inline void reverse_each(std::uint8_t* p, std::size_t bytes) noexcept {
  if constexpr (Size > 1) {
    for (std::size_t i = 0; i + Size <= bytes; i += Size) {
      for (std::size_t a = i, b = i + Size - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
    }
  }
}

/// Appends cereal PortableBinary bytes (little-endian) to a string.
class BufferOutputArchive
    : public cereal::OutputArchive<BufferOutputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit BufferOutputArchive(std::string& out)
      : cereal::OutputArchive<BufferOutputArchive, cereal::AllowEmptyClassElision>(this), out_(out) {
    out_.push_back(static_cast<char>(payload_little_endian));
  }

  template <std::size_t Size>
  void save_binary(const void* data, std::size_t bytes) {
    const std::size_t at = out_.size();
    out_.append(static_cast<const char*>(data), bytes);
    if constexpr (!host_is_little)
      reverse_each<Size>(reinterpret_cast<std::uint8_t*>(out_.data() + at), bytes);
  }

 private:
  std::string& out_;
};

/// Reads cereal PortableBinary bytes from a span; throws cereal::Exception on any overrun,
/// any length prefix larger than the bytes left, a bool byte other than 0 or 1, or an
/// endianness flag other than 0 or 1.
class BoundedInputArchive : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  BoundedInputArchive(const std::uint8_t* data, std::size_t size)
      : cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this),
        p_(data),
        end_(data + size) {
    std::uint8_t flag = 0;
    load_binary<1>(&flag, 1);
    if (flag != payload_little_endian && flag != payload_big_endian) {
      throw cereal::Exception("payload: bad endianness flag");
    }
    swap_ = (flag == payload_little_endian) != host_is_little;
  }

  template <std::size_t Size>
  void load_binary(void* data, std::size_t bytes) {
    if (bytes > remaining()) throw cereal::Exception("payload: truncated");
    if (bytes == 0) return;  // an empty vector's data() may be null: memcpy(nullptr, p, 0) is UB
    std::memcpy(data, p_, bytes);
    p_ += bytes;
    if (swap_) reverse_each<Size>(static_cast<std::uint8_t*>(data), bytes);
  }

  [[nodiscard]] std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }

  /// The next `bytes` bytes, consumed (throws like load_binary when fewer are left).
  [[nodiscard]] const std::uint8_t* take(std::size_t bytes) {
    if (bytes > remaining()) throw cereal::Exception("payload: truncated");
    const std::uint8_t* at = p_;
    p_ += bytes;
    return at;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  bool swap_ = false;
};

// --- arithmetic values -------------------------------------------------------------------
template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_SAVE_FUNCTION_NAME(BufferOutputArchive& ar, const T& t) {
  static_assert(!std::is_floating_point_v<T> || std::numeric_limits<T>::is_iec559,
                "the payload format needs IEEE 754 floating point");
  if constexpr (std::is_same_v<T, bool>) {
    const std::uint8_t b = t ? 1 : 0;
    ar.template save_binary<1>(&b, 1);
  } else {
    ar.template save_binary<sizeof(T)>(std::addressof(t), sizeof(T));
  }
}

template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, T& t) {
  static_assert(!std::is_floating_point_v<T> || std::numeric_limits<T>::is_iec559,
                "the payload format needs IEEE 754 floating point");
  if constexpr (std::is_same_v<T, bool>) {
    std::uint8_t b = 0;  // a bool is 0 or 1; anything else would be undefined behaviour
    ar.template load_binary<1>(&b, 1);
    if (b > 1) throw cereal::Exception("payload: bool byte not 0 or 1");
    t = b == 1;
  } else {
    ar.template load_binary<sizeof(T)>(std::addressof(t), sizeof(T));
  }
}

// --- names are not written (as in cereal's binary archives) -------------------------------
template <class Archive, class T>
CEREAL_ARCHIVE_RESTRICT(BoundedInputArchive, BufferOutputArchive)
CEREAL_SERIALIZE_FUNCTION_NAME(Archive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

// --- container lengths ---------------------------------------------------------------------
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(BufferOutputArchive& ar, const cereal::SizeTag<T>& t) {
  ar(t.size);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
  // Every element takes at least one byte, except empty classes (elided): a count above the
  // bytes left is a lie, and checking it here bounds every resize cereal does next.
  if (t.size > ar.remaining()) throw cereal::Exception("payload: length prefix exceeds the data");
}

// --- contiguous arithmetic data (strings, vectors of numbers) ------------------------------
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(BufferOutputArchive& ar, const cereal::BinaryData<T>& bd) {
  using E = std::remove_pointer_t<T>;
  ar.template save_binary<sizeof(E)>(bd.data, static_cast<std::size_t>(bd.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::BinaryData<T>& bd) {
  using E = std::remove_pointer_t<T>;
  if constexpr (std::is_same_v<std::remove_cv_t<E>, bool>) {
    for (std::size_t i = 0; i < bd.size; ++i) ar(bd.data[i]);  // each byte checked as a bool
  } else {
    ar.template load_binary<sizeof(E)>(bd.data, static_cast<std::size_t>(bd.size));
  }
}

// --- byte strings: one copy into the string, without cereal's zero-filling resize first ------
// (more specialized than cereal/types/string.hpp's load, so it wins for this archive)
template <class CharT, class Traits, class Alloc>
std::enable_if_t<sizeof(CharT) == 1> CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar,
                                                               std::basic_string<CharT, Traits, Alloc>& str) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));  // checked against the bytes left
  str.assign(reinterpret_cast<const CharT*>(ar.take(static_cast<std::size_t>(size))),
             static_cast<std::size_t>(size));
}

}  // namespace cookieseal::detail

CEREAL_REGISTER_ARCHIVE(cookieseal::detail::BufferOutputArchive)
CEREAL_REGISTER_ARCHIVE(cookieseal::detail::BoundedInputArchive)
CEREAL_SETUP_ARCHIVE_TRAITS(cookieseal::detail::BoundedInputArchive, cookieseal::detail::BufferOutputArchive)
