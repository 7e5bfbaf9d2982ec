#!/usr/bin/env bash
# The unit tests again under clang (-Werror) with AddressSanitizer + UndefinedBehaviorSanitizer,
# then under ThreadSanitizer. Any report fails the stage. The ASan build also compiles the
# examples and benchmarks, so that every target is built warning-free by clang as by g++.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh fuzz  # clang and its sanitizer runtimes

common=(-Dwerror=true -Db_lundef=false -Dfuzz=disabled)
declare -A only=([address,undefined]="" [thread]="-Dexamples=disabled -Dbench=disabled")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

for san in address,undefined thread; do
  build=build/clang-${san%%,*}
  [[ -f $build/build.ninja ]] ||
    # shellcheck disable=SC2086  # ${only[$san]}: zero or more options
    CC=clang CXX=clang++ meson setup "$build" "${common[@]}" ${only[$san]} -Db_sanitize="$san" \
      -Dcpp_args=-fno-sanitize-recover=all >/dev/null
  echo "--- clang -fsanitize=$san"
  ninja -C "$build"
  meson test -C "$build" --suite unit --suite cli --print-errorlogs --num-processes 2
done
