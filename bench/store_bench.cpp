// cookieseal bench - store mode: one request's load + commit through the store backend, against
// the bare store calls of the same size (the floor: an in-process map, and bare hiredis GET +
// SET on the bench's own loopback redis-server) and the cookie backend, in one binary.
// docs/STORE.md §Status says which stores are measured; the figures go to docs/PERFORMANCE.md.
#include <cookieseal/format.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/sealer.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/session_manager.hpp>
#include <cookieseal/session_store.hpp>

#include "session/payload.hpp"
#include "store/store_backend.hpp"

#include <benchmark/benchmark.h>
#include <sodium.h>  // crypto_aead_xchacha20poly1305_ietf_*: the cipher floor

#if defined(COOKIESEAL_BENCH_REDIS)
#include <cookieseal/redis.hpp>

#include "redis_server.hpp"  // tests/support

#include <hiredis/hiredis.h>  // the floor: bare redisCommandArgv
#endif

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using cookieseal::SaveContext;
using cookieseal::detail::SessionHead;
using namespace std::chrono_literals;

cookieseal::Sealer make_sealer() {
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  return cookieseal::Sealer(cookieseal::Keyring(std::move(keys)));
}

SessionHead make_head() {
  SessionHead head;
  head.id = cookieseal::SessionId::generate().bytes;
  head.created_at = static_cast<std::uint64_t>(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  head.issued_at = head.created_at;
  head.user = "ada";
  return head;
}

std::string payload(const SessionHead& head, std::size_t bytes) {
  cookieseal::Session::Entries entries;
  entries.emplace("data", std::string(bytes, 'x'));
  return cookieseal::detail::map_payload_bytes(head, entries);
}

constexpr std::string_view name = "__Host-session";

// --- Through the public API: SessionManager::load + commit, as a request does ----------------

cookieseal::SessionManager make_manager(std::shared_ptr<cookieseal::SessionStore> store) {
  cookieseal::Config config;
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  config.keys = cookieseal::Keyring(std::move(keys));
  config.store = std::move(store);
  config.store_mode = cookieseal::StoreMode::server;
  return cookieseal::SessionManager(std::move(config));
}

// The Cookie header a browser sends back for a session holding `bytes` of data.
std::string manager_header(const cookieseal::SessionManager& manager, std::size_t bytes,
                           std::string_view user = {}) {
  cookieseal::Session session = manager.create();
  if (!user.empty()) session.set_user(user);
  session.set("data", std::string(bytes, 'x'));
  session.set("n", 0);
  const cookieseal::Commit commit = manager.commit(session);
  const std::string cookie = commit.set_cookie.value_or("");
  return "theme=dark; " + cookie.substr(0, cookie.find(';'));
}

// One request: load the session from the Cookie header, change it, commit (a Set-Cookie; in
// store mode one store read and one store write).
void run_manager(benchmark::State& state, const cookieseal::SessionManager& manager,
                 std::string_view user = {}) {
  const std::string header = manager_header(manager, static_cast<std::size_t>(state.range(0)), user);
  std::int64_t n = 0;
  for (auto _ : state) {
    cookieseal::Session session = manager.load(header);
    session.set("n", ++n);
    cookieseal::Commit commit = manager.commit(session);
    if (!commit.set_cookie) {
      state.SkipWithError(("commit failed: " + commit.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(commit);
  }
  // In store mode the record is what the header points to: it must hold the last commit.
  if (manager.config().store && manager.load(header).get<std::int64_t>("n") != n) {
    state.SkipWithError("the last commit is not what loads");
  }
}

// What sealing at rest costs at the least: libsodium's XChaCha20-Poly1305 encrypt + decrypt of
// the session's payload with a fresh random nonce, no header, no encoding, no store.
void BM_Floor_Cipher_SealOpen(benchmark::State& state) {
  cookieseal::Session::Entries entries;
  entries.emplace("data", std::string(static_cast<std::size_t>(state.range(0)), 'x'));
  entries.emplace("n", std::int64_t{1});
  const std::string plaintext = cookieseal::detail::map_payload_bytes(make_head(), entries);
  std::vector<unsigned char> key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
  std::vector<unsigned char> sealed(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  std::vector<unsigned char> opened(plaintext.size());
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  for (auto _ : state) {
    randombytes_buf(nonce, sizeof nonce);
    unsigned long long n = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &n,
                                               reinterpret_cast<const unsigned char*>(plaintext.data()),
                                               plaintext.size(), nullptr, 0, nullptr, nonce, key.data());
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(opened.data(), &n, nullptr, sealed.data(), sealed.size(),
                                                   nullptr, 0, nonce, key.data()) != 0) {
      state.SkipWithError("decrypt failed");
    }
    benchmark::DoNotOptimize(opened.data());
  }
}

// Cookie mode: the same request with no store.
void BM_Manager_Cookie_LoadCommit(benchmark::State& state) { run_manager(state, make_manager(nullptr)); }

// Store mode (server) over the in-process memory store.
void BM_Manager_Memory_LoadCommit(benchmark::State& state) {
  run_manager(state, make_manager(cookieseal::make_memory_store()));
}

// One request in store mode, repeated: open the reference (one store load), then write the
// change (one seal and one store save).
void run_load_commit(benchmark::State& state, const cookieseal::Sealer& sealer,
                     const cookieseal::StoreBackend& backend, const SessionHead& head) {
  const std::string plaintext = payload(head, static_cast<std::size_t>(state.range(0)));
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += plaintext;
  const auto expires = sealer.now() + 1h;
  std::string cookie = *backend.save(sealer, name, head, buffer, expires);
  for (auto _ : state) {
    cookieseal::Placement placement;
    auto opened = backend.open_placed(sealer, name, cookie, placement);
    benchmark::DoNotOptimize(opened);
    buffer.assign(cookieseal::format::header_bytes, '\0');
    buffer += plaintext;
    auto saved = backend.save_placed(sealer, name, head, buffer, expires, SaveContext{placement, false});
    if (!saved) state.SkipWithError("save failed");
    cookie = std::move(*saved);
  }
}

// What one request costs in store mode: open the reference (one store load), then commit a
// change (one seal and one store save; the user index is one more call).
void store_load_commit(benchmark::State& state, bool with_user) {
  const cookieseal::Sealer sealer = make_sealer();
  cookieseal::StoreBackendOptions options;
  options.max_record_bytes = std::size_t{1} << 22;
  const cookieseal::StoreBackend backend(cookieseal::make_memory_store(), options);
  SessionHead head = make_head();
  if (!with_user) head.user.clear();
  run_load_commit(state, sealer, backend, head);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_StoreMode_LoadCommit(benchmark::State& state) { store_load_commit(state, false); }
void BM_StoreMode_LoadCommit_WithUser(benchmark::State& state) { store_load_commit(state, true); }

// The floor: the same store's load + save of a record of the size store mode writes.
void BM_BareStore_LoadSave(benchmark::State& state) {
  const auto store = cookieseal::make_memory_store({std::size_t{64} << 20, std::size_t{1} << 22, {}});
  const std::string record(cookieseal::format::cookie_length(
                               payload(make_head(), static_cast<std::size_t>(state.range(0))).size()),
                           'r');
  (void)store->save("s:k", record, 1h, std::nullopt);
  for (auto _ : state) {
    auto loaded = store->load("s:k");
    benchmark::DoNotOptimize(loaded);
    auto saved = store->save("s:k", record, 1h, std::nullopt);
    benchmark::DoNotOptimize(saved);
  }
}

// Cookie mode, the same payload: open + seal, no store.
void BM_CookieMode_LoadCommit(benchmark::State& state) {
  const cookieseal::Sealer sealer = make_sealer();
  const auto backend = cookieseal::make_cookie_backend();
  const SessionHead head = make_head();
  const std::string plaintext = payload(head, static_cast<std::size_t>(state.range(0)));
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += plaintext;
  const auto expires = sealer.now() + 1h;
  std::string cookie = *backend->save(sealer, name, head, buffer, expires);
  for (auto _ : state) {
    auto opened = backend->open(sealer, name, cookie);
    benchmark::DoNotOptimize(opened);
    buffer.assign(cookieseal::format::header_bytes, '\0');
    buffer += plaintext;
    auto saved = backend->save(sealer, name, head, buffer, expires);
    if (!saved) state.SkipWithError("save failed");
    cookie = std::move(*saved);
  }
}

// Renewal in store mode: a ttl touch and a new reference, no record rewrite.
void BM_StoreMode_Renew(benchmark::State& state) {
  const cookieseal::Sealer sealer = make_sealer();
  const cookieseal::StoreBackend backend(cookieseal::make_memory_store(), {});
  SessionHead head = make_head();
  head.user.clear();
  std::string buffer(cookieseal::format::header_bytes, '\0');
  buffer += payload(head, 1000);
  const auto expires = sealer.now() + 1h;
  const std::string cookie = *backend.save(sealer, name, head, buffer, expires);
  cookieseal::Placement placement;
  (void)backend.open_placed(sealer, name, cookie, placement);
  for (auto _ : state) {
    auto renewed = backend.renew(sealer, name, head, placement, expires);
    benchmark::DoNotOptimize(renewed);
  }
}

#if defined(COOKIESEAL_BENCH_REDIS)
// A loopback redis-server of the bench's own (tests/support), started by main().
std::unique_ptr<cookieseal::test::RedisServer> redis_server;

// One command on a connection of the bench's own (not the store's), for the probes below.
std::string redis_text(const char* command) {
  const cookieseal::RedisEndpoint e = redis_server->endpoint();
  redisContext* c = redisConnect(e.host.c_str(), e.port);
  std::string out;
  if (c != nullptr && c->err == 0) {
    auto* r = static_cast<redisReply*>(redisCommand(c, command));
    if (r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
      out.assign(r->str, r->len);
    freeReplyObject(r);
  }
  redisFree(c);
  return out;
}

// Calls of one command since the last CONFIG RESETSTAT, from INFO commandstats.
double command_calls(const std::string& stats, const std::string& command) {
  const std::string field = "cmdstat_" + command + ":calls=";
  const std::size_t at = stats.find(field);
  return at == std::string::npos ? 0 : std::stod(stats.substr(at + field.size()));
}

// Store mode (server) over Redis, through SessionManager: what the 1.3x target is about. The
// counters say what one request sent (the server's own count): one GET and one SET, and with
// a user one EVAL (the index script, which runs 4 commands of its own).
void manager_redis(benchmark::State& state, std::string_view user) {
  const cookieseal::SessionManager manager =
      make_manager(cookieseal::make_redis_store(redis_server->settings("bench-manager:")));
  redis_text("CONFIG RESETSTAT");
  run_manager(state, manager, user);
  const std::string stats = redis_text("INFO commandstats");
  // Besides the loop: the first commit (a SET, and an EVAL with a user), the final load (a
  // GET) and the CONFIG.
  const double n = static_cast<double>(state.iterations());
  double all = 0;
  for (std::size_t at = stats.find(":calls="); at != std::string::npos; at = stats.find(":calls=", at + 1)) {
    all += std::stod(stats.substr(at + 7));
  }
  state.counters["gets_per_request"] = (command_calls(stats, "get") - 1) / n;
  state.counters["sets_per_request"] = (command_calls(stats, "set") - 1) / n;
  const double first_commit_script = user.empty() ? 0 : 5;  // EVAL and the 4 commands it runs
  state.counters["evals_per_request"] = (command_calls(stats, "eval") - (user.empty() ? 0 : 1)) / n;
  // Every command the server ran, including those a script ran.
  state.counters["commands_per_request"] = (all - 3 - first_commit_script) / n;
}
void BM_Manager_Redis_LoadCommit(benchmark::State& state) { manager_redis(state, {}); }
void BM_Manager_Redis_LoadCommit_WithUser(benchmark::State& state) { manager_redis(state, "ada"); }

// What store mode stores for a session of `bytes` (the version head and the sealed record):
// a commit under a prefix of its own, then STRLEN of a key under it (each is that size).
std::size_t stored_value_bytes(std::size_t bytes) {
  const std::string prefix = "probe-" + std::to_string(bytes) + ":";
  const cookieseal::SessionManager manager =
      make_manager(cookieseal::make_redis_store(redis_server->settings(prefix)));
  (void)manager_header(manager, bytes);
  const cookieseal::RedisEndpoint e = redis_server->endpoint();
  redisContext* c = redisConnect(e.host.c_str(), e.port);
  if (c == nullptr || c->err != 0) return 0;
  std::size_t out = 0;
  auto* keys = static_cast<redisReply*>(redisCommand(c, "KEYS %s*", prefix.c_str()));
  if (keys != nullptr && keys->type == REDIS_REPLY_ARRAY && keys->elements >= 1) {
    auto* len = static_cast<redisReply*>(redisCommand(c, "STRLEN %s", keys->element[0]->str));
    if (len != nullptr && len->type == REDIS_REPLY_INTEGER) out = static_cast<std::size_t>(len->integer);
    freeReplyObject(len);
  }
  freeReplyObject(keys);
  redisFree(c);
  return out;
}

// A floor: bare hiredis GET + SET PX of `bytes` bytes under `key`, on the bench's server.
void bare_get_set(benchmark::State& state, const std::string& key, std::size_t bytes) {
  const cookieseal::RedisEndpoint e = redis_server->endpoint();
  redisContext* c = redisConnect(e.host.c_str(), e.port);
  if (c == nullptr || c->err != 0) {
    state.SkipWithError("connect failed");
    return;
  }
  const std::string value(bytes, 'v');
  const char* get[] = {"GET", key.c_str()};
  const std::size_t get_len[] = {3, key.size()};
  const char* set[] = {"SET", key.c_str(), value.data(), "PX", "3600000"};
  const std::size_t set_len[] = {3, key.size(), value.size(), 2, 7};
  freeReplyObject(redisCommandArgv(c, 5, set, set_len));
  for (auto _ : state) {
    freeReplyObject(redisCommandArgv(c, 2, get, get_len));
    freeReplyObject(redisCommandArgv(c, 5, set, set_len));
  }
  redisFree(c);
}

// The floor of the manager case: bare hiredis GET + SET PX of exactly what it stores.
void BM_Redis_BareGetSet_Stored(benchmark::State& state) {
  const std::size_t bytes = stored_value_bytes(static_cast<std::size_t>(state.range(0)));
  if (bytes == 0) {
    state.SkipWithError("could not read the stored size");
    return;
  }
  state.counters["stored_bytes"] = static_cast<double>(bytes);
  bare_get_set(state, "bench:{s:floor-stored}", bytes);
}

// Store mode over Redis: the reference opens (one GET), the change is written (one SET).
void BM_Redis_StoreMode_LoadCommit(benchmark::State& state) {
  const cookieseal::Sealer sealer = make_sealer();
  cookieseal::StoreBackendOptions options;
  options.max_record_bytes = std::size_t{1} << 22;
  const cookieseal::StoreBackend backend(cookieseal::make_redis_store(redis_server->settings("bench:")),
                                         options);
  SessionHead head = make_head();
  head.user.clear();
  run_load_commit(state, sealer, backend, head);
}

// The floor: bare hiredis GET + SET PX of a value the size store mode stores, same server.
void BM_Redis_BareGetSet(benchmark::State& state) {
  // The Redis value: a 16-digit version head, then the raw record (docs/STORE.md §Record).
  const std::size_t record = cookieseal::format::min_raw_bytes +
                             payload(make_head(), static_cast<std::size_t>(state.range(0))).size();
  bare_get_set(state, "bench:{s:floor}", 16 + record);
}
#endif

}  // namespace

#if defined(COOKIESEAL_BENCH_REDIS)
BENCHMARK(BM_Manager_Redis_LoadCommit_WithUser)->Arg(100);
BENCHMARK(BM_Redis_StoreMode_LoadCommit)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);
BENCHMARK(BM_Redis_BareGetSet)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);
#endif
BENCHMARK(BM_StoreMode_LoadCommit)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);
BENCHMARK(BM_StoreMode_LoadCommit_WithUser)->Arg(100)->Arg(2800);
BENCHMARK(BM_BareStore_LoadSave)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);
BENCHMARK(BM_CookieMode_LoadCommit)->Arg(100)->Arg(1000)->Arg(2800);
BENCHMARK(BM_StoreMode_Renew);
BENCHMARK(BM_Floor_Cipher_SealOpen)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);
BENCHMARK(BM_Manager_Cookie_LoadCommit)->Arg(100)->Arg(1000)->Arg(2800);
BENCHMARK(BM_Manager_Memory_LoadCommit)->Arg(100)->Arg(1000)->Arg(2800)->Arg(16000);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
#if defined(COOKIESEAL_BENCH_REDIS)
  redis_server = std::make_unique<cookieseal::test::RedisServer>();  // stopped when main returns
  // Each manager case right after its floor of the same size, so both see the same machine.
  for (const std::int64_t bytes : {100, 1000, 2800, 16000}) {
    benchmark::RegisterBenchmark("BM_Redis_BareGetSet_Stored", BM_Redis_BareGetSet_Stored)->Arg(bytes);
    benchmark::RegisterBenchmark("BM_Manager_Redis_LoadCommit", BM_Manager_Redis_LoadCommit)->Arg(bytes);
  }
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
#if defined(COOKIESEAL_BENCH_REDIS)
  redis_server.reset();
#endif
  return 0;
}
