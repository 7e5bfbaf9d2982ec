// cookieseal benchmarks - revocation check() with 0 and 1,000,000 revoked ids, and the
// replica's bytes per id (docs/REVOCATION.md §Cost). The Redis list answers check() from the
// same replica as the in-memory one, so the in-memory list is what is timed.
#include <cookieseal/revocation.hpp>
#include <cookieseal/session_manager.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using std::chrono::sys_seconds;

sys_seconds now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Ids a server would look up: fresh random ones, not in the list (the common case: a valid
// session). 64 Ki of them, cycled, so the lookups are not all in one cache line.
const std::vector<cookieseal::SessionId>& probes() {
  static const std::vector<cookieseal::SessionId> ids = [] {
    std::vector<cookieseal::SessionId> v(1 << 16);
    for (auto& id : v) id = cookieseal::SessionId::generate();
    return v;
  }();
  return ids;
}

std::unique_ptr<cookieseal::Revocation> list_with(std::size_t revoked,
                                                  std::vector<cookieseal::SessionId>* kept) {
  auto list = cookieseal::make_memory_revocation();
  const auto forget = now() + std::chrono::hours(24 * 7);
  for (std::size_t i = 0; i < revoked; ++i) {
    const auto id = cookieseal::SessionId::generate();
    if (kept != nullptr && kept->size() < (1 << 16)) kept->push_back(id);
    (void)list->revoke(id, forget);
  }
  return list;
}

void run_checks(benchmark::State& state, const cookieseal::Revocation& list,
                const std::vector<cookieseal::SessionId>& ids, std::size_t revoked) {
  const auto t = now();
  const auto created = t - std::chrono::hours(1);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(list.check(ids[i++ & (ids.size() - 1)], "ada", created, t));
  }
  const auto stats = list.stats(t);
  state.counters["revoked_ids"] = static_cast<double>(stats.revoked_ids);
  state.counters["replica_bytes"] = static_cast<double>(stats.replica_bytes);
  if (revoked > 0) state.counters["bytes_per_id"] = static_cast<double>(stats.replica_bytes) / revoked;
}

// check() of a valid session, with `range(0)` ids revoked.
void BM_RevocationCheckValid(benchmark::State& state) {
  const auto revoked = static_cast<std::size_t>(state.range(0));
  const auto list = list_with(revoked, nullptr);
  run_checks(state, *list, probes(), revoked);
}
BENCHMARK(BM_RevocationCheckValid)->Arg(0)->Arg(1'000'000)->Unit(benchmark::kNanosecond);

// check() of revoked sessions (all hits), 1,000,000 ids revoked.
void BM_RevocationCheckRevoked(benchmark::State& state) {
  std::vector<cookieseal::SessionId> hits;
  const auto list = list_with(1'000'000, &hits);
  run_checks(state, *list, hits, 1'000'000);
}
BENCHMARK(BM_RevocationCheckRevoked)->Unit(benchmark::kNanosecond);

// SessionManager::load() of a typical signed-in session: without a revocation list (Arg 0),
// and with a list holding 1,000,000 revoked ids (Arg 1): the target is <= 1.05x.
void BM_LoadWithRevocation(benchmark::State& state) {
  static const std::shared_ptr<cookieseal::Revocation> big = list_with(1'000'000, nullptr);
  cookieseal::Config config;
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  config.keys = cookieseal::Keyring(std::move(keys));
  if (state.range(0) == 1) config.revocation = big;
  const cookieseal::SessionManager manager(std::move(config));
  cookieseal::Session s = manager.create();
  s.set_user("user-4711");
  s.set("name", "Ada Lovelace");
  s.set("role", "editor");
  s.set("cart", std::string(120, 'x'));
  const cookieseal::Commit out = manager.commit(s);
  const std::string header = "_ga=GA1.1.1; " + out.set_cookie->substr(0, out.set_cookie->find(';'));
  if (manager.load(header).load_status() != cookieseal::LoadStatus::loaded) state.SkipWithError("not loaded");
  for (auto _ : state) {
    auto session = manager.load(header);
    benchmark::DoNotOptimize(session);
  }
}
BENCHMARK(BM_LoadWithRevocation)->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
