// cookieseal - revocation entries as Redis stores them (docs/REVOCATION.md §Keys)
//
// One sorted set, `{<prefix>revocation}:entries`, scored by forget_at (seconds since the
// epoch), holds every entry as a member:
//   i:<32 hex digits>          a revoked session id
//   u:<not_before>:<user>      sessions of <user> created before <not_before>
//   a:<not_before>             every session created before <not_before>
// Pub/sub messages on `<prefix>revocation:events` carry "<forget_at> <member>".
#pragma once

#include "revocation/replica.hpp"

#include <cookieseal/session.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// Longest member a well-formed entry has ("u:" + 20 digits + ":" + user).
inline constexpr std::size_t max_member_bytes = 2 + 20 + 1 + max_user_bytes;

[[nodiscard]] std::string id_member(const SessionId& id);
[[nodiscard]] std::string user_member(std::string_view user, std::int64_t not_before);
[[nodiscard]] std::string all_member(std::int64_t not_before);

/// Decimal seconds (an optional '-' and 1 to 19 digits); nullopt for anything else.
[[nodiscard]] std::optional<std::int64_t> parse_seconds(std::string_view text) noexcept;

/// Applies one entry to a replica or snapshot: returns false (a bad entry, ignored) for
/// anything not of the forms above. Sink is a Replica or a Snapshot.
template <class Sink>
bool apply_entry(Sink& sink, std::string_view member, std::int64_t forget_at, std::int64_t now);

/// A message payload "<forget_at> <member>" split; nullopt when malformed.
struct Message {
  std::int64_t forget_at;
  std::string_view member;
};
[[nodiscard]] std::optional<Message> parse_message(std::string_view payload) noexcept;

template <class Sink>
bool apply_entry(Sink& sink, std::string_view member, std::int64_t forget_at, std::int64_t now) {
  if (member.size() < 3 || member.size() > max_member_bytes || member[1] != ':') return false;
  const std::string_view body = member.substr(2);
  switch (member[0]) {
    case 'i': {
      const auto id = SessionId::from_hex(body);
      if (!id || body.size() != 2 * SessionId::size) return false;
      sink.add_id(*id, forget_at, now);
      return true;
    }
    case 'u': {
      const std::size_t colon = body.find(':');
      if (colon == std::string_view::npos || colon + 1 >= body.size()) return false;
      const auto nb = parse_seconds(body.substr(0, colon));
      if (!nb) return false;
      sink.add_user(body.substr(colon + 1), NotBefore{*nb, forget_at}, now);
      return true;
    }
    case 'a': {
      const auto nb = parse_seconds(body);
      if (!nb) return false;
      sink.add_all(NotBefore{*nb, forget_at}, now);
      return true;
    }
    default: return false;
  }
}

}  // namespace cookieseal::detail
