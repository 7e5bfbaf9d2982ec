// cookieseal - detail::Scratch: the per-thread buffer that plaintext passes through, wiped after use
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

#include <cookieseal/export.hpp>

#include <string>

namespace cookieseal::detail {

/// Borrows the calling thread's reusable buffer (no allocation in the steady state) and wipes
/// it when released, so no plaintext lingers. A nested use on the same thread (a value whose
/// save() itself seals) gets a buffer of its own instead. Movable, so an opened plaintext can
/// be returned with the buffer it lives in; release happens on the thread that borrowed.
class COOKIESEAL_API Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(Scratch&& other) noexcept;
  Scratch& operator=(Scratch&&) = delete;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  /// The buffer.
  [[nodiscard]] std::string& bytes() noexcept { return *bytes_; }
  /// The buffer, read-only.
  [[nodiscard]] const std::string& bytes() const noexcept { return *bytes_; }

 private:
  std::string* bytes_;  // the thread's buffer, or own_ (then re-pointed on move)
  std::string own_;
  bool borrowed_;
};

}  // namespace cookieseal::detail
