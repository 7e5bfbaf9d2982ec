// cookieseal tests - the payload bytes the library writes for a value (docs/FORMAT.md §Payload)
#pragma once

#include <cookieseal/detail/archive.hpp>

#include <string>

namespace test_support {

/// The plaintext Codec::encode would seal for `value`: the endianness flag, then cereal's
/// PortableBinary bytes of the value.
template <class T>
std::string payload_bytes(const T& value) {
  std::string out;
  {
    cookieseal::detail::BufferOutputArchive ar(out);
    ar(value);
  }
  return out;
}

}  // namespace test_support
