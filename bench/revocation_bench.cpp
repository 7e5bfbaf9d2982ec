// cookieseal benchmarks - revocation (docs/REVOCATION.md §Measured): check() with 0 and
// 1,000,000 revoked ids, SessionManager::load() without a list and with a list of 1,000,000
// revoked ids (apart, and paired block by block), and the replica's bytes per id. Ends with
// the two figures, from this run: the load() ratio (target <= 1.05x) and the bytes
// per revoked id (target <= 64). The
// Redis list answers check() from the same replica as the in-memory one, so the in-memory list
// is what is timed.
#include <cookieseal/revocation.hpp>
#include <cookieseal/session_manager.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>  // isatty

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>  // clock_gettime(CLOCK_THREAD_CPUTIME_ID)
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using std::chrono::sys_seconds;

constexpr std::size_t million = 1'000'000;
// Cookies load() cycles through: different sessions (ids, users, ciphertexts), so that the
// list's filter words and the cookies' bytes come from all over memory as a server's do, not
// from one cache line.
constexpr std::size_t cookie_count = 4096;

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

void count_replica(benchmark::State& state, const cookieseal::Revocation& list) {
  const auto stats = list.stats(now());
  state.counters["revoked_ids"] = static_cast<double>(stats.revoked_ids);
  state.counters["replica_bytes"] = static_cast<double>(stats.replica_bytes);
  if (stats.revoked_ids > 0)
    state.counters["bytes_per_id"] = static_cast<double>(stats.replica_bytes) / stats.revoked_ids;
}

void run_checks(benchmark::State& state, const cookieseal::Revocation& list,
                const std::vector<cookieseal::SessionId>& ids) {
  const auto t = now();
  const auto created = t - std::chrono::hours(1);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(list.check(ids[i++ & (ids.size() - 1)], "ada", created, t));
  }
  count_replica(state, list);
}

// check() of a valid session, with `range(0)` ids revoked.
void BM_RevocationCheckValid(benchmark::State& state) {
  const auto list = list_with(static_cast<std::size_t>(state.range(0)), nullptr);
  run_checks(state, *list, probes());
}
BENCHMARK(BM_RevocationCheckValid)->Arg(0)->Arg(million)->Unit(benchmark::kNanosecond);

// check() of revoked sessions (all hits), 1,000,000 ids revoked.
void BM_RevocationCheckRevoked(benchmark::State& state) {
  std::vector<cookieseal::SessionId> hits;
  const auto list = list_with(million, &hits);
  run_checks(state, *list, hits);
}
BENCHMARK(BM_RevocationCheckRevoked)->Unit(benchmark::kNanosecond);

// The Cookie headers of cookie_count typical signed-in sessions, each its own user.
std::vector<std::string> signed_in_headers(const cookieseal::SessionManager& manager) {
  std::vector<std::string> headers;
  headers.reserve(cookie_count);
  for (std::size_t i = 0; i < cookie_count; ++i) {
    cookieseal::Session s = manager.create();
    s.set_user("user-" + std::to_string(4711 + i));
    s.set("name", "Ada Lovelace");
    s.set("role", "editor");
    s.set("cart", std::string(120, 'x'));
    const cookieseal::Commit out = manager.commit(s);
    headers.push_back("_ga=GA1.1.1; " + out.set_cookie->substr(0, out.set_cookie->find(';')));
  }
  return headers;
}

const std::shared_ptr<cookieseal::Revocation>& big_list() {
  static const std::shared_ptr<cookieseal::Revocation> big = list_with(million, nullptr);
  return big;
}

cookieseal::Config config_with(std::shared_ptr<cookieseal::Revocation> list) {
  cookieseal::Config config;
  std::vector<cookieseal::Key> keys;
  keys.push_back(cookieseal::Key::generate());
  config.keys = cookieseal::Keyring(std::move(keys));
  config.revocation = std::move(list);
  return config;
}

// A manager (with `list`, or none) and the cookies it loads, in turn.
struct Loader {
  explicit Loader(std::shared_ptr<cookieseal::Revocation> list)
      : manager(config_with(std::move(list))), headers(signed_in_headers(manager)) {}
  [[nodiscard]] bool all_load() const {
    for (const std::string& h : headers)
      if (manager.load(h).load_status() != cookieseal::LoadStatus::loaded) return false;
    return true;
  }
  void load(std::size_t i) const {
    auto session = manager.load(headers[i & (cookie_count - 1)]);
    benchmark::DoNotOptimize(session);
  }
  const cookieseal::SessionManager manager;
  const std::vector<std::string> headers;
};

// SessionManager::load() of typical signed-in sessions, cycling through cookie_count of them:
// without a revocation list (Arg 0), and with a list holding 1,000,000 revoked ids (Arg 1).
void BM_LoadWithRevocation(benchmark::State& state) {
  const Loader loader(state.range(0) == 1 ? big_list() : nullptr);
  if (!loader.all_load()) {
    state.SkipWithError("a cookie did not load");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) loader.load(i++);
  if (state.range(0) == 1) count_replica(state, *big_list());
}
BENCHMARK(BM_LoadWithRevocation)->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

std::int64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// The two load() cases paired: each iteration is a block of 64 loads without a list, then 64
// with one of range(0) revoked ids, each block timed by the thread's CPU clock. Whatever else the machine
// does meanwhile (it is shared) falls on both alike, which two cases run one after the other cannot promise;
// `ratio` (the sum with / the sum without) is the figure the issue sets a target for.
void BM_LoadPaired(benchmark::State& state) {
  constexpr std::size_t block = 64;
  const std::shared_ptr<cookieseal::Revocation> list =
      state.range(0) == million ? big_list() : list_with(static_cast<std::size_t>(state.range(0)), nullptr);
  const Loader plain(nullptr), listed(list);
  if (!plain.all_load() || !listed.all_load()) {
    state.SkipWithError("a cookie did not load");
    return;
  }
  std::int64_t without = 0, with = 0;
  std::size_t i = 0, loads = 0;
  for (auto _ : state) {
    const std::int64_t t0 = thread_cpu_ns();
    for (std::size_t j = 0; j < block; ++j) plain.load(i + j);
    const std::int64_t t1 = thread_cpu_ns();
    for (std::size_t j = 0; j < block; ++j) listed.load(i + j);
    with += thread_cpu_ns() - t1;
    without += t1 - t0;
    i += block;
    loads += block;
  }
  if (loads == 0 || without <= 0) return;
  state.counters["ns_without"] = static_cast<double>(without) / static_cast<double>(loads);
  state.counters["ns_with"] = static_cast<double>(with) / static_cast<double>(loads);
  state.counters["ratio"] = static_cast<double>(with) / static_cast<double>(without);
  count_replica(state, *list);
}
// Arg: ids in the list. 0 prices the list itself (the call, its lock); 1,000,000 is the target.
BENCHMARK(BM_LoadPaired)->Arg(0)->Arg(million)->Unit(benchmark::kMicrosecond);

// Keeps each case's CPU time (the median when there are repetitions) and counters, and ends
// the report with the two figures.
class TargetsReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.error_occurred || (r.run_type == Run::RT_Aggregate && !median)) continue;
      Figure& f = figures_[r.run_name.str()];
      if (f.median && !median) continue;  // a median, once there, stands for the case
      f = Figure{r.GetAdjustedCPUTime(), median, {}};
      for (const auto& [k, c] : r.counters) f.counters[k] = c.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    print_targets();
  }

 private:
  struct Figure {
    double ns = 0;
    bool median = false;
    std::map<std::string, double> counters;
  };
  const Figure* get(const std::string& name) const {
    const auto it = figures_.find(name);
    return it == figures_.end() ? nullptr : &it->second;
  }
  static const char* verdict(bool ok) { return ok ? "met" : "MISSED"; }

  void print_targets() const {
    std::printf(
        "\n== revocation: the issue's targets (CPU time; median when --benchmark_repetitions > 1) ==\n");
    const Figure* paired = get("BM_LoadPaired/1000000");
    if (paired != nullptr && paired->counters.count("ratio") != 0) {
      const double ratio = paired->counters.at("ratio");
      std::printf(
          "load() with 1,000,000 revoked ids / without a list (paired): %.0f ns / %.0f ns = %.3fx (target <= "
          "1.05x: %s)\n",
          paired->counters.at("ns_with"), paired->counters.at("ns_without"), ratio, verdict(ratio <= 1.05));
      const double per_id = paired->counters.at("bytes_per_id");
      std::printf("replica bytes per revoked id (%.0f ids): %.1f (target <= 64: %s)\n",
                  paired->counters.at("revoked_ids"), per_id, verdict(per_id <= 64));
    } else {
      std::printf("load() ratio and bytes per id: not run (BM_LoadPaired/1000000 is needed)\n");
    }
    const Figure* without = get("BM_LoadWithRevocation/0");
    const Figure* with = get("BM_LoadWithRevocation/1");
    if (without != nullptr && with != nullptr && without->ns > 0) {
      std::printf("cross-check, the two cases run apart: %.0f ns / %.0f ns = %.3fx\n", with->ns, without->ns,
                  with->ns / without->ns);
    }
  }

  std::map<std::string, Figure> figures_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  TargetsReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Defaults
                                                 : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
