#!/usr/bin/env bash
# The whole meson test suite (unit tests, corpus replay, CLI, examples) with g++, -Werror.
set -euo pipefail
build=build/gcc
[[ -f $build/build.ninja ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null
ninja -C "$build"
meson test -C "$build" --print-errorlogs
