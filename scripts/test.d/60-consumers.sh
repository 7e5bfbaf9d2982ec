#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2030,SC2031  # README commands: quoted as written, run by eval
# Packaging: README.md §Install, command by command. Each command below is taken from the
# README (the stage fails when one is no longer written there), then run:
#  - install to a temporary prefix, and again into a DESTDIR staging directory; the installed
#    `cookieseal keygen` runs from both with an empty environment, and neither binary needs
#    libcookieseal at run time;
#  - the key command exports a key, and exports nothing when keygen fails;
#  - tests/consumers/app, copied outside the tree, built and run against the installed library
#    with pkg-config (the multiarch PKG_CONFIG_PATH), CMake (CMAKE_PREFIX_PATH; shared and
#    static targets), and as a meson subproject with no -D option (only the library is built,
#    nothing is installed), from a copy of the tree and from a wrap-git file; without the
#    README's cpp_std=c++20 the app's source stops at the C++20 #error;
#  - README.md's cpp-httplib app (examples/httplib_minimal.cpp) built against the prefix with
#    the README's command and run on 127.0.0.1: a GET sets the session cookie, a POST without
#    the CSRF token is refused;
#  - a feature `enabled` without its dependency fails the configuration, `auto` skips it;
#  - every installed header, compiled with -std=c++17, fails first with the C++20 #error.
# Ends with "consumers: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
start=$SECONDS
bash scripts/setup.sh build tools package examples || exit 1  # examples: cpp-httplib, curl

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
consumer() {  # consumer NAME FUNCTION: runs FUNCTION in a subshell under set -e, logs it
  local what=$1 t=$SECONDS rc
  shift
  echo "--- consumer: $what"
  (set -e; "$@") >"$tmp/$what.log" 2>&1  # not under `if`: that would switch off set -e
  rc=$?
  if ((rc == 0)); then
    sed 's/^/  /' "$tmp/$what.log" | tail -n 12
    echo "ok - $what ($((SECONDS - t)) s)"
    passed=$((passed + 1))
  else
    sed 's/^/  /' "$tmp/$what.log" | tail -n 40
    echo "not ok - $what: exit status $rc ($((SECONDS - t)) s)"
    failed=$((failed + 1))
  fi
}

# readme_block 'HEADING-REGEX' LANG: the first ```LANG block after the README.md line matching
# HEADING-REGEX, as printed (fails when there is none).
readme_block() {
  awk -v start="$1" -v fence="\`\`\`$2" '$0 ~ start {f = 1} f && $0 == fence {c = 1; next}
    c && /^```/ {exit} c {print; n++} END {exit n == 0}' "$root/README.md"
}

# readme 'COMMAND': COMMAND, checked to be a line of README.md, then run (eval: its quotes and
# $variables as a shell reading the README would take them).
readme() {
  grep -qxF -- "$1" "$root/README.md" || { echo "README.md no longer says: $1"; return 1; }
  echo "\$ $1"
  eval "$1"
}

# The installed tool makes a key with nothing in the environment (no LD_LIBRARY_PATH, no PATH),
# and does not load libcookieseal at all: it runs even where no library is installed next to it
# (the staged copy would otherwise find the one in $prefix). libsodium in the ldd output shows
# ldd listed the binary's libraries.
keygen_runs() {
  local key libs
  key=$(env -i "$1" keygen)
  [[ $key =~ ^[A-Za-z0-9_-]{43}$ ]] || { echo "$1 keygen printed '$key'"; return 1; }
  echo "env -i $1 keygen: a 43-character key"
  libs=$(ldd "$1")
  grep -q libsodium <<<"$libs" || { echo "ldd $1 lists no libsodium: $libs"; return 1; }
  if grep libcookieseal <<<"$libs"; then echo "$1 needs libcookieseal at run time"; return 1; fi
  echo "ldd $1: no libcookieseal"
}

# 1. Install. The stage's own build directory, in place of the README's build/release (which
# is a reader's); a second run reconfigures it for the new prefix and rebuilds little.
build=build/consumers
prefix=$tmp/prefix
install_prefix() {
  local setup='meson setup build/release --buildtype=release --prefix="$prefix" -Dtests=disabled -Dexamples=disabled -Dbench=disabled -Dfuzz=disabled'
  local install='meson install -C build/release'
  if ! grep -qxF -- "$setup" README.md || ! grep -qxF -- "$install" README.md; then
    echo "README.md §Install no longer says: $setup / $install"
    exit 1
  fi
  [[ -f $build/build.ninja ]] && setup=${setup/meson setup/meson setup --reconfigure}
  readme_in_build() { echo "\$ ${1//build\/release/$build}"; eval "${1//build\/release/$build}"; }
  readme_in_build "$setup" >"$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
  readme_in_build "$install" | tail -n 2
  keygen_runs "$prefix/bin/cookieseal"
  echo "installed into $prefix:"
  (cd "$prefix" && find . -type f -o -type l | sort | sed 's|^\./|  |')
}
consumer install-prefix install_prefix
[[ -x $prefix/bin/cookieseal ]] || { echo "consumers: $passed passed, $((failed + 1)) failed (nothing installed)"; exit 1; }
read -r version libdir < <(meson introspect --projectinfo --buildoptions "$build" | python3 -c 'import json, sys
info = json.load(sys.stdin)
opts = {o["name"]: o["value"] for o in info["buildoptions"]}
print(info["projectinfo"]["version"], opts["libdir"])')

install_destdir() {
  meson install -C "$build" --destdir "$tmp/stage" --quiet
  keygen_runs "$tmp/stage$prefix/bin/cookieseal"
  # Staged and installed trees hold the same files.
  diff <(cd "$prefix" && find . | sort) <(cd "$tmp/stage$prefix" && find . | sort)
  echo "the DESTDIR staging holds the same $(cd "$prefix" && find . -type f | wc -l) files"
}
consumer install-destdir install_destdir

key_command() {
  local line='key=$("$prefix/bin/cookieseal" keygen) && export COOKIESEAL_KEYS="$key"'
  (unset COOKIESEAL_KEYS; readme "$line" && [[ $(printenv COOKIESEAL_KEYS) =~ ^[A-Za-z0-9_-]{43}$ ]])
  echo "exports a key"
  # A keygen that fails (here: no such program) leaves COOKIESEAL_KEYS unset.
  (unset COOKIESEAL_KEYS; prefix=$tmp/nowhere; readme "$line" 2>/dev/null || true; [[ -z $(printenv COOKIESEAL_KEYS) ]])
  echo "exports nothing when keygen fails"
}
consumer key-command key_command

app() {  # a fresh copy of the app outside the tree
  rm -rf "${tmp:?}/$1" && cp -r "$root/tests/consumers/app" "$tmp/$1" && cd "$tmp/$1"
}

with_pkg_config() {
  app pkg-config
  [[ $libdir == lib/x86_64-linux-gnu ]] || { echo "libdir is $libdir: README.md names lib/x86_64-linux-gnu"; exit 1; }
  readme 'export PKG_CONFIG_PATH="$prefix/lib/x86_64-linux-gnu/pkgconfig"'
  [[ $(pkg-config --modversion cookieseal) == "$version" ]]
  readme 'g++ -std=c++20 -o app main.cpp $(pkg-config --cflags --libs cookieseal) -Wl,-rpath,"$prefix/lib/x86_64-linux-gnu"'
  ldd ./app | grep -q "libcookieseal.so.* => $prefix/$libdir/"  # the installed library
  env -i ./app "$version"
}
consumer pkg-config with_pkg_config

# README.md §Quick start, compiled as printed: without a key it says what to do and exits 1
# (no "terminate called"); with one it opens its cookie.
quick_start() {
  rm -rf "${tmp:?}/quick" && mkdir "$tmp/quick" && cd "$tmp/quick"
  readme_block '^## Quick start' cpp >main.cpp
  export PKG_CONFIG_PATH="$prefix/lib/x86_64-linux-gnu/pkgconfig"
  # shellcheck disable=SC2046  # split on purpose, as in the README's pkg-config line
  g++ -std=c++20 -o quick main.cpp $(pkg-config --cflags --libs cookieseal) -Wl,-rpath,"$prefix/lib/x86_64-linux-gnu"
  local err status
  err=$(env -i ./quick 2>&1) && status=0 || status=$?
  [[ $status == 1 && $err == *"COOKIESEAL_KEYS"* && $err != *terminate* ]] || { echo "without a key: $status $err"; exit 1; }
  echo "without a key: exit 1, $err"
  [[ $(env -i COOKIESEAL_KEYS="$("$prefix/bin/cookieseal" keygen)" ./quick) == "ada has 3 items" ]]
  echo "with a key: ada has 3 items"
}
consumer readme-quick-start quick_start

# README.md's cpp-httplib app (the code block, checked to be examples/httplib_minimal.cpp), built with the
# README's command against the prefix and run with nothing else in its environment but a key, on
# 127.0.0.1 (a free port in place of the README's 8080, for at most 60 s): a GET gets the session
# cookie, a POST carrying it but no CSRF token gets a 403.
web_app() {
  rm -rf "${tmp:?}/web" && mkdir "$tmp/web" && cd "$tmp/web"
  # The README prints the example without its two comment lines: the same program.
  readme_block '^## A web app with sessions' cpp >app.cpp
  diff -u <(tail -n +3 "$root/examples/httplib_minimal.cpp") app.cpp ||
    { echo "README.md's web app is not examples/httplib_minimal.cpp"; return 1; }
  readme 'export PKG_CONFIG_PATH="$prefix/lib/x86_64-linux-gnu/pkgconfig"'
  readme 'g++ -std=c++20 -o app app.cpp $(pkg-config --cflags --libs cookieseal cpp-httplib) -Wl,-rpath,"$prefix/lib/x86_64-linux-gnu"'
  ldd ./app | grep -q "libcookieseal.so.* => $prefix/$libdir/"  # the installed library
  grep -qxF './app 8080    # then open http://localhost:8080/' "$root/README.md"
  unset COOKIESEAL_KEYS
  readme 'key=$("$prefix/bin/cookieseal" keygen) && export COOKIESEAL_KEYS="$key"'
  local port base status cookie started=0  # server_pid: not local, the EXIT trap reads it
  for _ in 1 2 3 4 5; do  # a port free a moment ago can be taken meanwhile: then the app exits
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    env -i COOKIESEAL_KEYS="$COOKIESEAL_KEYS" timeout 60 ./app "$port" >server.log 2>&1 &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true' EXIT
    base=http://127.0.0.1:$port
    for _ in {1..50}; do
      kill -0 "$server_pid" 2>/dev/null || break
      if curl -s -o /dev/null --max-time 1 "$base/"; then started=1; break; fi
      sleep 0.1
    done
    ((started)) && break
    kill "$server_pid" 2>/dev/null || true
  done
  ((started)) || { echo "the app did not start:"; cat server.log; exit 1; }
  echo "./app $port: listening on $base"
  status=$(curl -s --max-time 5 -D get.headers -o get.body -w '%{http_code}' "$base/")
  cookie=$(grep -i '^set-cookie: __Host-session=' get.headers | sed 's/^[^:]*: //; s/;.*//')
  if [[ $status != 200 || -z $cookie ]] || ! grep -q 'visits: 1' get.body; then
    echo "GET /: $status"; cat get.headers get.body; exit 1
  fi
  echo "GET /: 200, $(grep -i '^set-cookie:' get.headers | sed 's/=[^;]*;/=...;/' | tr -d '\r')"
  status=$(curl -s --max-time 5 -o post.body -w '%{http_code}' -H "Cookie: $cookie" -d '' "$base/reset")
  if [[ $status != 403 ]] || ! grep -q 'no CSRF token' post.body; then
    echo "POST /reset: $status"; cat post.body; exit 1
  fi
  echo "POST /reset with the cookie, without a token: 403 $(tr -d '\r\n' <post.body)"
}
consumer web-app web_app

with_cmake() {
  app cmake
  # The version file: the same 0.MINOR series is compatible, an exact request is exact.
  local asked v compatible exact got
  # shellcheck disable=SC2016  # CMake variables, expanded by cmake
  printf '%s\n' 'include(${CVF})' \
    'message("${PACKAGE_VERSION}:${PACKAGE_VERSION_COMPATIBLE}:${PACKAGE_VERSION_EXACT}")' >check.cmake
  for asked in "$version:TRUE:TRUE" "${version%.*}:TRUE:" "0.0:FALSE:" "0.2:FALSE:" "1.0:FALSE:"; do
    IFS=: read -r v compatible exact <<<"$asked"
    got=$(cmake -DCVF="$prefix/$libdir/cmake/cookieseal/cookiesealConfigVersion.cmake" \
      -DPACKAGE_FIND_VERSION="$v" -DPACKAGE_FIND_VERSION_MAJOR="${v%%.*}" \
      -DPACKAGE_FIND_VERSION_MINOR="$(cut -d. -f2 <<<"$v")" -DCMAKE_SIZEOF_VOID_P=8 -P check.cmake 2>&1)
    [[ $got == "$version:$compatible:$exact" ]] || { echo "version file: asked $v, got $got"; exit 1; }
  done
  echo "cookiesealConfigVersion.cmake: $version; ${version%.*} compatible, 0.0 / 0.2 / 1.0 not"
  grep -qxF 'find_package(cookieseal 0.1 CONFIG REQUIRED)' "$root/README.md"
  grep -qxF 'target_link_libraries(app PRIVATE cookieseal::cookieseal)  # or cookieseal::cookieseal_static' "$root/README.md"
  readme 'cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix"' >cmake.log || { cat cmake.log; exit 1; }
  grep 'cookieseal' cmake.log
  readme 'cmake --build build' | tail -n 1
  env -i ./build/app "$version"
  env -i ./build/app_static "$version"
  if ldd ./build/app_static | grep libcookieseal; then exit 1; fi  # really static
}
consumer cmake with_cmake

# The README's meson.build lines are the app's; `meson setup build` with no -D option: the
# subproject in subprojects/cookieseal (prepared by the caller) defines the library and nothing
# else, and installs nothing.
meson_consumer_builds() {
  local line
  for line in "project('app', 'cpp', default_options: ['cpp_std=c++20'])" \
    "cookieseal_dep = dependency('cookieseal', version: '>= 0.1', fallback: 'cookieseal')"; do
    grep -qxF -- "$line" "$root/README.md" || { echo "README.md no longer says: $line"; exit 1; }
    grep -qxF -- "$line" meson.build || { echo "tests/consumers/app/meson.build does not say: $line"; exit 1; }
  done
  readme 'meson setup build' >setup.log || { cat setup.log; exit 1; }
  grep -E 'Cloning into|Executing subproject|Dependency cookieseal' setup.log
  ninja -C build | tail -n 1
  env -i ./build/app "$version"
  meson introspect --targets build | python3 -c 'import json, sys
mine = sorted(t["name"] + " (" + t["type"] + ")" for t in json.load(sys.stdin) if t["subproject"] == "cookieseal")
print("subproject targets:", ", ".join(mine))
sys.exit(mine != ["cookieseal (static library)"])'
  [[ $(meson introspect --installed build) == "{}" ]] || { echo "installs: $(meson introspect --installed build)"; exit 1; }
  echo "meson install would install nothing"
  if find build/subprojects -type f -executable | grep .; then exit 1; fi  # no test, tool, fuzzer
  echo "no executable in build/subprojects"
}

with_meson_subproject() {
  app meson
  unset PKG_CONFIG_PATH  # no installed cookieseal: the subproject answers
  mkdir subprojects && ln -s "$root" subprojects/cookieseal  # as a copy or a git submodule would
  meson_consumer_builds
  # The project's own cpp_std is the one its sources get: without the README's default_options
  # (the subproject still has its c++20), main.cpp stops at the #error.
  sed -i "s/^project('app', 'cpp', default_options: \['cpp_std=c++20'\])$/project('app', 'cpp')/" meson.build
  grep -qx "project('app', 'cpp')" meson.build
  meson setup --wipe build >/dev/null
  if ninja -C build app.p/main.cpp.o >build.log 2>&1; then echo "main.cpp compiled without cpp_std=c++20"; exit 1; fi
  local first
  first=$(grep -m1 'error:' build.log)
  echo "without cpp_std=c++20, main.cpp stops at: ${first#*/subprojects/}"
  [[ $first == *'#error "cookieseal needs C++20 (-std=c++20)"'* ]]
}
consumer meson-subproject with_meson_subproject

# README.md's wrap file as printed, its placeholder URL replaced by a clone of this repository
# (the committed tree: HEAD of this checkout) standing in for the upstream one.
with_meson_wrap() {
  app meson-wrap
  unset PKG_CONFIG_PATH
  git clone --quiet "$root" "$tmp/upstream.git"
  mkdir subprojects
  readme_block '^Or, instead of the copy, a wrap file' ini >subprojects/cookieseal.wrap
  grep -qx 'url = https://git.example.org/PLACEHOLDER/cookieseal.git' subprojects/cookieseal.wrap
  sed -i "s|^url = .*|url = $tmp/upstream.git|" subprojects/cookieseal.wrap
  cat subprojects/cookieseal.wrap
  meson_consumer_builds
  [[ $(git -C subprojects/cookieseal rev-parse HEAD) == $(git -C "$root" rev-parse HEAD) ]]
  echo "subprojects/cookieseal: cloned at $(git -C "$root" rev-parse --short HEAD), the upstream's HEAD"
}
consumer meson-wrap with_meson_wrap

# -D<feature>=enabled with its dependency missing stops the configuration (meson_options.txt);
# `auto` leaves the feature out. A copy of the tree whose meson.build asks for names that do
# not exist stands in for a machine without the packages.
features_required() {
  mkdir "$tmp/missing" && (cd "$root" && git ls-files -z | xargs -0 tar c) | tar x -C "$tmp/missing"
  cd "$tmp/missing"
  sed -i "s/dependency('doctest'/dependency('no-doctest'/; s|'doctest/doctest.h'|'no-doctest.h'|;
    s/dependency('nlohmann_json'/dependency('no-json'/; s/dependency('benchmark'/dependency('no-benchmark'/;
    s/dependency('boost'/dependency('no-boost'/; s/find_program('node'/find_program('no-node'/" meson.build
  local f
  for f in tests interop tools bench examples; do
    if meson setup "b-$f" "-D$f=enabled" >"$f.log" 2>&1; then echo "-D$f=enabled configured without its dependency"; exit 1; fi
    echo "-D$f=enabled: $(grep -m1 'ERROR' "$f.log" | sed 's/^meson.build:[0-9:]* //')"
  done
  meson setup b-auto >auto.log
  [[ $(grep -cE '^ +(tests|interop \(node\)|tools|bench) *: NO$' auto.log) == 4 ]]
  echo "auto: tests, interop, tools and bench left out; configured"
}
consumer features-required features_required

before_cpp20() {
  # Each public header on its own, with g++ and clang++: the first error is the #error.
  local h out first n=0 compilers=(g++)
  command -v clang++ >/dev/null && compilers+=(clang++)
  for cxx in "${compilers[@]}"; do
    while read -r h; do
      out=$(echo "#include <cookieseal/$h>" | "$cxx" -std=c++17 -fsyntax-only -I"$prefix/include" -x c++ - 2>&1) &&
        { echo "$cxx compiled $h with -std=c++17"; exit 1; }
      first=$(grep -m1 'error:' <<<"$out")
      [[ $first == *'error: #error "cookieseal needs C++20 (-std=c++20)"'* ||
        $first == *'error: "cookieseal needs C++20 (-std=c++20)"'* ]] || { echo "$cxx, $h: $first"; exit 1; }
      n=$((n + 1))
    done < <(cd "$prefix/include/cookieseal" && find . -name '*.hpp' | sed 's|^\./||' | sort)
  done
  echo "$n compilations (${compilers[*]}) with -std=c++17 stop first at: $first"
}
consumer before-cpp20 before_cpp20

echo "consumers: $passed passed, $failed failed ($((SECONDS - start)) s)"
((failed == 0 && passed == 11))
