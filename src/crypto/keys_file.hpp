// cookieseal - reading a keys file so that its text lands in one buffer, wiped afterwards
#pragma once

#include <cookieseal/keyring.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// Keys files larger than this are refused.
inline constexpr std::size_t max_keys_file_bytes = 1 << 20;

/// Keyring::from_file's work. The file is read with open/read straight into `scratch` (no
/// stdio buffer, no growing string that leaves copies behind when it reallocates), parsed in
/// place, and `scratch` is wiped with sodium_memzero before this returns or throws. A file of
/// scratch.size() bytes or more is refused as larger than scratch.size() - 1 bytes; from_file
/// passes max_keys_file_bytes + 1.
[[nodiscard]] Keyring read_keys_file(const std::string& path, std::string_view source,
                                     std::span<char> scratch);

}  // namespace cookieseal::detail
