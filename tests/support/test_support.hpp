// cookieseal tests - shared helpers: fixed keys, environment scoping, a fixed clock
#pragma once

#include "fixed_nonce.hpp"  // seal_with_fixed_nonce

#include <cookieseal/codec.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_support {

/// True in a ThreadSanitizer build, where the long single-threaded sweeps would only be slow.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool under_tsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool under_tsan = true;
#else
inline constexpr bool under_tsan = false;
#endif
#else
inline constexpr bool under_tsan = false;
#endif

/// Key A of docs/FORMAT.md: bytes 00 01 .. 1f.
inline constexpr const char* key_a_text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// Key B of docs/FORMAT.md: bytes ff fe .. e0.
inline constexpr const char* key_b_text = "__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA";

inline cookieseal::Keyring ring(std::initializer_list<const char*> texts) {
  std::vector<cookieseal::Key> keys;
  for (const char* t : texts) keys.push_back(cookieseal::Key::parse(t));
  return cookieseal::Keyring(std::move(keys));
}

/// Seals an arbitrary plaintext under key A with the real sealing code (fixed nonce, expiry in
/// 2100): authentication passes, so only the payload check can reject it.
inline std::string seal_plaintext(const std::string& plaintext, std::string_view name = "s") {
  const auto key = cookieseal::Key::parse(key_a_text);
  return seal_with_fixed_nonce(key, name, 4102444800ULL, {}, std::string_view(plaintext));
}

/// v as 8 little-endian bytes (a payload's length prefix).
inline std::string le64(std::uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

/// A clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<std::chrono::sys_seconds> now =
      std::make_shared<std::chrono::sys_seconds>(std::chrono::seconds(1767225600));  // 2026-01-01
  [[nodiscard]] std::function<std::chrono::sys_seconds()> fn() const {
    auto p = now;
    return [p] { return *p; };
  }
  void advance(std::chrono::seconds s) const { *now += s; }
};

/// Sets (or unsets, with nullopt) an environment variable for the scope of the object.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) ::setenv(name_.c_str(), value->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// The message of the ConfigError that f throws, or "" when it throws none.
template <class F>
std::string config_error_of(F&& f) {
  try {
    f();
  } catch (const cookieseal::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace test_support
