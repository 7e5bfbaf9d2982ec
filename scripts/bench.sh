#!/usr/bin/env bash
# Builds the benchmarks in release mode and runs them: docs/PERFORMANCE.md explains the output.
# Usage: scripts/bench.sh [google-benchmark flags...]
#   scripts/bench.sh                                    # everything, 5 repetitions, medians
#   scripts/bench.sh --benchmark_filter='typical'       # one payload
#   BUILD=/tmp/b scripts/bench.sh                       # another build directory
# Ends with a summary table: each case's ratio to the hand-written and cipher floors, key
# lookup, Cookie header parsing, thread scaling, the price of the OS nonce (randombytes_buf per
# seal, against the removed user-space stream and a synthetic BLAKE2b nonce), allocations, and the
# targets met or missed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build bench
build=${BUILD:-build/bench}
if [[ ! -f $build/build.ninja ]]; then
  meson setup "$build" --buildtype=release -Dbench=enabled -Dtests=disabled -Dexamples=disabled \
    -Dtools=disabled -Dfuzz=disabled >/dev/null
fi
ninja -C "$build" bench/cookieseal_bench
if (($# == 0)); then
  set -- --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2
fi
exec "$build/bench/cookieseal_bench" "$@"
