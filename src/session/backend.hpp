// cookieseal - the backend seam: where a sealed session lives (the cookie itself, or a store)
#pragma once

#include <cookieseal/detail/placement.hpp>
#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/sealer.hpp>
#include <cookieseal/session_store.hpp>  // SessionListing

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// What a backend learned while opening (detail/placement.hpp: a session keeps it).
using Placement = detail::Placement;

/// How save() writes, beyond the payload.
struct SaveContext {
  Placement loaded;            ///< what open_placed() said for this session (default: new)
  bool check_version = false;  ///< write only if the record is still at loaded.version: Error::conflict
};

/// Below the session policy, above the Sealer: SessionManager decides *whether* and *what* to
/// write (docs/SESSION.md); a backend decides *where* the sealed payload lives and what the
/// cookie carries. Every call gets the request's pinned sealer, so rotation reaches stored
/// data as it is written. docs/ARCHITECTURE.md §Backend seam.
class SessionBackend {
 public:
  virtual ~SessionBackend() = default;
  /// The plaintext of the session one cookie value stands for (the payload itself in the
  /// cookie backend; the record it points to in a store). Errors as Sealer::open, plus
  /// unavailable when a store cannot be reached.
  [[nodiscard]] virtual Result<Opened> open(const Sealer& sealer, std::string_view cookie_name,
                                            std::string_view cookie_value) const = 0;
  /// Stores a payload: `buffer` holds format::header_bytes of room, then the plaintext of
  /// `head`'s session. Returns the cookie value to send.
  [[nodiscard]] virtual Result<std::string> save(const Sealer& sealer, std::string_view cookie_name,
                                                 const detail::SessionHead& head, std::string& buffer,
                                                 std::chrono::sys_seconds expires_at) const = 0;
  /// Ends a session for good (destroy()): nothing for a cookie, the record for a store.
  [[nodiscard]] virtual Result<void> remove(const detail::SessionHead& head) const = 0;

  // The calls below have defaults that fit the cookie backend, so it needs none of them.

  /// open() that also says where the session came from.
  [[nodiscard]] virtual Result<Opened> open_placed(const Sealer& sealer, std::string_view cookie_name,
                                                   std::string_view cookie_value,
                                                   Placement& placement) const {
    placement = Placement{};
    return open(sealer, cookie_name, cookie_value);
  }
  /// save() knowing where the session was loaded from (a store checks the version, or moves
  /// a session between the cookie and the store).
  [[nodiscard]] virtual Result<std::string> save_placed(const Sealer& sealer, std::string_view cookie_name,
                                                        const detail::SessionHead& head, std::string& buffer,
                                                        std::chrono::sys_seconds expires_at,
                                                        const SaveContext& context) const {
    (void)context;
    return save(sealer, cookie_name, head, buffer, expires_at);
  }
  /// Renewal of an unmodified session without rewriting its data: the new cookie value, or
  /// nullopt when this backend cannot (the caller then save()s it as usual).
  [[nodiscard]] virtual Result<std::optional<std::string>> renew(const Sealer& sealer,
                                                                 std::string_view cookie_name,
                                                                 const detail::SessionHead& head,
                                                                 const Placement& placement,
                                                                 std::chrono::sys_seconds expires_at) const {
    (void)sealer, (void)cookie_name, (void)head, (void)placement, (void)expires_at;
    return std::optional<std::string>();
  }
  /// The live sessions of `user` (at most `limit`); `current` is marked. Error::unavailable
  /// from a backend that keeps no index (the cookie: sessions exist only in browsers).
  [[nodiscard]] virtual Result<std::vector<SessionListing>> sessions_of(const Sealer& sealer,
                                                                        std::string_view cookie_name,
                                                                        std::string_view user,
                                                                        const detail::SessionHead* current,
                                                                        std::size_t limit) const {
    (void)sealer, (void)cookie_name, (void)user, (void)current, (void)limit;
    return Error::unavailable;
  }
  /// Ends every session of `user` but `keep` ("sign out other devices"): how many ended.
  [[nodiscard]] virtual Result<std::size_t> remove_others(const Sealer& sealer, std::string_view cookie_name,
                                                          std::string_view user,
                                                          const detail::SessionHead& keep) const {
    (void)sealer, (void)cookie_name, (void)user, (void)keep;
    return Error::unavailable;
  }
};

/// Today's backend: the sealed payload is the cookie value.
[[nodiscard]] std::unique_ptr<SessionBackend> make_cookie_backend();

}  // namespace cookieseal
