#!/usr/bin/env bash
# Instruction counts per call (callgrind), stable on a noisy machine where times are not.
# Usage: bench/callgrind.sh BENCH_BINARY BENCHMARK_FILTER SYMBOL_REGEX...
#   e.g. bench/callgrind.sh build-bench/bench/cookieseal_bench '^decode/typical$' 'Codec::decode<' 'base64url_decode'
# Prints, for each symbol regex, the inclusive instructions per call summed over its callers.
set -euo pipefail
binary=$1 filter=$2
shift 2
out=$(mktemp /tmp/callgrind.XXXXXX)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" --benchmark_filter="$filter" \
  --benchmark_min_time=0.01 >/dev/null 2>&1
callgrind_annotate --inclusive=yes --tree=calling "$out" 2>/dev/null | python3 -c '
import re, sys
symbols = sys.argv[1:]
totals = {s: [0, 0] for s in symbols}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \([^)]*\)\s+>\s+(.*) \(([\d,]+)x\)", line)
    if not m:
        continue
    ir, name, calls = int(m.group(1).replace(",", "")), m.group(2), int(m.group(3).replace(",", ""))
    for s in symbols:
        if re.search(s, name):
            totals[s][0] += ir
            totals[s][1] += calls
for s, (ir, calls) in totals.items():
    print(f"{s:40s} {ir / calls if calls else 0:10.0f} Ir/call  ({calls} calls)")
' "$@"
