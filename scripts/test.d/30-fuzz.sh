#!/usr/bin/env bash
# Fuzzing (docs/FUZZING.md): builds every fuzz target with clang and libFuzzer
# (-fsanitize=fuzzer,address,undefined), runs each for FUZZ_SECONDS (default 25) on a copy of
# its corpus (nothing new is written into the repository), prints the executions, then replays
# the corpus with `meson test --suite fuzz`. A crash, leak, timeout or out-of-memory fails the
# stage; the input is kept in build/fuzz/artifacts/<target>/ to minimize and add to
# fuzz/corpus/<target>/ once the library is fixed. FUZZ_BUILD overrides the build directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh fuzz

build=${FUZZ_BUILD:-build/fuzz}
seconds=${FUZZ_SECONDS:-25}
# The limits of the replay tests (fuzz/meson.build): one allocation over 64 MiB, or a process
# over 256 MiB, is a finding. A small ASan quarantine keeps the RSS check meaningful.
limits=(-rss_limit_mb=256 -malloc_limit_mb=64 -timeout=10)
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzz=enabled -Dtests=disabled -Dexamples=disabled \
    -Dtools=disabled -Dbench=disabled >/dev/null
fi
if ! grep -q 'libFuzzer (-fsanitize=fuzzer)" : links: YES' "$build/meson-logs/meson-log.txt"; then
  echo "fuzz: clang cannot link -fsanitize=fuzzer (libclang-rt-14-dev, libfuzzer-14-dev?)" >&2
  exit 1
fi

# The targets, as the build defines them (fuzz/meson.build, through meson introspect).
mapfile -t targets < <(bash scripts/fuzz-targets.sh "$build")
((${#targets[@]})) || exit 1
build_start=$SECONDS
ninja -C "$build" $(printf 'fuzz/%s_fuzzer ' "${targets[@]}")
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - build_start)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
printf '%-14s %12s %10s %8s  %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  cp -r "fuzz/corpus/$t" "$work/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$artifacts"
  args=(-max_total_time="$seconds" -print_final_stats=1 "${limits[@]}" -artifact_prefix="$artifacts")
  [[ -f fuzz/$t.dict ]] && args+=(-dict="fuzz/$t.dict")
  if "$build/fuzz/${t}_fuzzer" "${args[@]}" "$work/$t" >"$work/$t.log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$t")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
  units=$(find "$work/$t" -type f | wc -l)
  printf '%-14s %12s %10s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$units" "$result"
  if [[ $result != ok ]]; then
    echo "--- $t: last lines of the libFuzzer log (input saved under $artifacts)"
    grep -v '^#[0-9]' "$work/$t.log" | tail -40
    echo "---"
  fi
done

# The corpus, including every regression input, once more as the test suite runs it.
meson test -C "$build" --no-rebuild --suite fuzz --print-errorlogs || failed+=(replay)

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: every target ran ${seconds} s without a finding; the corpus replays clean"
