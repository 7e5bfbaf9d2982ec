#!/usr/bin/env bash
# The main job: builds the library and runs the quick start demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
build=build/gcc
[[ -f $build/build.ninja ]] || meson setup "$build" >/dev/null
ninja -C "$build" examples/quickstart >/dev/null
"$build/examples/quickstart"
