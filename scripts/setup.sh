#!/usr/bin/env bash
# Installs the Debian packages that the named groups need, only those missing (idempotent).
# Usage: scripts/setup.sh GROUP...   groups: build tools examples browser fuzz afl bench package lint redis
set -euo pipefail

declare -A packages=(
  [build]="g++ pkg-config meson ninja-build libsodium-dev libcereal-dev doctest-dev"
  [tools]="nlohmann-json3-dev"
  [examples]="libcpp-httplib-dev libboost-dev curl"
  [browser]="chromium"
  [fuzz]="clang libclang-rt-14-dev libfuzzer-14-dev"
  [afl]="afl++ clang libclang-rt-14-dev"
  [bench]="libbenchmark-dev valgrind"
  [package]="cmake pkg-config"
  [lint]="clang-format clang-tidy doxygen git"
  # Redis revocation list: hiredis to build it, a real redis-server (and redis-cli) to test it.
  [redis]="libhiredis-dev redis-server redis-tools"
)

wanted=()
for group in "$@"; do
  [[ -v "packages[$group]" ]] || { echo "setup: unknown group '$group'" >&2; exit 2; }
  for p in ${packages[$group]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || wanted+=("$p")
  done
  # The browser test drives Chromium with playwright-core: it needs node and npm.
  if [[ $group == browser ]] && ! { command -v node && command -v npm; } >/dev/null; then
    wanted+=(nodejs npm)
  fi
done

if ((${#wanted[@]})); then
  echo "setup: installing ${wanted[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
fi
