#!/usr/bin/env bash
# End-to-end: the example servers on 127.0.0.1, driven by curl and its cookie jar (cpp-httplib
# in full, Boost.Beast briefly, the README's minimal app), then the cpp-httplib one in headless Chromium through
# playwright-core, then three of them sharing a redis-server for revocation, with `cookieseal revoke` (tests/e2e/fleet.sh), server-side sessions in a shared Redis store (tests/e2e/store.sh), the five migration examples of examples/jobs/ (tests/e2e/jobs.sh, one with a redis-server), and the fleet soaked under traffic and faults for 20 s (tests/e2e/soak.sh). Ends with "e2e: N passed, M failed"; exits non-zero on any failure.
# Only loopback traffic (besides installing packages); every server runs under `timeout 120`.
set -uo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
die() {
  echo "e2e: 0 passed, 1 failed ($1)"
  exit 1
}

# 1. What the test needs: the example libraries, curl, Chromium, node/npm, playwright-core,
# nlohmann-json for the cookieseal tool (the fleet test runs `cookieseal revoke`).
bash scripts/setup.sh examples browser redis tools || die "installing packages"
if [[ ! -f tests/e2e/node_modules/playwright-core/package.json ]]; then
  (cd tests/e2e && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) || die "npm"
fi

# 2. The servers and the tool (10-unit.sh normally built build/gcc already; this builds only
# what is missing).
# E2E_BUILD_DIR picks another build directory.
build=${E2E_BUILD_DIR:-build/gcc}
[[ -f $build/build.ninja ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null || die "meson setup"
# A build directory configured before the libraries were installed has no server (or tool)
# targets: configure it again so examples/meson.build and tools/meson.build find them.
targets=$(ninja -C "$build" -t targets all)
if ! grep -q '^examples/beast_server:' <<<"$targets" || ! grep -q '^tools/cookieseal:' <<<"$targets"; then
  meson setup --reconfigure "$build" >/dev/null || die "meson setup --reconfigure"
fi
jobs=(mojo_session oxygen tideway go_mizu bareasgi_session)
ninja -C "$build" examples/httplib_server examples/httplib_minimal examples/beast_server "${jobs[@]/#/examples/jobs/}" \
  tools/cookieseal || die "building the servers and the tool"

# 3. The runs. Each prints "ok - ..." / "not ok - ..." lines; a run that crashes before its
# summary counts as one more failure.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run() {
  local what=$1 out rc
  shift
  out=$logs/$((${#runs[@]} + 1)).log
  runs+=("$out")
  echo "--- $what"
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if ((rc != 0)) && ! grep -q '^not ok - ' "$out"; then
    echo "not ok - $what exited with status $rc" | tee -a "$out"
  fi
}
runs=()

run "cpp-httplib, curl" bash tests/e2e/curl_flow.sh full "$build/examples/httplib_server"
# Beast with the non-Secure configuration (cookie `session`), so that one is covered too.
run "Boost.Beast, curl" bash tests/e2e/curl_flow.sh brief "$build/examples/beast_server" \
  COOKIESEAL_SECURE=false COOKIESEAL_COOKIE_NAME=session
run "cpp-httplib, the README's minimal app, curl" bash tests/e2e/minimal.sh "$build/examples/httplib_minimal"
run "cpp-httplib, Chromium" bash tests/e2e/browser.sh "$build/examples/httplib_server"
# The README's main job, as a user runs it: demo.sh itself fails on a step over HTTP that does
# not do what it shows; each line it must print is then one result.
demo() {
  local what pattern failed=0
  DEMO_BUILD_DIR=$build bash scripts/demo.sh >"$logs/demo.out" 2>&1 || { tail -n 20 "$logs/demo.out"; return 1; }
  while IFS='|' read -r what pattern; do
    if grep -qF -- "$pattern" "$logs/demo.out"; then
      echo "ok - scripts/demo.sh: $what"
    else
      echo "not ok - scripts/demo.sh: $what (no '$pattern' in its output)"
      failed=1
    fi
  done <<'END'
the login answers 303|HTTP 303
the reloads show ada logged in|user: ada visits:
the cookie replayed after logout is refused|user: (not logged in)
the tampered cookie is rejected|(exit status 1: rejected)
END
  return "$failed"
}
run "scripts/demo.sh" demo
run "a fleet of cpp-httplib servers and redis-server, curl and the cookieseal tool" bash tests/e2e/fleet.sh "$build/examples/httplib_server" "$build/tools/cookieseal"
run "server-side sessions: cpp-httplib servers sharing a redis-server store, curl" bash tests/e2e/store.sh "$build/examples/httplib_server"
run "the five migration examples (docs/MIGRATING.md), curl and redis-server" bash tests/e2e/jobs.sh "$build/examples/jobs"
run "soak: two cpp-httplib servers and redis-server under traffic, key rotation, restarts, revocation, hostile cookies (20 s)" bash tests/e2e/soak.sh "$build/examples/httplib_server"

passed=$(cat "${runs[@]}" | grep -c '^ok - ')
failed=$(cat "${runs[@]}" | grep -c '^not ok - ')
echo "e2e: $passed passed, $failed failed ($((SECONDS - start)) s)"
((failed == 0 && passed > 0))
