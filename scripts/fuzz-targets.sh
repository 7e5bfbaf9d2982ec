#!/usr/bin/env bash
# Usage: scripts/fuzz-targets.sh BUILD_DIR
# Prints the fuzz targets that build directory defines, one a line, as `meson introspect`
# lists the tests of the suite `fuzz` (fuzz/meson.build registers one per target, named after
# it; its binary is fuzz/<target>_fuzzer). Fails when there are none.
set -euo pipefail
meson introspect --tests "$1" | python3 -c '
import json, sys
names = [t["name"] for t in json.load(sys.stdin) if any(s.split(":")[-1] == "fuzz" for s in t["suite"])]
if not names:
    sys.exit("fuzz-targets: no test in the suite fuzz in " + sys.argv[1])
print("\n".join(names))' "$1"
