// cookieseal - XChaCha20-Poly1305 sealing of the v1 layout (see seal.hpp)
#include "crypto/seal.hpp"

#include "crypto/sodium.hpp"
#include "encoding/base64url.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace cookieseal::detail {
namespace {

// The associated data is header || cookie name: the header authenticates the version, key id
// and expiry; the name stops a cookie being replayed under another cookie's name.
class AssociatedData {
 public:
  AssociatedData(const std::uint8_t* header, std::string_view name) {
    const std::size_t n = format::header_bytes + name.size();
    std::uint8_t* p = n <= inline_.size() ? inline_.data() : (heap_.resize(n), heap_.data());
    std::copy_n(header, format::header_bytes, p);
    std::copy(name.begin(), name.end(), p + format::header_bytes);
    data_ = p;
    size_ = n;
  }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return data_; }
  [[nodiscard]] unsigned long long size() const noexcept { return size_; }

 private:
  std::array<std::uint8_t, format::header_bytes + 128> inline_;  // not zeroed: fully written first
  std::vector<std::uint8_t> heap_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

std::uint8_t* bytes(std::string& s) noexcept { return reinterpret_cast<std::uint8_t*>(s.data()); }

}  // namespace

std::uint64_t read_expires(const std::uint8_t* raw) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < format::expires_bytes; ++i) v = v << 8 | raw[format::expires_offset + i];
  return v;
}

void seal_in_place(const Key& key, std::string_view cookie_name, std::uint64_t expires_at,
                   const std::uint8_t* nonce, std::string& raw) {
  const std::size_t plaintext_bytes = raw.size() - format::header_bytes;
  raw.resize(raw.size() + format::tag_bytes);
  std::uint8_t* p = bytes(raw);
  p[0] = format::version;
  std::copy_n(key.id().bytes.data(), format::key_id_bytes, p + format::key_id_offset);
  for (std::size_t i = 0; i < format::expires_bytes; ++i) {
    p[format::expires_offset + i] = static_cast<std::uint8_t>(expires_at >> (56 - 8 * i));
  }
  std::copy_n(nonce, format::nonce_bytes, p + format::nonce_offset);
  const AssociatedData ad(p, cookie_name);
  std::uint8_t* body = p + format::header_bytes;
  crypto_aead_xchacha20poly1305_ietf_encrypt(body, nullptr, body, plaintext_bytes, ad.data(), ad.size(),
                                             nullptr, p + format::nonce_offset, key.secret().data());
}

bool open_in_place(const Key& key, std::string_view cookie_name, std::string& raw) {
  std::uint8_t* p = bytes(raw);
  const AssociatedData ad(p, cookie_name);
  std::uint8_t* body = p + format::header_bytes;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(body, nullptr, nullptr, body,
                                                    raw.size() - format::header_bytes, ad.data(), ad.size(),
                                                    p + format::nonce_offset, key.secret().data()) == 0;
}

}  // namespace cookieseal::detail
