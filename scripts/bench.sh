#!/usr/bin/env bash
# Builds the benchmarks in release mode and runs them: docs/PERFORMANCE.md explains the output.
# Usage: scripts/bench.sh [google-benchmark flags...]
#   scripts/bench.sh                                    # everything, 5 repetitions, medians
#   scripts/bench.sh --benchmark_filter='typical'       # one payload
#   BUILD=/tmp/b scripts/bench.sh                       # another build directory
# The flags go to cookieseal_bench; the revocation benchmark then runs with its own (5
# repetitions, interleaved so that load on the machine hits both load() cases alike).
# Ends with the summary of both: each case's ratio to the hand-written and cipher floors, key
# lookup, Cookie header parsing, thread scaling, the price of the OS nonce (randombytes_buf per
# seal, against the removed user-space stream and a synthetic BLAKE2b nonce), allocations, and the
# targets met or missed; then the revocation targets (docs/REVOCATION.md): load() with 1,000,000
# revoked ids against load() without a list, and the replica's bytes per revoked id.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build bench
build=${BUILD:-build/bench}
if [[ ! -f $build/build.ninja ]]; then
  meson setup "$build" --buildtype=release -Dbench=enabled -Dtests=disabled -Dexamples=disabled \
    -Dtools=disabled -Dfuzz=disabled >/dev/null
fi
ninja -C "$build" bench/cookieseal_bench bench/revocation_bench
if (($# == 0)); then
  set -- --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2
fi
main_log=$(mktemp)
revocation_log=$(mktemp)
trap 'rm -f "$main_log" "$revocation_log"' EXIT
"$build/bench/cookieseal_bench" "$@" | tee "$main_log"
echo
"$build/bench/revocation_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.2 --benchmark_enable_random_interleaving=true | tee "$revocation_log"
# Both summaries once more, together, at the end.
echo
echo "==================== summary ===================="
sed -n '/^== cookieseal against the floors/,$p' "$main_log"
sed -n "/^== revocation: the issue's targets/,\$p" "$revocation_log"
