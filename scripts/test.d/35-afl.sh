#!/usr/bin/env bash
# AFL++ (docs/FUZZING.md §AFL++): builds the same fuzz targets with afl-clang-fast++ (AFL++
# accepts -fsanitize=fuzzer and links its own persistent-mode driver; ASan and UBSan stay on)
# and runs afl-fuzz on each for AFL_SECONDS (default 5) on its seed corpus and dictionary. A
# saved crash or hang, or a target that executed nothing, fails the stage. AFL_TARGETS narrows
# the list; AFL_OUT keeps afl-fuzz's output directories (crashes in <out>/<target>/default/
# crashes/) instead of a temporary directory; AFL_BUILD overrides the build directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh afl

build=${AFL_BUILD:-build/afl}
seconds=${AFL_SECONDS:-5}
if [[ ! -f $build/build.ninja ]]; then
  CC=afl-clang-fast CXX=afl-clang-fast++ meson setup "$build" -Dfuzz=enabled -Dtests=disabled \
    -Dexamples=disabled -Dtools=disabled -Dbench=disabled >/dev/null
fi

if [[ -n ${AFL_TARGETS:-} ]]; then
  read -r -a targets <<<"$AFL_TARGETS"
else
  mapfile -t targets < <(bash scripts/fuzz-targets.sh "$build")  # fuzz/meson.build's, via introspect
fi
((${#targets[@]})) || exit 1
ninja -C "$build" $(printf 'fuzz/%s_fuzzer ' "${targets[@]}") >/dev/null

if [[ -n ${AFL_OUT:-} ]]; then
  out=$AFL_OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
# A shared machine: no CPU governor or core_pattern changes, no CPU binding, no UI.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=0:detect_leaks=0}

# One field of a target's fuzzer_stats (empty if afl-fuzz never got that far).
afl_stat() { sed -n "s/^$2 *: *//p" "$out/$1/default/fuzzer_stats" 2>/dev/null; }

passed=0
failed=0
printf '%-14s %12s %10s %8s %8s  %s\n' target executions exec/s crashes hangs result
for t in "${targets[@]}"; do
  args=(-V "$seconds" -i "fuzz/corpus/$t" -o "$out/$t" -m none -t 1000)
  [[ -f fuzz/$t.dict ]] && args+=(-x "fuzz/$t.dict")
  afl-fuzz "${args[@]}" -- "$build/fuzz/${t}_fuzzer" >"$out/$t.log" 2>&1 || true
  runs=$(afl_stat "$t" execs_done)
  rate=$(afl_stat "$t" execs_per_sec)
  crashes=$(afl_stat "$t" saved_crashes)
  hangs=$(afl_stat "$t" saved_hangs)
  if [[ ${runs:-0} -gt 0 && ${crashes:-1} -eq 0 && ${hangs:-1} -eq 0 ]]; then
    result=ok
    passed=$((passed + 1))
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  printf '%-14s %12s %10s %8s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${crashes:-?}" "${hangs:-?}" "$result"
  if [[ $result != ok ]]; then
    echo "--- $t: last lines of afl-fuzz's log"
    tail -20 "$out/$t.log"
    echo "---"
  fi
done
echo "afl: $passed passed, $failed failed"
((failed == 0))
