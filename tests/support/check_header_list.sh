#!/usr/bin/env bash
# Usage: check_header_list.sh INCLUDE_DIR LISTED_HEADER...
# Fails when a .hpp under INCLUDE_DIR is not among the listed (installed) headers, or a listed
# one does not exist: a new public header cannot be left out of the install.
set -euo pipefail
dir=$(realpath "$1")
shift
listed=$(for f in "$@"; do realpath -m "$f"; done | sort -u)
present=$(find "$dir" -name '*.hpp' -exec realpath {} + | sort -u)
missing=$(comm -23 <(echo "$present") <(echo "$listed"))
gone=$(comm -13 <(echo "$present") <(echo "$listed"))
[[ -z $missing ]] || echo "not in include/cookieseal/meson.build (so not installed):" $missing
[[ -z $gone ]] || echo "listed in include/cookieseal/meson.build but missing:" $gone
[[ -z $missing && -z $gone ]] && echo "header_list: $(echo "$present" | wc -l) headers, all listed for install"
