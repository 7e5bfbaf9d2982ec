#!/usr/bin/env bash
# Usage: check_layers.sh SOURCE_ROOT
# Layers only call down (docs/ARCHITECTURE.md): every file of include/cookieseal/ and src/ has
# the rank of its row in that diagram, and may include only files of its own rank or lower.
# Fails, naming the include, when one reaches up; and when a file has no rank (a new file must
# be placed in a layer here and in the diagram).
set -euo pipefail
cd "$1"

# The rank of a file (a path from the root, or an include as written), or nothing.
rank() {
  case $1 in
    */version.hpp | */export.hpp | */error.hpp | */format.hpp) echo 0 ;;
    */detail/archive.hpp | */detail/require_cpp20.hpp | */detail/scratch.hpp | src/encoding/*) echo 0 ;;
    */key.hpp | */keyring.hpp | */sealer.hpp | */lifetimes.hpp | src/crypto/* | src/config/lifetimes.cpp) echo 1 ;;
    */live_keyring.hpp | src/session/live_keyring.cpp) echo 1 ;;
    */session.hpp | */detail/placement.hpp | */detail/session_payload.hpp | src/session/session.cpp) echo 2 ;;
    */cookie_header.hpp | */set_cookie.hpp | src/http/cookie_header.cpp | src/http/set_cookie.cpp) echo 2 ;;
    */codec.hpp | src/codec/*) echo 2 ;;
    */redis.hpp | src/redis/*) echo 3 ;;
    */revocation.hpp | */session_store.hpp | src/revocation/* | src/store/*) echo 4 ;;
    */config.hpp | src/config/config.cpp) echo 5 ;;
    */session_manager.hpp | src/session/*) echo 6 ;;
    */csrf.hpp | */middleware.hpp | */httplib.hpp | */beast.hpp | src/http/*) echo 7 ;;
    */detail/httplib_adapter.hpp | */detail/beast_adapter.hpp) echo 7 ;;
    */cookieseal.hpp) echo 8 ;;  # the umbrella header
  esac
}

# The one sideways include the diagram shows: the store backend implements the manager's seam.
allowed() { [[ $1 == src/store/store_backend.hpp && $2 == session/backend.hpp ]]; }

failed=0
files=0
while IFS= read -r file; do
  files=$((files + 1))
  own=$(rank "$file")
  if [[ -z $own ]]; then
    echo "no layer for $file: place it in tests/support/check_layers.sh and docs/ARCHITECTURE.md"
    failed=1
    continue
  fi
  while IFS= read -r inc; do
    case $inc in
      cookieseal/*) target="include/$inc" ;;
      *) target="src/$inc" ;;
    esac
    theirs=$(rank "$target")
    [[ -n $theirs ]] || continue  # a generated or third-party header
    if ((theirs > own)) && ! allowed "$file" "$inc"; then
      echo "$file (layer $own) includes $inc (layer $theirs): layers only call down"
      failed=1
    fi
  done < <(sed -n -E 's/^#include ["<]((cookieseal|encoding|crypto|codec|config|http|session|redis|revocation|store)\/[^">]+)[">].*/\1/p' "$file")
done < <(find include/cookieseal src -name '*.hpp' -o -name '*.cpp' | sort)
((failed == 0)) && echo "layers: $files files, every include at its own layer or below"
exit "$failed"
