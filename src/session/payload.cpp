// cookieseal - reading session payloads: the head alone, and Session's entries
#include "session/payload.hpp"

#include <new>

namespace cookieseal::detail {

bool read_head(std::span<const std::uint8_t> plaintext, std::uint8_t layout, SessionHead& head) {
  try {
    BoundedInputArchive ar(plaintext.data(), plaintext.size());
    load_head(ar, layout, head);
    return true;
  } catch (const cereal::Exception&) {
    return false;
  }
}

bool MapPayloadIo::read(std::span<const std::uint8_t> plaintext, SessionHead& head) {
  try {
    MapPayloadIn in;
    BoundedInputArchive ar(plaintext.data(), plaintext.size());
    ar(in);
    if (ar.remaining() != 0) return false;  // trailing bytes: not a Session payload
    head = std::move(in.head);
    *in_ = std::move(in.entries);
    return true;
  } catch (const cereal::Exception&) {
    return false;
  }
}

}  // namespace cookieseal::detail
