// cookieseal - refusing key bytes that cannot have come from a random generator
#pragma once

#include <cookieseal/format.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace cookieseal::detail {

/// A key with fewer distinct byte values than this is refused (a random key has ~30).
inline constexpr std::size_t min_distinct_key_bytes = 12;

/// Why these bytes are not a usable key (all zero; fewer than min_distinct_key_bytes distinct
/// values; all printable ASCII 0x20..0x7e; base64url text of one-case letters only), as the end of a
/// ConfigError message that says how to make a real key; nullptr for a key that passes. Never mentions the
/// bytes themselves.
[[nodiscard]] const char* key_weakness(std::span<const std::uint8_t, format::key_bytes> key) noexcept;

}  // namespace cookieseal::detail
