// cookieseal - detail::Placement: where a loaded session's data lives (cookie or store record),
// and the tag for a session whose id load() sets
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace cookieseal::detail {

/// Tag for the sessions SessionManager::load() fills in: no id is drawn for them up front (it
/// comes from the cookie, or is drawn when none opens), saving a random-generator call.
struct UnsetId {
  explicit UnsetId() = default;
};

/// What a backend learned while opening, beyond the plaintext; a session keeps it until its
/// commit (docs/STORE.md §Store mode). A cookie session leaves it as it is.
struct Placement {
  bool stored = false;        ///< the cookie was a reference: the data came from a store record
  std::uint64_t version = 0;  ///< the record's store version when it was read (0: none)
  /// When stored: the id whose record was read. A save under another id (regenerate_id())
  /// removes that record, so the pre-login reference no longer opens.
  std::array<std::uint8_t, 16> id{};
  /// When stored: the reference cookie's expiry and issue time, which a renewal moves without
  /// rewriting the record. The session's expires_at and issued_at are these, not the record's.
  std::chrono::sys_seconds expires_at{};
  std::uint64_t issued_at = 0;
  bool reference_needs_reseal = false;  ///< the reference was sealed under a non-primary key
  /// When stored: the id (KeyId bytes) of the key the reference opened with. Usage counts it
  /// with the record's, so a key is not retired while references under it are still out.
  std::array<std::uint8_t, 4> reference_key{};
  /// When stored: the user the record was written for (its head's), so a commit rewrites the
  /// user index only when the session is new to the store, its id or its user changed.
  std::string user;
};

}  // namespace cookieseal::detail
