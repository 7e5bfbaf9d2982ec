// cookieseal - cereal archives for the payload: PortableBinary's bytes, bounded reads
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

// The payload format is cereal's PortableBinaryOutputArchive (little-endian, docs/FORMAT.md
// §Payload). These two archives write and read exactly those bytes, but
//  - write straight into a std::string (no ostream), and
//  - read from a byte span, checking every length prefix against the bytes left, so a
//    forged length (say 2^60) is an error before any container is resized to it. cereal's
//    stock archives resize to whatever a length prefix says;
//  - charge every container's count x sizeof(element), and every smart pointer's pointee, to
//    an allocation budget of max_allocation_per_byte bytes per payload byte: a count may not
//    exceed the bytes left, but a few KB of counts times 64 KiB elements would still be
//    hundreds of MB;
//  - refuse nesting deeper than max_payload_depth containers and pointers: a recursive type
//    (a unique_ptr chain, a vector of itself) would otherwise recurse once per few bytes
//    until the stack overflows. Every recursion goes through a container or a pointer.
// Only authenticated plaintext ever reaches the reader. Every refusal is a cereal::Exception
// (Codec's Error::bad_payload).

#include <cereal/cereal.hpp>  // OutputArchive, InputArchive, SizeTag, BinaryData, NameValuePair

#include <algorithm>
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

/// Containers and smart pointers that a payload may nest inside one another (docs/SECURITY.md,
/// "Hostile input is harmless"); one more is cereal::Exception.
inline constexpr std::size_t max_payload_depth = 64;
/// Bytes of container elements and pointees a payload may make the reader allocate, per byte
/// of payload: 64 x a 3 KB payload is 192 KiB.
inline constexpr std::size_t max_allocation_per_byte = 64;
/// The budget of any payload, however short, so small values of large types still load. (A
/// payload with more element bytes per byte of its own, e.g. thousands of empty
/// std::optional<BigStruct> in a vector, is refused like an attack.)
inline constexpr std::size_t min_allocation_budget = std::size_t{16} * 1024;

// What a type costs when the reader meets it: a container (value_type; its size tag comes
// next) charges its count x element size; a smart pointer (element_type) its pointee now.
template <class T>
concept PayloadContainer = std::is_class_v<T> && requires {
  typename T::value_type;
};
template <class T>
concept PayloadPointer = std::is_class_v<T> && requires {
  typename T::element_type;
};

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
        end_(data + size),
        budget_(std::max(min_allocation_budget, size * max_allocation_per_byte)) {
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

  /// Takes `count` x `element_bytes` from the allocation budget, or throws.
  void charge(std::uint64_t count, std::size_t element_bytes) {
    const std::size_t each = std::max<std::size_t>(element_bytes, 1);
    if (count > budget_ / each) throw cereal::Exception("payload: allocates more than its size allows");
    budget_ -= static_cast<std::size_t>(count) * each;
  }
  /// The element size the next size tag is charged at (set by the container's prologue).
  void expect_elements(std::size_t element_bytes) noexcept { element_bytes_ = element_bytes; }
  [[nodiscard]] std::size_t element_bytes() const noexcept { return element_bytes_; }

  /// One level deeper into containers and pointers; throws past max_payload_depth.
  void enter() {
    if (++depth_ > max_payload_depth) throw cereal::Exception("payload: nested too deeply");
  }
  void leave() noexcept { --depth_; }

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
  std::size_t budget_;
  std::size_t element_bytes_ = 1;
  std::size_t depth_ = 0;
  bool swap_ = false;
};

// --- allocation budget and depth: cereal calls prologue / epilogue around every value ------
template <class T>
void prologue(BoundedInputArchive& ar, const T&) {
  if constexpr (PayloadContainer<T>) {
    ar.enter();
    ar.expect_elements(sizeof(typename T::value_type));
  } else {
    ar.expect_elements(1);  // a size tag of some other type: counted at 1 byte an element
    if constexpr (PayloadPointer<T>) {
      ar.enter();
      ar.charge(1, sizeof(typename T::element_type));
    }
  }
}
template <class T>
void epilogue(BoundedInputArchive& ar, const T&) noexcept {
  if constexpr (PayloadContainer<T> || PayloadPointer<T>) ar.leave();
}
// A size tag and a name are read inside their container's prologue: they change nothing.
template <class T>
void prologue(BoundedInputArchive&, const cereal::SizeTag<T>&) noexcept {}
template <class T>
void epilogue(BoundedInputArchive&, const cereal::SizeTag<T>&) noexcept {}
template <class T>
void prologue(BoundedInputArchive&, const cereal::NameValuePair<T>&) noexcept {}
template <class T>
void epilogue(BoundedInputArchive&, const cereal::NameValuePair<T>&) noexcept {}

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
  const std::size_t element_bytes = ar.element_bytes();  // before reading the count resets it
  ar(t.size);
  // Every element takes at least one byte, except empty classes (elided): a count above the
  // bytes left is a lie. And count x element size is charged to the budget, which bounds the
  // resize cereal does next whatever the element type.
  if (t.size > ar.remaining()) throw cereal::Exception("payload: length prefix exceeds the data");
  ar.charge(static_cast<std::uint64_t>(t.size), element_bytes);
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
