// cookieseal - checks shared by the revocation lists
#pragma once

#include <cookieseal/error.hpp>

#include <string_view>

namespace cookieseal::detail {

/// A user name revoke_user accepts: 1 to max_user_bytes bytes (malformed / too_large).
[[nodiscard]] Result<void> check_user(std::string_view user) noexcept;

}  // namespace cookieseal::detail
