// cookieseal - the cookie backend: the sealed payload travels in the cookie (stateless)
#include "session/backend.hpp"

namespace cookieseal {
namespace {

class CookieBackend final : public SessionBackend {
 public:
  [[nodiscard]] Result<Opened> open(const Sealer& sealer, std::string_view cookie_name,
                                    std::string_view cookie_value) const override {
    return sealer.open(cookie_name, cookie_value);
  }
  [[nodiscard]] Result<std::string> save(const Sealer& sealer, std::string_view cookie_name,
                                         const detail::SessionHead&, std::string& buffer,
                                         std::chrono::sys_seconds expires_at) const override {
    return sealer.seal_prepared(cookie_name, buffer, expires_at);
  }
  // Nothing to remove: the browser's copy is all there is.
  [[nodiscard]] Result<void> remove(const detail::SessionHead&) const override { return {}; }
};

}  // namespace

std::unique_ptr<SessionBackend> make_cookie_backend() { return std::make_unique<CookieBackend>(); }

}  // namespace cookieseal
