// cookieseal - the store backend: a sealed reference in the cookie, the sealed data in a store
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/lifetimes.hpp>
#include <cookieseal/session_store.hpp>
#include <cookieseal/set_cookie.hpp>

#include "session/backend.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal {

/// The reference cookie's layout byte (docs/STORE.md §Reference cookie), after 1-4 of
/// docs/SESSION.md.
inline constexpr std::uint8_t layout_reference = 5;
/// Plaintext bytes of a reference: endianness flag, layout, id, issued_at.
inline constexpr std::size_t reference_plaintext_bytes = 1 + 1 + 16 + 8;
/// Bytes of a store key (BLAKE2b output), docs/STORE.md §Keys.
inline constexpr std::size_t store_key_bytes = 32;

/// The settings of a StoreBackend. A plain struct: each field says its default.
struct StoreBackendOptions {
  /// Default is server.
  StoreMode mode = StoreMode::server;
  /// automatic: the longest cookie value (characters) kept in the cookie; the caller derives it
  /// from what still fits a 4096-byte Set-Cookie with its name and attributes. Default is 0.
  std::size_t inline_value_bytes = 0;
  /// The longest sealed record written or read (bytes, docs/STORE.md §Record); a longer one is
  /// Error::too_large. Default is 1 MiB.
  std::size_t max_record_bytes = std::size_t{1} << 20;
  /// The manager's lifetimes: a record is sealed until created_at + max_lifetime, the latest
  /// any renewal can take it. Default is Lifetimes{}.
  Lifetimes lifetimes;
  /// Key for the keyed BLAKE2b of ids and user names (16-64 bytes); empty: unkeyed BLAKE2b
  /// (ids are 128 random bits either way; a key also hides which user names have sessions).
  /// Default is empty.
  std::string hash_key;
  /// The most sessions sessions_of() and remove_others() look at for one user. Default is 256.
  std::size_t max_listed = 256;
};

/// A SessionBackend over a SessionStore (docs/STORE.md). Opens both a reference cookie and a
/// full cookie payload (decided by the layout byte after opening), so a session moves between
/// the two. Thread-safe as its store; counts the records that failed to open, by Error.
class StoreBackend final : public SessionBackend {
 public:
  /// Throws ConfigError for a null store or a hash_key of the wrong length.
  StoreBackend(std::shared_ptr<SessionStore> store, StoreBackendOptions options);

  [[nodiscard]] Result<Opened> open(const Sealer& sealer, std::string_view cookie_name,
                                    std::string_view cookie_value) const override;
  [[nodiscard]] Result<std::string> save(const Sealer& sealer, std::string_view cookie_name,
                                         const detail::SessionHead& head, std::string& buffer,
                                         std::chrono::sys_seconds expires_at) const override;
  [[nodiscard]] Result<void> remove(const detail::SessionHead& head) const override;
  [[nodiscard]] Result<Opened> open_placed(const Sealer& sealer, std::string_view cookie_name,
                                           std::string_view cookie_value,
                                           Placement& placement) const override;
  [[nodiscard]] Result<std::string> save_placed(const Sealer& sealer, std::string_view cookie_name,
                                                const detail::SessionHead& head, std::string& buffer,
                                                std::chrono::sys_seconds expires_at,
                                                const SaveContext& context) const override;
  [[nodiscard]] Result<std::optional<std::string>> renew(const Sealer& sealer, std::string_view cookie_name,
                                                         const detail::SessionHead& head,
                                                         const Placement& placement,
                                                         std::chrono::sys_seconds expires_at) const override;
  [[nodiscard]] Result<std::vector<SessionListing>> sessions_of(const Sealer& sealer,
                                                                std::string_view cookie_name,
                                                                std::string_view user,
                                                                const detail::SessionHead* current,
                                                                std::size_t limit) const override;
  [[nodiscard]] Result<std::size_t> remove_others(const Sealer& sealer, std::string_view cookie_name,
                                                  std::string_view user,
                                                  const detail::SessionHead& keep) const override;

  /// The longest sealed record written or read (StoreBackendOptions::max_record_bytes).
  [[nodiscard]] std::size_t max_record_bytes() const noexcept { return options_.max_record_bytes; }
  /// Records that failed to open since start, indexed by Error (tampered, unknown_key,
  /// malformed, expired, too_large, bad_payload for a record of another session).
  [[nodiscard]] std::array<std::uint64_t, error_count> record_errors() const noexcept;

  /// The store key of a session id ("s:" + hex of its BLAKE2b): the id never reaches the store.
  [[nodiscard]] std::string record_key(std::span<const std::uint8_t, 16> id) const;
  /// The store key of a user's index ("u:" + hex of the BLAKE2b of the user name).
  [[nodiscard]] std::string index_key(std::string_view user) const;
  /// The associated name records are sealed under: "cookieseal-store:" + cookie name.
  [[nodiscard]] static std::string record_name(std::string_view cookie_name);

 private:
  [[nodiscard]] Result<Opened> open_record(const Sealer& sealer, std::string_view cookie_name,
                                           std::span<const std::uint8_t, 16> id, Placement& placement) const;
  [[nodiscard]] Result<std::string> store(const Sealer& sealer, std::string_view cookie_name,
                                          const detail::SessionHead& head, std::string& buffer,
                                          std::chrono::sys_seconds expires_at,
                                          const SaveContext& context) const;
  // The user-index entry of the record under `key`, in `index` (both must outlive it).
  [[nodiscard]] IndexUpdate index_entry(const Sealer& sealer, std::string_view index, std::string_view key,
                                        const detail::SessionHead& head) const noexcept;
  [[nodiscard]] static std::chrono::milliseconds store_ttl(const Sealer& sealer,
                                                           std::chrono::sys_seconds expires_at);
  [[nodiscard]] Result<void> remove_id(std::span<const std::uint8_t, 16> id, std::string_view user) const;
  Error count(Error error) const noexcept;
  [[nodiscard]] std::string hash_hex(std::string_view domain, std::span<const std::uint8_t> bytes) const;

  std::shared_ptr<SessionStore> store_;
  StoreBackendOptions options_;
  mutable std::array<std::atomic<std::uint64_t>, error_count> record_errors_{};
};

/// StoreBackendOptions::inline_value_bytes for automatic mode: the longest cookie value whose
/// Set-Cookie (cookie `name`, `attributes`, Max-Age up to `longest_max_age`) still fits
/// max_set_cookie_bytes; 0 when none does.
[[nodiscard]] std::size_t inline_value_limit(std::string_view name, const CookieAttributes& attributes,
                                             std::chrono::seconds longest_max_age) noexcept;

/// The reference cookie value for session `id` issued at `issued_at`, valid until expires_at.
[[nodiscard]] Result<std::string> seal_reference(const Sealer& sealer, std::string_view cookie_name,
                                                 std::span<const std::uint8_t, 16> id,
                                                 std::uint64_t issued_at,
                                                 std::chrono::sys_seconds expires_at);

}  // namespace cookieseal
