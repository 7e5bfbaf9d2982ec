// cookieseal - revocation entries: members, message payloads
#include "revocation/entry.hpp"

#include <charconv>

namespace cookieseal::detail {

std::string id_member(const SessionId& id) { return "i:" + id.hex(); }

std::string user_member(std::string_view user, std::int64_t not_before) {
  return "u:" + std::to_string(not_before) + ":" + std::string(user);
}

std::string all_member(std::int64_t not_before) { return "a:" + std::to_string(not_before); }

std::optional<std::int64_t> parse_seconds(std::string_view text) noexcept {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc{} || p != end) return std::nullopt;
  return n;
}

std::optional<Message> parse_message(std::string_view payload) noexcept {
  const std::size_t space = payload.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto forget_at = parse_seconds(payload.substr(0, space));
  if (!forget_at) return std::nullopt;
  return Message{*forget_at, payload.substr(space + 1)};
}

}  // namespace cookieseal::detail
