#!/usr/bin/env bash
# The main job: builds the library, runs the quick start, then walks through the `cookieseal`
# tool (docs/CLI.md): keygen -> COOKIESEAL_KEYS -> encode -> inspect -> decode -> tamper.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build tools
build=build/gcc
[[ -f $build/build.ninja ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null
# A build directory configured before nlohmann-json was installed has no tool yet.
ninja -C "$build" -t targets all | grep -q '^tools/cookieseal:' || meson setup --reconfigure "$build" >/dev/null
ninja -C "$build" examples/quickstart tools/cookieseal >/dev/null

step() { if [[ -t 1 ]]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }

echo "== quick start (examples/quickstart.cpp)"
"$build/examples/quickstart"

echo
echo "== the cookieseal tool"
cookieseal() { "$build/tools/cookieseal" "$@"; }

# As README.md writes it: a failing keygen exports nothing (and set -e ends the demo).
step 'key=$(cookieseal keygen) && export COOKIESEAL_KEYS="$key"'
key=$(cookieseal keygen)
export COOKIESEAL_KEYS="$key"

step 'cookieseal keys'
cookieseal keys

step "echo '{\"user\": \"ada\", \"visits\": 3, \"admin\": false}' | cookieseal encode --ttl 1h"
cookie=$(echo '{"user": "ada", "visits": 3, "admin": false}' | cookieseal encode --ttl 1h)
echo "$cookie"

step 'cookieseal inspect $cookie      # no key needed: the public header only'
cookieseal inspect "$cookie"

step 'cookieseal decode $cookie'
cookieseal decode "$cookie"

step 'cookieseal decode $tampered     # one character changed'
i=$((${#cookie} - 6))
[[ ${cookie:i:1} == A ]] && c=B || c=A
tampered=${cookie:0:i}$c${cookie:i+1}
if cookieseal decode "$tampered"; then
  echo "accepted a tampered cookie (bug!)"
  exit 1
else
  echo "(exit status $?: rejected)"
fi
