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
#    nothing is installed);
#  - a feature `enabled` without its dependency fails the configuration, `auto` skips it;
#  - every installed header, compiled with -std=c++17, fails first with the C++20 #error.
# Ends with "consumers: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
start=$SECONDS
bash scripts/setup.sh build tools package || exit 1

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
  awk '/^## Quick start/ {f = 1} f && /^```cpp/ {c = 1; next} c && /^```/ {exit} c' "$root/README.md" >main.cpp
  export PKG_CONFIG_PATH="$prefix/lib/x86_64-linux-gnu/pkgconfig"
  g++ -std=c++20 -o quick main.cpp $(pkg-config --cflags --libs cookieseal) -Wl,-rpath,"$prefix/lib/x86_64-linux-gnu"
  local err status
  err=$(env -i ./quick 2>&1) && status=0 || status=$?
  [[ $status == 1 && $err == *"COOKIESEAL_KEYS"* && $err != *terminate* ]] || { echo "without a key: $status $err"; exit 1; }
  echo "without a key: exit 1, $err"
  [[ $(env -i COOKIESEAL_KEYS="$("$prefix/bin/cookieseal" keygen)" ./quick) == "ada has 3 items" ]]
  echo "with a key: ada has 3 items"
}
consumer readme-quick-start quick_start

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

with_meson_subproject() {
  app meson
  unset PKG_CONFIG_PATH  # no installed cookieseal: the subproject answers
  mkdir subprojects && ln -s "$root" subprojects/cookieseal  # as a copy or a git submodule would
  grep -qxF "cookieseal_dep = dependency('cookieseal', version: '>= 0.1', fallback: 'cookieseal')" "$root/README.md"
  grep -qxF "cookieseal_dep = dependency('cookieseal', version: '>= 0.1', fallback: 'cookieseal')" meson.build
  readme 'meson setup build' >setup.log || { cat setup.log; exit 1; }
  grep -E 'Executing subproject|Dependency cookieseal' setup.log
  ninja -C build | tail -n 1
  env -i ./build/app "$version"
  # The subproject defined the library and nothing else, and installs nothing.
  meson introspect --targets build | python3 -c 'import json, sys
mine = sorted(t["name"] + " (" + t["type"] + ")" for t in json.load(sys.stdin) if t["subproject"] == "cookieseal")
print("subproject targets:", ", ".join(mine))
sys.exit(mine != ["cookieseal (static library)"])'
  [[ $(meson introspect --installed build) == "{}" ]] || { echo "installs: $(meson introspect --installed build)"; exit 1; }
  echo "meson install would install nothing"
  if find build/subprojects -type f -executable | grep .; then exit 1; fi  # no test, tool, fuzzer
  echo "no executable in build/subprojects"
}
consumer meson-subproject with_meson_subproject

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
((failed == 0 && passed == 9))
