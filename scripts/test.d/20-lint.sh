#!/usr/bin/env bash
# Style, static analysis and the API reference: every C++ file formatted as .clang-format says;
# clang-tidy (.clang-tidy, every warning an error) clean on the library and the CLI; Doxygen
# documents every public declaration without a warning (the `docs` target). Ends with
# "lint: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh build lint || exit 1
passed=0
failed=0
result() {  # result "what" STATUS
  if (($2 == 0)); then
    echo "ok - $1"
    passed=$((passed + 1))
  else
    echo "not ok - $1"
    failed=$((failed + 1))
  fi
}

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.h' 2>/dev/null || find include src tests tools examples bench fuzz -name '*.[ch]pp')
clang-format --dry-run --Werror "${sources[@]}"
result "clang-format: ${#sources[@]} files formatted as .clang-format says" $?

# clang-tidy reads the compile commands of the g++ build (10-unit.sh made it).
build=build/gcc
[[ -f $build/compile_commands.json ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null || exit 1
ninja -C "$build" >/dev/null || exit 1  # generated headers (version.hpp) must exist
mapfile -t tidy_sources < <(ls src/*/*.cpp tools/*.cpp)
printf '%s\n' "${tidy_sources[@]}" | xargs -P 2 -n 2 clang-tidy -p "$build" --quiet 2>/dev/null
result "clang-tidy: ${#tidy_sources[@]} files of src/ and tools/ (with the headers they include) clean" $?

# A build directory configured before Doxygen was installed has no docs target.
ninja -C "$build" -t targets all | grep -q '^docs:' || meson setup --reconfigure "$build" >/dev/null
ninja -C "$build" docs >"$build/doxygen.log" 2>&1
status=$?
grep -E 'warning:|error:' "$build/doxygen.log" | head -n 20
result "doxygen: the API reference of include/cookieseal/ builds without a warning" $status

echo "lint: $passed passed, $failed failed"
((failed == 0))
