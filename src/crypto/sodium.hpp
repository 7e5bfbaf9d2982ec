// cookieseal - libsodium set-up and the static checks tying format.hpp to libsodium
#pragma once

#include <cookieseal/format.hpp>

#include <sodium.h>  // crypto_aead_xchacha20poly1305_ietf_*, crypto_generichash, sodium_malloc

namespace cookieseal::detail {

static_assert(format::key_bytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(format::nonce_bytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(format::tag_bytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(format::key_bytes >= crypto_generichash_KEYBYTES_MIN &&
              format::key_bytes <= crypto_generichash_KEYBYTES_MAX);

/// sodium_init() once (thread-safe, idempotent); throws if libsodium cannot start.
void ensure_sodium();

}  // namespace cookieseal::detail
