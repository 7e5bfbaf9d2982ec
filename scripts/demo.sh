#!/usr/bin/env bash
# The main job: builds the library, runs the quick start, then a session over HTTP with the
# cpp-httplib example on 127.0.0.1 (log in, the Set-Cookie attributes, reload, log out, the old
# cookie replayed and refused; the server is stopped at the end), then walks through the
# `cookieseal` tool (docs/CLI.md): keygen -> COOKIESEAL_KEYS -> encode -> inspect -> decode -> tamper.
# It fails (exit 1, "demo: FAILED: ...") when a step over HTTP does not do what it shows.
# DEMO_BUILD_DIR picks another build directory than build/gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build tools examples redis
build=${DEMO_BUILD_DIR:-build/gcc}
[[ -f $build/build.ninja ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null
# A build directory configured before nlohmann-json was installed has no tool yet.
# A build directory configured before nlohmann-json or cpp-httplib was installed lacks targets.
targets=$(ninja -C "$build" -t targets all)
grep -q '^tools/cookieseal:' <<<"$targets" && grep -q '^examples/httplib_server:' <<<"$targets" ||
  meson setup --reconfigure "$build" >/dev/null
ninja -C "$build" examples/quickstart examples/httplib_server tools/cookieseal >/dev/null

step() { if [[ -t 1 ]]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }

echo "== quick start (examples/quickstart.cpp)"
"$build/examples/quickstart"

echo
echo "== a session over HTTP (examples/httplib_server.cpp on 127.0.0.1)"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
COOKIESEAL_KEYS=$("$build/tools/cookieseal" keygen) timeout 120 "$build/examples/httplib_server" --port 0 >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -qs '^listening on' "$tmp/server.log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$tmp/server.log")
[[ -n $base ]] || { cat "$tmp/server.log"; exit 1; }
echo "server: $base"
get() { curl -sS --max-time 5 -c "$tmp/jar" -b "$tmp/jar" "$@"; }
csrf() { sed -n 's/.*name=_csrf value=\([A-Za-z0-9_-]*\)>.*/\1/p' | head -n 1; }
shown() { sed -n 's/.*<p>\(user: [^<]*\)<.*/\1/p; s/.*<p>\(visits: [0-9]*\)<.*/\1/p' | paste -sd ' ' -; }

# expect WHAT PATTERN TEXT: prints TEXT; the demo fails unless TEXT matches PATTERN (a glob).
expect() {
  echo "$3"
  # shellcheck disable=SC2053  # $2 is a pattern
  [[ $3 == $2 ]] || { echo "demo: FAILED: $1: expected $2, got '$3'" >&2; exit 1; }
}

step "curl -X POST $base/login -d user=ada    # with the page's CSRF token"
token=$(get "$base/" | csrf)
expect "the login answers 303 (a redirect to /)" "HTTP 303" \
  "$(get -D "$tmp/headers" -o /dev/null -w 'HTTP %{http_code}' -d "user=ada&_csrf=$token" "$base/login")"
echo "Set-Cookie attributes: $(tr -d '\r' <"$tmp/headers" | sed -n 's/^[Ss]et-[Cc]ookie: [^;]*; //p')"
step "curl $base/    # reload: the session came back in the cookie"
expect "the first reload shows ada logged in" "user: ada visits: *" "$(get "$base/" | shown)"
expect "the second reload shows ada logged in" "user: ada visits: *" "$(get "$base/" | shown)"
cp "$tmp/jar" "$tmp/old-jar"  # the cookie as someone who copied it would keep it
step "curl -X POST $base/logout"
token=$(get "$base/" | csrf)
expect "the logout answers 200" "HTTP 200" "$(get -o /dev/null -w 'HTTP %{http_code}' -d "_csrf=$token" "$base/logout")"
step "curl $base/ with the cookie from before the logout    # revoked: refused"
expect "the cookie replayed after the logout is refused" "user: (not logged in) visits: *" \
  "$(curl -sS --max-time 5 -b "$tmp/old-jar" "$base/" | shown)"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true  # it ends by the signal: not a failure
server_pid=""

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
