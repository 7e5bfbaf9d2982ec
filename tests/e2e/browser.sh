#!/usr/bin/env bash
# cookieseal - e2e: starts an example server on 127.0.0.1 and runs browser.mjs (headless
# Chromium) against it as http://localhost:PORT, the origin on which Chromium keeps the default
# `Secure` `__Host-session` cookie over plain http.
# Usage: tests/e2e/browser.sh SERVER_BINARY [VAR=value...]
set -uo pipefail
here=$(dirname "$0")
source "$here/lib.sh"

binary=$1
shift
label=$(basename "$binary")
if ! start_server "$e2e_dir/server.log" "$binary" COOKIESEAL_KEYS="$(new_key)" "$@"; then
  not_ok "$label starts"
  exit 1
fi
ok "$label starts on $base (browser run)"
# The node script has its own per-step timeouts; this bounds the whole run.
timeout 90 node "$here/browser.mjs" "http://localhost:${base##*:}"
