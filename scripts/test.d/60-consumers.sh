#!/usr/bin/env bash
# Packaging: tests/consumers/app, copied outside the tree, built against the installed library
# three ways and run: pkg-config (plain g++), CMake find_package (shared and static targets),
# and meson with cookieseal as a subproject. Also checks the installed version.hpp and the
# CMake version file against meson.build's version. Ends with "consumers: N passed, M failed";
# exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
start=$SECONDS
bash scripts/setup.sh build package || exit 1

# 1. Install build/gcc (10-unit.sh built it; this builds only what is missing) into a staging
# directory. The staged prefix is <stage>/<prefix>; the .pc names the configured prefix, so
# point it at the staged tree (the CMake package is relocatable by itself).
build=${CONSUMERS_BUILD_DIR:-build/gcc}  # override to test another build directory
[[ -f $build/build.ninja ]] || CXX=g++ meson setup "$build" -Dwerror=true >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/stage" --quiet || exit 1
read -r version prefix libdir includedir < <(meson introspect --projectinfo --buildoptions "$build" |
  python3 -c 'import json, sys
info = json.load(sys.stdin)
opts = {o["name"]: o["value"] for o in info["buildoptions"]}
print(info["projectinfo"]["version"], opts["prefix"], opts["libdir"], opts["includedir"])')
[[ -n ${includedir:-} ]] || { echo "could not read the build options of $build"; exit 1; }
[[ $libdir == /* ]] || libdir=$prefix/$libdir
[[ $includedir == /* ]] || includedir=$prefix/$includedir
inst=$tmp/stage$prefix
sed -i "s|^prefix=.*|prefix=$inst|" "$tmp/stage$libdir/pkgconfig/cookieseal.pc"
export LD_LIBRARY_PATH=$tmp/stage$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "installed cookieseal $version into $inst:"
(cd "$inst" && find . -type f -o -type l | sort | sed 's|^\./|  |')
# The installed tool (when tools are enabled) runs against the installed library.
if [[ -x $inst/bin/cookieseal ]]; then
  [[ $("$inst/bin/cookieseal" keygen) =~ ^[A-Za-z0-9_-]{43}$ ]] || { echo "installed cookieseal keygen failed"; exit 1; }
  echo "installed bin/cookieseal keygen: ok"
fi

# 2. The consumers. Each runs in a subshell with its output in a log; "ok"/"FAILED" per line.
passed=0
failed=0
consumer() {
  local what=$1 t=$SECONDS rc
  shift
  echo "--- consumer: $what"
  (set -e; "$@") >"$tmp/$what.log" 2>&1  # not under `if`: that would switch off set -e
  rc=$?
  if ((rc == 0)); then
    sed 's/^/  /' "$tmp/$what.log" | tail -n 15
    echo "ok - $what ($((SECONDS - t)) s)"
    passed=$((passed + 1))
  else
    sed 's/^/  /' "$tmp/$what.log" | tail -n 40
    echo "not ok - $what: exit status $rc ($((SECONDS - t)) s)"
    failed=$((failed + 1))
  fi
}
app() {  # a fresh copy of the app outside the tree
  rm -rf "${tmp:?}/$1" && cp -r "$root/tests/consumers/app" "$tmp/$1" && cd "$tmp/$1"
}

with_pkg_config() {
  app pkg-config
  export PKG_CONFIG_PATH=$tmp/stage$libdir/pkgconfig
  echo "pkg-config --cflags --libs cookieseal: $(pkg-config --cflags --libs cookieseal)"
  [[ $(pkg-config --modversion cookieseal) == "$version" ]]
  # shellcheck disable=SC2046  # word splitting of the flags is intended
  g++ -std=c++20 -Wall -Wextra -Wpedantic -Werror -o consumer main.cpp $(pkg-config --cflags --libs cookieseal)
  ldd ./consumer | grep libcookieseal
  ldd ./consumer | grep -q "libcookieseal.so.* => $tmp/stage$libdir/"  # the staged library
  ./consumer "$version"
}

with_cmake() {
  app cmake
  # The version file: the same 0.MINOR series is compatible, an exact request is exact.
  local asked v compatible exact got
  # shellcheck disable=SC2016  # CMake variables, expanded by cmake
  printf '%s\n' 'include(${CVF})' \
    'message("${PACKAGE_VERSION}:${PACKAGE_VERSION_COMPATIBLE}:${PACKAGE_VERSION_EXACT}")' >check.cmake
  for asked in "$version:TRUE:TRUE" "${version%.*}:TRUE:" "0.0:FALSE:" "0.2:FALSE:" "1.0:FALSE:"; do
    IFS=: read -r v compatible exact <<<"$asked"
    got=$(cmake -DCVF="$tmp/stage$libdir/cmake/cookieseal/cookiesealConfigVersion.cmake" \
      -DPACKAGE_FIND_VERSION="$v" -DPACKAGE_FIND_VERSION_MAJOR="${v%%.*}" \
      -DPACKAGE_FIND_VERSION_MINOR="$(cut -d. -f2 <<<"$v")" -DCMAKE_SIZEOF_VOID_P=8 -P check.cmake 2>&1)
    [[ $got == "$version:$compatible:$exact" ]] || { echo "version file: asked $v, got $got"; exit 1; }
  done
  echo "cookiesealConfigVersion.cmake: $version; ${version%.*} compatible, 0.0 / 0.2 / 1.0 not"
  cmake -S . -B build -G Ninja -DCMAKE_PREFIX_PATH="$inst" -DCMAKE_BUILD_TYPE=Release \
    -DCOOKIESEAL_EXPECTED_VERSION="$version" >cmake.log || { cat cmake.log; exit 1; }
  grep cookieseal cmake.log
  cmake --build build | tail -n 1
  ./build/consumer "$version"
  ./build/consumer_static "$version"
  if ldd ./build/consumer_static | grep libcookieseal; then exit 1; fi  # really static
}

with_meson_subproject() {
  app meson
  unset PKG_CONFIG_PATH
  mkdir subprojects && ln -s "$root" subprojects/cookieseal
  meson setup build --force-fallback-for=cookieseal -Dcookieseal:tests=disabled \
    -Dcookieseal:examples=disabled -Dcookieseal:tools=disabled -Dcookieseal:bench=disabled \
    -Dcookieseal:fuzz=disabled >setup.log || { cat setup.log; exit 1; }
  grep -E 'Executing subproject|Dependency cookieseal' setup.log
  ninja -C build consumer | tail -n 1
  ./build/consumer "$version"
}

consumer pkg-config with_pkg_config
consumer cmake with_cmake
consumer meson-subproject with_meson_subproject

echo "consumers: $passed passed, $failed failed ($((SECONDS - start)) s)"
((failed == 0 && passed == 3))
