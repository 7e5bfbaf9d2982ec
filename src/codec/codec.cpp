// cookieseal - Codec: its settings checked once; the work is the Sealer's and the archive's
#include <cookieseal/codec.hpp>

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

std::string_view to_string(Error error) noexcept {
  switch (error) {
    case Error::malformed: return "malformed";
    case Error::unsupported_version: return "unsupported_version";
    case Error::unknown_key: return "unknown_key";
    case Error::tampered: return "tampered";
    case Error::expired: return "expired";
    case Error::bad_payload: return "bad_payload";
    case Error::too_large: return "too_large";
    case Error::unavailable: return "unavailable";
    case Error::conflict: return "conflict";
    case Error::stale: return "stale";
  }
  return "unknown_error";
}

std::ostream& operator<<(std::ostream& os, Error error) { return os << to_string(error); }

Codec::Codec(Keyring keyring, Options options)
    : options_(std::move(options)), sealer_(std::move(keyring), sealer_options(options_)) {}

}  // namespace cookieseal
