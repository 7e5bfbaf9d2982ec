#!/usr/bin/env bash
# Builds and runs every test: each scripts/test.d/NN-*.sh stage in order (unit tests, fuzzing,
# sanitizers, end-to-end, packaging). Ends with one line: "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build tools examples browser fuzz afl bench package lint redis || exit 1

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed_stages=()
for stage in scripts/test.d/*.sh; do
  name=$(basename "$stage" .sh)
  echo "=== stage $name"
  start=$SECONDS
  if bash "$stage" 2>&1 | tee "$logs/$name.log"; then
    echo "=== stage $name: ok ($((SECONDS - start)) s)"
  else
    echo "=== stage $name: FAILED ($((SECONDS - start)) s)"
    failed_stages+=("$name")
  fi
done

# Sum the test counts the stages' runners printed: meson's "Ok: N" / "Fail: N" lines, and the
# scripts' own "<stage>: N passed, M failed" lines (end-to-end, consumers, fuzzing).
passed=$(cat "$logs"/*.log | awk '/^Ok: +[0-9]+/ {n += $2} /^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed/ {n += $2} END {print n + 0}')
failed=$(cat "$logs"/*.log | awk '/^(Fail|Unexpected Pass|Timeout): +[0-9]+/ {n += $2}
  /^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed/ {n += $4} END {print n + 0}')
if ((${#failed_stages[@]})); then
  echo "failed stages: ${failed_stages[*]}"
  ((failed == 0)) && failed=${#failed_stages[@]}
fi
echo "tests: $passed passed, $failed failed"
((${#failed_stages[@]} == 0 && failed == 0))
