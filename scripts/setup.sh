#!/usr/bin/env bash
# Installs the Debian packages that the named groups need, only those missing (idempotent).
# Usage: scripts/setup.sh GROUP...
#   groups: build tools examples node browser fuzz afl bench package lint redis load
set -euo pipefail

declare -A packages=(
  [build]="g++ pkg-config meson ninja-build libsodium-dev libcereal-dev doctest-dev"
  [tools]="nlohmann-json3-dev"
  [examples]="libcpp-httplib-dev libboost-dev curl"
  [node]=""          # node itself: checked by command below (a node outside Debian's will do)
  [browser]="chromium"  # and node, npm: playwright-core drives Chromium
  [fuzz]="clang libclang-rt-14-dev libfuzzer-14-dev"
  [afl]="afl++ clang libclang-rt-14-dev"
  [bench]="libbenchmark-dev valgrind"
  [package]="cmake pkg-config"
  [lint]="clang-format clang-tidy doxygen git"
  # Redis revocation list: hiredis to build it, a real redis-server (and redis-cli) to test it.
  [redis]="libhiredis-dev redis-server redis-tools"
  # HTTP load: bench/http_load.sh drives the example servers with wrk.
  [load]="wrk curl redis-server redis-tools"
)

wanted=()
for group in "$@"; do
  [[ -v "packages[$group]" ]] || { echo "setup: unknown group '$group'" >&2; exit 2; }
  for p in ${packages[$group]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || wanted+=("$p")
  done
  # The FORMAT.md cross-check runs on node; the browser test also needs npm.
  if [[ $group == node || $group == browser ]] && ! command -v node >/dev/null; then
    wanted+=(nodejs)
  fi
  if [[ $group == browser ]] && ! command -v npm >/dev/null; then
    wanted+=(npm)
  fi
done

if ((${#wanted[@]})); then
  echo "setup: installing ${wanted[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
fi
