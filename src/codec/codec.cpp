// cookieseal - Codec: its settings checked once; the work is the Sealer's and the archive's
#include <cookieseal/codec.hpp>

#include <array>
#include <ostream>

namespace cookieseal {
namespace {

SealerOptions sealer_options(const Options& options) {
  Lifetimes lifetimes;
  lifetimes.ttl = options.ttl;
  lifetimes.max_lifetime = options.ttl;  // a codec value has no lifetime beyond its ttl
  lifetimes.leeway = options.leeway;
  lifetimes.validate("codec");  // the same limits as Config's
  return SealerOptions{lifetimes.effective_leeway(), options.max_value_bytes, options.clock};
}

}  // namespace

// Indexed by the enumerator's value (Error starts at 1).
constexpr std::array<std::string_view, error_count> error_names = {
    "",        "malformed",   "unsupported_version", "unknown_key", "tampered",
    "expired", "bad_payload", "too_large",           "unavailable", "conflict",
    "stale"};

std::string_view to_string(Error error) noexcept {
  const auto i = static_cast<std::size_t>(error);
  return i > 0 && i < error_names.size() ? error_names[i] : "unknown_error";
}

std::ostream& operator<<(std::ostream& os, Error error) { return os << to_string(error); }

Codec::Codec(Keyring keyring, Options options)
    : options_(std::move(options)), sealer_(std::move(keyring), sealer_options(options_)) {}

}  // namespace cookieseal
