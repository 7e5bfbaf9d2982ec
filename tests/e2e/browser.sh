#!/usr/bin/env bash
# cookieseal - e2e: runs browser.mjs (headless Chromium) against an example server; the script
# starts one server per case itself (127.0.0.1, --port 0, under `timeout 120`) and opens it as
# http://localhost:PORT, the origin on which Chromium keeps the default `Secure`
# `__Host-session` cookie over plain http.
# Usage: tests/e2e/browser.sh SERVER_BINARY
set -uo pipefail
here=$(dirname "$0")
# The node script has its own per-step timeouts; this bounds the whole run.
timeout 90 node "$here/browser.mjs" "$1"
