#!/usr/bin/env bash
# The whole meson test suite with g++, -Werror: unit tests, the Node.js cross-check of the
# docs/FORMAT.md vectors (suite interop), corpus replay, CLI, benchmark smoke run, the Redis
# tests on their own redis-server. The features are `enabled`, so a missing dependency
# (doctest, node, nlohmann-json, the example libraries, hiredis) fails the stage instead of
# leaving tests out.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh build tools examples node redis
build=build/gcc
features=(-Dtests=enabled -Dinterop=enabled -Dtools=enabled -Dexamples=enabled -Dredis=enabled)
if [[ -f $build/build.ninja ]]; then
  meson configure "$build" "${features[@]}" >/dev/null  # applied by the next ninja run
else
  CXX=g++ meson setup "$build" -Dwerror=true "${features[@]}" >/dev/null
fi
ninja -C "$build"
meson test -C "$build" --print-errorlogs
