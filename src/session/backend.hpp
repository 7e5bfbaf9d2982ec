// cookieseal - the backend seam: where a sealed session lives (the cookie itself, or a store)
#pragma once

#include <cookieseal/detail/session_payload.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/sealer.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace cookieseal {

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
};

/// Today's backend: the sealed payload is the cookie value.
[[nodiscard]] std::unique_ptr<SessionBackend> make_cookie_backend();

}  // namespace cookieseal
