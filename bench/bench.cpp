// cookieseal bench - cost per request: Codec encode/decode against two floors measured in the
// same binary (hand-written libsodium, and the AEAD call alone), key lookup, Cookie header
// parsing, threads, and heap allocations. docs/PERFORMANCE.md explains how to run and read it.
#include <cookieseal/codec.hpp>
#include <cookieseal/cookie_header.hpp>
#include <cookieseal/key.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/session_manager.hpp>

#include "crypto/nonce.hpp"
#include "encoding/base64url.hpp"
#include "scalar_base64url.hpp"

#include <benchmark/benchmark.h>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <sodium.h>  // the floors: randombytes_buf, crypto_aead_xchacha20poly1305_ietf_*, sodium_bin2base64

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>  // memcpy
#include <map>
#include <new>
#include <set>
#include <string>
#include <unistd.h>  // isatty
#include <vector>

// The replacement operators below pair malloc with free; GCC's check cannot see that once
// they are inlined into the library's callers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// --- counting operator new: allocations per call, per thread --------------------------------
namespace {
thread_local std::uint64_t thread_allocs = 0;

void* counted_alloc(std::size_t n) noexcept {
  ++thread_allocs;
  return std::malloc(n == 0 ? 1 : n);
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t a) noexcept {
  ++thread_allocs;
  void* p = nullptr;
  const std::size_t align = std::max(static_cast<std::size_t>(a), sizeof(void*));
  return posix_memalign(&p, align, n == 0 ? 1 : n) == 0 ? p : nullptr;
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_aligned_alloc(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = counted_aligned_alloc(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using cookieseal::Codec;
using cookieseal::Key;
using cookieseal::Keyring;

// --- payloads ---------------------------------------------------------------------------------
struct Small {  // ~64 bytes: an id and a token
  std::uint64_t user_id = 0;
  std::string token;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user_id, token);
  }
};

struct Session {  // ~250 bytes: the typical session of the issue
  static constexpr std::string_view session_schema = "bench";
  static constexpr std::uint32_t session_schema_version = 1;
  std::uint64_t user_id = 0;
  std::string user_name;
  std::string role;
  std::string csrf_token;
  std::int64_t login_time = 0;
  std::vector<std::string> recent;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user_id, user_name, role, csrf_token, login_time, recent);
  }
};

struct Large {  // ~3 KB: near the 4096-character cookie limit
  std::vector<std::uint64_t> item_ids;
  std::string note;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(item_ids, note);
  }
};

Small small_value() { return {4711, std::string(47, 't')}; }
Session typical_value() {
  return {
      4711,
      "ada.lovelace@example.com",
      "admin",
      "q1Wv3yTz8bKp0LmN4sXc7RfGh2JdE5aUoI9eYtVwQkM",  // 43 chars: 32 random bytes, base64url
      1767225600,
      {"/projects/4711/overview", "/projects/4711/settings", "/billing/invoices/2026-01", "/team/members"}};
}
Large large_value() {
  Large l;
  for (std::uint64_t i = 0; i < 350; ++i) l.item_ids.push_back(1000003 * i);
  l.note = std::string(180, 'n');
  return l;
}

template <class T>
std::size_t serialized_size(const T& v) {
  std::string s;
  {
    cookieseal::detail::BufferOutputArchive ar(s);
    ar(v);
  }
  return s.size();
}

const char* const cookie_name = "session";

Keyring ring_of(std::size_t n) {
  std::vector<Key> keys;
  for (std::size_t i = 0; i < n; ++i) keys.push_back(Key::generate());
  return Keyring(std::move(keys));
}

const Codec& shared_codec() {
  static const Codec codec(ring_of(1));
  return codec;
}

// Allocations of one call, from 64 untimed calls; `value_allocs` is what a copy of the
// returned value costs (its own allocations, which the caller asked for).
template <class F>
double allocs_per_call(F&& f) {
  const std::uint64_t before = thread_allocs;
  for (int i = 0; i < 64; ++i) f();
  return static_cast<double>(thread_allocs - before) / 64.0;
}

template <class T>
double allocs_of_copy(const T& v) {
  return allocs_per_call([&] {
    T copy = v;
    benchmark::DoNotOptimize(copy);
  });
}

void set_alloc_counters(benchmark::State& state, double total, double value) {
  state.counters["allocs"] = benchmark::Counter(total, benchmark::Counter::kAvgThreads);
  state.counters["allocs_extra"] = benchmark::Counter(total - value, benchmark::Counter::kAvgThreads);
}

// --- the library ------------------------------------------------------------------------------
template <class T>
void bm_encode(benchmark::State& state, T value) {
  const Codec& codec = shared_codec();
  const auto one = [&] { return codec.encode(cookie_name, value); };
  const auto sample = one();
  set_alloc_counters(state, allocs_per_call([&] { benchmark::DoNotOptimize(one()); }),
                     allocs_of_copy(*sample));
  for (auto _ : state) {
    auto c = one();
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * serialized_size(value)));
}

template <class T>
void bm_decode(benchmark::State& state, T value) {
  const Codec& codec = shared_codec();
  const std::string cookie = *codec.encode(cookie_name, value);
  const auto one = [&] { return codec.decode<T>(cookie_name, cookie); };
  if (!one()) state.SkipWithError("decode failed");
  set_alloc_counters(state, allocs_per_call([&] { benchmark::DoNotOptimize(one()); }),
                     allocs_of_copy(one()->value));
  for (auto _ : state) {
    auto d = one();
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * serialized_size(value)));
}

template <class T>
void bm_decode_encode(benchmark::State& state, T value) {
  const Codec& codec = shared_codec();
  const std::string cookie = *codec.encode(cookie_name, value);
  const auto one = [&] {
    auto d = codec.decode<T>(cookie_name, cookie);
    return codec.encode(cookie_name, d->value);
  };
  set_alloc_counters(state, allocs_per_call([&] { benchmark::DoNotOptimize(one()); }),
                     allocs_of_copy(value) + allocs_of_copy(cookie));
  for (auto _ : state) {
    auto c = one();
    benchmark::DoNotOptimize(c);
  }
}

// --- the floors -------------------------------------------------------------------------------
struct FloorKey {
  std::uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  FloorKey() { crypto_aead_xchacha20poly1305_ietf_keygen(key); }
};
const FloorKey floor_key;

// Hand-written: what a careful programmer writes with libsodium alone, on bytes already
// serialized: random nonce, AEAD, libsodium's base64url; the text returned as a std::string.
std::string hand_seal(const std::vector<std::uint8_t>& plaintext, std::vector<std::uint8_t>& raw) {
  constexpr std::size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  raw.resize(nb + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(raw.data(), nb);
  crypto_aead_xchacha20poly1305_ietf_encrypt(raw.data() + nb, nullptr, plaintext.data(), plaintext.size(),
                                             nullptr, 0, nullptr, raw.data(), floor_key.key);
  std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL sodium writes
  return out;
}

bool hand_open(const std::string& text, std::vector<std::uint8_t>& raw,
               std::vector<std::uint8_t>& plaintext) {
  constexpr std::size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::size_t raw_len = 0;
  raw.resize(text.size() * 3 / 4 + 3);
  if (sodium_base642bin(raw.data(), raw.size(), text.data(), text.size(), nullptr, &raw_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      raw_len < nb + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return false;
  }
  plaintext.resize(raw_len - nb - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  return crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), nullptr, nullptr, raw.data() + nb,
                                                    raw_len - nb, nullptr, 0, raw.data(), floor_key.key) == 0;
}

void bm_hand_seal(benchmark::State& state, std::size_t bytes) {
  const std::vector<std::uint8_t> plaintext(bytes, 0x5a);
  std::vector<std::uint8_t> raw;
  for (auto _ : state) {
    auto c = hand_seal(plaintext, raw);
    benchmark::DoNotOptimize(c);
  }
}

void bm_hand_open(benchmark::State& state, std::size_t bytes) {
  const std::vector<std::uint8_t> plaintext(bytes, 0x5a);
  std::vector<std::uint8_t> raw;
  std::vector<std::uint8_t> out;
  const std::string text = hand_seal(plaintext, raw);
  if (!hand_open(text, raw, out)) state.SkipWithError("hand_open failed");
  for (auto _ : state) {
    benchmark::DoNotOptimize(hand_open(text, raw, out));
  }
}

// The cipher alone: one AEAD call with a fixed nonce into a ready buffer, no encoding.
void bm_cipher_seal(benchmark::State& state, std::size_t bytes) {
  const std::vector<std::uint8_t> plaintext(bytes, 0x5a);
  std::vector<std::uint8_t> ct(bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  for (auto _ : state) {
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), nullptr, plaintext.data(), bytes, nullptr, 0,
                                               nullptr, nonce, floor_key.key);
    benchmark::DoNotOptimize(ct.data());
  }
}

void bm_cipher_open(benchmark::State& state, std::size_t bytes) {
  const std::vector<std::uint8_t> plaintext(bytes, 0x5a);
  std::vector<std::uint8_t> ct(bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  std::vector<std::uint8_t> out(bytes);
  const std::uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), nullptr, plaintext.data(), bytes, nullptr, 0, nullptr,
                                             nonce, floor_key.key);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_aead_xchacha20poly1305_ietf_decrypt(
        out.data(), nullptr, nullptr, ct.data(), ct.size(), nullptr, 0, nonce, floor_key.key));
  }
}

// --- key lookup: a cookie sealed with the LAST key of a ring of n -----------------------------
void bm_keyring(benchmark::State& state, std::size_t n) {
  const Codec codec(ring_of(n));
  std::vector<Key> only_last;
  only_last.push_back(codec.keyring().keys().back().clone());
  const Codec last{Keyring(std::move(only_last))};
  const std::string cookie = *last.encode(cookie_name, typical_value());
  const auto one = [&] { return codec.decode<Session>(cookie_name, cookie); };
  if (!one() || (n > 1 && !one()->needs_reseal)) state.SkipWithError("decode with the last key failed");
  for (auto _ : state) {
    auto d = one();
    benchmark::DoNotOptimize(d);
  }
}

// --- Cookie header: the wanted cookie last among n ----------------------------------------------
void bm_find_cookie(benchmark::State& state, std::size_t n) {
  std::string header;
  for (std::size_t i = 0; i + 1 < n; ++i)
    header += "_ga_" + std::to_string(i) + "=GA1.1.123456789." + std::to_string(i) + "; ";
  header += "session=" + std::string(340, 'A');
  const auto one = [&] { return cookieseal::find_cookie(header, cookie_name); };
  if (!one() || one()->size() != 340) state.SkipWithError("find_cookie failed");
  state.counters["allocs"] = allocs_per_call([&] { benchmark::DoNotOptimize(one()); });
  for (auto _ : state) {
    auto v = one();
    benchmark::DoNotOptimize(v);
  }
  state.counters["cookies"] = static_cast<double>(n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * header.size()));
}

// --- threads sharing one codec: encode + decode of the typical session -------------------------
void bm_threads(benchmark::State& state) {
  const Codec& codec = shared_codec();
  const Session value = typical_value();
  for (auto _ : state) {
    auto c = codec.encode(cookie_name, value);
    auto d = codec.decode<Session>(cookie_name, *c);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

// The control: the AEAD call alone, no shared state at all. If this does not scale either,
// the machine (other load, SMT siblings) is the limit, not the library.
void bm_threads_cipher(benchmark::State& state) {
  const std::size_t bytes = serialized_size(typical_value());
  const std::vector<std::uint8_t> plaintext(bytes, 0x5a);
  std::vector<std::uint8_t> ct(bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  for (auto _ : state) {
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), nullptr, plaintext.data(), bytes, nullptr, 0,
                                               nullptr, nonce, floor_key.key);
    benchmark::DoNotOptimize(ct.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// --- parts: the old scalar base64url vs the current one vs libsodium's; nonces ------------------
void bm_b64_encode(benchmark::State& state, int which, std::size_t bytes) {
  std::vector<std::uint8_t> in(bytes);
  randombytes_buf(in.data(), in.size());
  std::string out(cookieseal::format::base64url_length(bytes) + 1, '\0');
  for (auto _ : state) {
    if (which == 0) bench_scalar::encode(in.data(), bytes, out.data());
    else if (which == 1) cookieseal::detail::base64url_encode(in.data(), bytes, out.data());
    else
      sodium_bin2base64(out.data(), out.size(), in.data(), bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void bm_b64_decode(benchmark::State& state, int which, std::size_t bytes) {
  std::vector<std::uint8_t> in(bytes);
  randombytes_buf(in.data(), in.size());
  std::string text(cookieseal::format::base64url_length(bytes), '\0');
  cookieseal::detail::base64url_encode(in.data(), bytes, text.data());
  std::vector<std::uint8_t> out(bytes + 3);
  std::size_t len = 0;
  for (auto _ : state) {
    bool ok = false;
    if (which == 0) ok = bench_scalar::decode(text, out.data());
    else if (which == 1) ok = cookieseal::detail::base64url_decode(text, out.data());
    else
      ok = sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

// The nonce generator cookieseal had before (removed: a copy of the process, by a raw fork or a
// snapshot restore, replays it): a per-thread ChaCha20 fast-key-erasure stream, 32 nonces per
// call. Kept here only to price the choice of one randombytes_buf call per seal.
class StreamNonces {
 public:
  StreamNonces() { randombytes_buf(key_, sizeof key_); }
  void fill(std::uint8_t* out) noexcept {
    if (next_ == batch) {
      static const std::uint8_t zero_iv[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
      crypto_stream_chacha20_ietf(out_, sizeof out_, zero_iv, key_);
      std::memcpy(key_, out_, sizeof key_);
      next_ = 0;
    }
    std::memcpy(out, out_ + sizeof key_ + next_ * cookieseal::format::nonce_bytes,
                cookieseal::format::nonce_bytes);
    ++next_;
  }

 private:
  static constexpr std::size_t batch = 32;
  std::uint8_t key_[crypto_stream_chacha20_ietf_KEYBYTES];
  std::uint8_t out_[crypto_stream_chacha20_ietf_KEYBYTES + batch * cookieseal::format::nonce_bytes];
  std::size_t next_ = batch;
};

enum class NonceWay { os, removed_stream, synthetic };

// synthetic: what a nonce that survives a replayed stream would cost for a typical cookie:
// BLAKE2b-192 keyed, over 32 stream bytes, the 37-byte header and the 237-byte plaintext.
void bm_nonce(benchmark::State& state, NonceWay way) {
  std::uint8_t nonce[cookieseal::format::nonce_bytes];
  StreamNonces stream;
  std::uint8_t hash_key[crypto_generichash_KEYBYTES];
  randombytes_buf(hash_key, sizeof hash_key);
  std::vector<std::uint8_t> message(32 + cookieseal::format::header_bytes + serialized_size(typical_value()),
                                    7);
  for (auto _ : state) {
    if (way == NonceWay::os) {
      cookieseal::detail::fill_nonce(nonce);
    } else {
      stream.fill(nonce);
      if (way == NonceWay::synthetic) {
        std::memcpy(message.data(), nonce, sizeof nonce);
        crypto_generichash(nonce, sizeof nonce, message.data(), message.size(), hash_key, sizeof hash_key);
      }
    }
    benchmark::DoNotOptimize(nonce);
  }
}

// --- the summary: ratios to the floors, and the targets ----------------------------------------
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const std::string name = r.run_name.str();
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Aggregate && !median) continue;
      if (!median && medians_.count(name) != 0) continue;
      if (median) medians_.insert(name);
      Entry& e = entries_[name];
      e.ns = r.GetAdjustedRealTime();  // every benchmark here is in nanoseconds
      e.counters.clear();
      for (const auto& [k, c] : r.counters) e.counters[k] = c.value;
      if (std::find(order_.begin(), order_.end(), name) == order_.end()) order_.push_back(name);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    print_summary();
  }

 private:
  struct Entry {
    double ns = 0;
    std::map<std::string, double> counters;
  };

  const Entry* get(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  double ns(const std::string& name) const {
    const Entry* e = get(name);
    return e == nullptr ? 0 : e->ns;
  }
  static std::string ratio(double a, double b) {
    if (a <= 0 || b <= 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", a / b);
    return buf;
  }
  static const char* verdict(bool measured, bool ok) { return !measured ? "not run" : ok ? "met" : "MISSED"; }

  void print_summary() const {
    std::printf(
        "\n== cookieseal against the floors (real time; median when --benchmark_repetitions > 1) ==\n");
    std::printf("%-26s %10s %9s %9s %7s %7s\n", "case", "ns/op", "x hand", "x cipher", "allocs", "extra");
    for (const char* size : {"small", "typical", "large"}) {
      const std::string s = size;
      const double hand_seal = ns("floor_hand/seal/" + s), hand_open = ns("floor_hand/open/" + s);
      const double ciph_seal = ns("floor_cipher/seal/" + s), ciph_open = ns("floor_cipher/open/" + s);
      const struct {
        std::string name;
        double hand, cipher;
      } rows[] = {{"encode/" + s, hand_seal, ciph_seal},
                  {"decode/" + s, hand_open, ciph_open},
                  {"decode+encode/" + s, hand_seal + hand_open, ciph_seal + ciph_open}};
      for (const auto& row : rows) {
        const Entry* e = get(row.name);
        if (e == nullptr) continue;
        const auto c = [&](const char* k) {
          const auto it = e->counters.find(k);
          return it == e->counters.end() ? -1.0 : it->second;
        };
        std::printf("%-26s %10.0f %9s %9s %7.1f %7.1f\n", row.name.c_str(), e->ns,
                    ratio(e->ns, row.hand).c_str(), ratio(e->ns, row.cipher).c_str(), c("allocs"),
                    c("allocs_extra"));
      }
      for (const char* floor :
           {"floor_hand/seal/", "floor_hand/open/", "floor_cipher/seal/", "floor_cipher/open/"}) {
        if (const Entry* e = get(floor + s)) std::printf("  %-24s %10.0f\n", (floor + s).c_str(), e->ns);
      }
    }
    if (const Entry* e = get("session_manager/load+modify+commit")) {
      const double floor = ns("floor_hand/open/typical") + ns("floor_hand/seal/typical");
      const double cipher = ns("floor_cipher/open/typical") + ns("floor_cipher/seal/typical");
      std::printf("%-26s %10.0f %9s %9s %7.1f\n", "manager load+mod+commit", e->ns,
                  ratio(e->ns, floor).c_str(), ratio(e->ns, cipher).c_str(),
                  e->counters.count("allocs") ? e->counters.at("allocs") : -1.0);
    } else {
      std::printf("(session_manager case not run)\n");
    }
    std::printf("\n%-26s %10s %9s\n", "keyring (last key)", "ns/op", "vs 1 key");
    for (const char* n : {"1", "8", "64"}) {
      if (get(std::string("keyring/") + n)) {
        std::printf("%-26s %10.0f %9s\n", (std::string("keyring/") + n).c_str(),
                    ns(std::string("keyring/") + n),
                    ratio(ns(std::string("keyring/") + n), ns("keyring/1")).c_str());
      }
    }
    std::printf("\n%-26s %10s %12s %7s\n", "find_cookie (wanted last)", "ns/op", "ns/cookie", "allocs");
    for (const char* n : {"1", "20", "100"}) {
      if (const Entry* e = get(std::string("find_cookie/") + n)) {
        std::printf("%-26s %10.0f %12.1f %7.1f\n", (std::string("find_cookie/") + n).c_str(), e->ns,
                    e->ns / std::atof(n), e->counters.count("allocs") ? e->counters.at("allocs") : -1.0);
      }
    }
    const auto ips = [&](const std::string& name) {
      const Entry* e = get(name);
      return e == nullptr || !e->counters.count("items_per_second") ? 0.0
                                                                    : e->counters.at("items_per_second");
    };
    const double t1 = ips("threads/encode+decode/real_time/threads:1");
    const double t2 = ips("threads/encode+decode/real_time/threads:2");
    const double m1 = ips("threads/manager/real_time/threads:1");
    const double m2 = ips("threads/manager/real_time/threads:2");
    std::printf("\nthroughput, one shared Codec: 1 thread %.0f/s, 2 threads %.0f/s: %s\n", t1, t2,
                ratio(t2, t1).c_str());
    const double c1 = ips("threads/cipher_only/real_time/threads:1");
    const double c2 = ips("threads/cipher_only/real_time/threads:2");
    std::printf("control, the AEAD call alone (nothing shared): 1 thread %.0f/s, 2 threads %.0f/s: %s\n", c1,
                c2, ratio(c2, c1).c_str());
    if (c1 > 0 && c2 > 0 && t1 > 0 && t2 > 0) {
      std::printf("codec scaling relative to the control: %.2f (1.00 = scales as well as the bare cipher)\n",
                  (t2 / t1) / (c2 / c1));
    }
    if (m1 > 0)
      std::printf("throughput, one shared SessionManager: 1 thread %.0f/s, 2 threads %.0f/s: %s\n", m1, m2,
                  ratio(m2, m1).c_str());

    if (get("part/nonce/fill_nonce") && get("part/nonce/removed_stream")) {
      const double os = ns("part/nonce/fill_nonce"), stream = ns("part/nonce/removed_stream");
      std::printf(
          "\nnonce per seal: randombytes_buf %.1f ns, the removed user-space stream %.1f ns: "
          "the OS costs %.0f ns more per seal",
          os, stream, os - stream);
      if (ns("encode/typical") > 0)
        std::printf(" (%.0f%% of encode/typical)", 100 * (os - stream) / ns("encode/typical"));
      std::printf("\n");
      if (get("part/nonce/synthetic_blake2b"))
        std::printf(
            "  a synthetic nonce (stream + keyed BLAKE2b over a typical header and plaintext): %.1f ns\n",
            ns("part/nonce/synthetic_blake2b"));
    }

    std::printf("\n== targets ==\n");
    const auto target = [&](const char* what, double a, double b, double limit) {
      const bool measured = a > 0 && b > 0;
      std::printf("%-52s %8s  (<= %.2fx)  %s\n", what, ratio(a, b).c_str(), limit,
                  verdict(measured, measured && a / b <= limit));
    };
    target("typical encode / hand-written floor", ns("encode/typical"), ns("floor_hand/seal/typical"), 0.6);
    target("typical decode / hand-written floor", ns("decode/typical"), ns("floor_hand/open/typical"), 0.6);
    target("typical decode+encode / hand-written floors", ns("decode+encode/typical"),
           ns("floor_hand/seal/typical") + ns("floor_hand/open/typical"), 0.6);
    target("typical encode / cipher floor", ns("encode/typical"), ns("floor_cipher/seal/typical"), 1.6);
    target("typical decode / cipher floor", ns("decode/typical"), ns("floor_cipher/open/typical"), 1.6);
    target("3 KB encode / cipher floor", ns("encode/large"), ns("floor_cipher/seal/large"), 1.3);
    target("3 KB decode / cipher floor", ns("decode/large"), ns("floor_cipher/open/large"), 1.3);
    target("64 keys / 1 key (decode, last key)", ns("keyring/64"), ns("keyring/1"), 1.1);
    {
      const bool measured = t1 > 0 && t2 > 0;
      std::printf("%-52s %8s  (>= 1.80x)  %s\n", "2 threads / 1 thread (throughput)", ratio(t2, t1).c_str(),
                  verdict(measured, measured && t2 / t1 >= 1.8));
    }
    double worst_extra = -1;
    for (const auto& [name, e] : entries_) {
      if (name.rfind("encode/", 0) == 0 || name.rfind("decode/", 0) == 0) {
        if (e.counters.count("allocs_extra"))
          worst_extra = std::max(worst_extra, e.counters.at("allocs_extra"));
      }
    }
    std::printf("%-52s %8.1f  (<= 2)      %s\n", "allocations besides the returned value (worst)",
                worst_extra, verdict(worst_extra >= 0, worst_extra <= 2));
    double worst_header = -1;
    for (const auto& [name, e] : entries_) {
      if (name.rfind("find_cookie/", 0) == 0 && e.counters.count("allocs"))
        worst_header = std::max(worst_header, e.counters.at("allocs"));
    }
    const double per1 = ns("find_cookie/20") / 20, per2 = ns("find_cookie/100") / 100;
    std::printf("%-52s %8.1f  (== 0)      %s\n", "find_cookie allocations", worst_header,
                verdict(worst_header >= 0, worst_header == 0));
    std::printf("%-52s %8s  (~1x)       %s\n", "find_cookie ns/cookie, 100 vs 20 cookies",
                ratio(per2, per1).c_str(), verdict(per1 > 0 && per2 > 0, per2 / per1 <= 1.5));
  }

  std::map<std::string, Entry> entries_;
  std::set<std::string> medians_;
  std::vector<std::string> order_;
};

template <class T>
void register_payload(const char* size, const T& value) {
  const std::size_t bytes = serialized_size(value);
  const std::string s = size;
  benchmark::RegisterBenchmark(("encode/" + s).c_str(), bm_encode<T>, value);
  benchmark::RegisterBenchmark(("decode/" + s).c_str(), bm_decode<T>, value);
  benchmark::RegisterBenchmark(("decode+encode/" + s).c_str(), bm_decode_encode<T>, value);
  benchmark::RegisterBenchmark(("floor_hand/seal/" + s).c_str(), bm_hand_seal, bytes);
  benchmark::RegisterBenchmark(("floor_hand/open/" + s).c_str(), bm_hand_open, bytes);
  benchmark::RegisterBenchmark(("floor_cipher/seal/" + s).c_str(), bm_cipher_seal, bytes);
  benchmark::RegisterBenchmark(("floor_cipher/open/" + s).c_str(), bm_cipher_open, bytes);
  std::printf("payload %-8s %5zu bytes serialized, cookie value %5zu characters\n", size, bytes,
              cookieseal::format::cookie_length(bytes));
}

}  // namespace

// --- SessionManager: load + modify + commit of a typed session ---------------------------------
namespace {

const cookieseal::SessionManager& shared_manager() {
  static const cookieseal::SessionManager manager([] {
    cookieseal::Config config;
    config.keys = ring_of(1);
    return config;
  }());
  return manager;
}

// The Cookie header a browser would send back: a few other cookies, then the session.
std::string manager_header() {
  const auto& manager = shared_manager();
  auto fresh = manager.create<Session>();
  fresh.data() = typical_value();
  const cookieseal::Commit commit = manager.commit(fresh);
  const std::string cookie = commit.set_cookie.value_or("");
  return "_ga=GA1.1.123456789.1767225600; theme=dark; " + cookie.substr(0, cookie.find(';'));
}

void bm_manager(benchmark::State& state) {
  const auto& manager = shared_manager();
  const std::string header = manager_header();
  const auto one = [&] {
    auto session = manager.load<Session>(header);
    session.data().login_time += 1;  // modified: commit seals a new cookie
    return manager.commit(session);
  };
  if (!one().set_cookie) state.SkipWithError("load+modify+commit gave no Set-Cookie");
  if (state.thread_index() == 0) {
    state.counters["allocs"] = allocs_per_call([&] { benchmark::DoNotOptimize(one()); });
  }
  for (auto _ : state) {
    auto c = one();
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}

void register_session_manager() {
  benchmark::RegisterBenchmark("session_manager/load+modify+commit", bm_manager);
  benchmark::RegisterBenchmark("threads/manager", bm_manager)->Threads(1)->Threads(2)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  register_payload("small", small_value());
  register_payload("typical", typical_value());
  register_payload("large", large_value());
  for (std::size_t n : {1, 8, 64})
    benchmark::RegisterBenchmark(("keyring/" + std::to_string(n)).c_str(), bm_keyring, n);
  for (std::size_t n : {1, 20, 100})
    benchmark::RegisterBenchmark(("find_cookie/" + std::to_string(n)).c_str(), bm_find_cookie, n);
  benchmark::RegisterBenchmark("threads/encode+decode", bm_threads)->Threads(1)->Threads(2)->UseRealTime();
  benchmark::RegisterBenchmark("threads/cipher_only", bm_threads_cipher)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  register_session_manager();
  const std::size_t b64 = cookieseal::format::min_raw_bytes + serialized_size(typical_value());
  for (int which : {0, 1, 2}) {
    const char* label = which == 0 ? "scalar_v0" : which == 1 ? "current" : "libsodium";
    benchmark::RegisterBenchmark((std::string("part/base64_encode/") + label).c_str(), bm_b64_encode, which,
                                 b64);
    benchmark::RegisterBenchmark((std::string("part/base64_decode/") + label).c_str(), bm_b64_decode, which,
                                 b64);
  }
  benchmark::RegisterBenchmark("part/nonce/fill_nonce", bm_nonce, NonceWay::os);
  benchmark::RegisterBenchmark("part/nonce/removed_stream", bm_nonce, NonceWay::removed_stream);
  benchmark::RegisterBenchmark("part/nonce/synthetic_blake2b", bm_nonce, NonceWay::synthetic);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Defaults
                                                 : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
