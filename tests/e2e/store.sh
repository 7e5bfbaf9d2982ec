#!/usr/bin/env bash
# cookieseal e2e - server-side sessions through the example server: a redis-server and two
# example servers (A and B) on 127.0.0.1 sharing a keys file and COOKIESEAL_STORE (automatic
# mode), a third (C) with COOKIESEAL_STORE_MODE=server, and one without a store.
# Usage: tests/e2e/store.sh PATH/TO/httplib_server
# A 20 KB session round-trips (written on A, read on B) with a cookie under 4096 bytes; it moves
# back into the cookie when it shrinks; the store holds no readable session data; after logout
# the old cookie opens nothing on either server (no shared revocation list: the record is gone);
# "sign out other devices" ends the user's other session; without a store the note is refused.
set -uo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
server=${1:?usage: store.sh PATH/TO/httplib_server}

rport=$(free_port)
start_redis || exit 1
new_key >"$e2e_dir/keys"
store_env=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys" COOKIESEAL_STORE="redis://127.0.0.1:$rport/0"
  COOKIESEAL_REDIS_PREFIX="store-test:")
start_server "$e2e_dir/a.log" "$server" "${store_env[@]}" && a_base=$base || exit 1
start_server "$e2e_dir/b.log" "$server" "${store_env[@]}" && b_base=$base || exit 1
start_server "$e2e_dir/c.log" "$server" "${store_env[@]}" COOKIESEAL_STORE_MODE=server && c_base=$base || exit 1
start_server "$e2e_dir/d.log" "$server" COOKIESEAL_KEYS_FILE="$e2e_dir/keys" && d_base=$base || exit 1

# on BASE JAR METHOD PATH [FIELDS]: one request with a cookie jar; a POST first reads the home
# page for its CSRF token.
on() {
  local jar=$2 method=$3 path=$4 fields=${5-}
  base=$1
  if [[ $method == POST ]]; then
    request GET / -c "$jar" -b "$jar"
    post_data="$fields&_csrf=$(page_csrf)" request POST "$path" -c "$jar" -b "$jar"
  else
    request GET "$path" -c "$jar" -b "$jar"
  fi
}
# note BASE JAR TEXT: POST /notes with TEXT as a text/plain body, the token in X-CSRF-Token.
note_on() {
  base=$1
  request GET / -c "$2" -b "$2"
  post_data=$3 request POST /notes -c "$2" -b "$2" -H "X-CSRF-Token: $(page_csrf)" -H 'Content-Type: text/plain'
}
body() { cat "$e2e_dir/body"; }
stored_header() { tr -d '\r' <"$e2e_dir/headers" | sed -n 's/^X-Session-Stored: //p'; }
# user_with BASE JAR: the user the home page shows for this jar (on a copy of it).
user_with() {
  cp "$2" "$e2e_dir/probe.jar"
  on "$1" "$e2e_dir/probe.jar" GET /
  page_user
}
# The values of every key under the test prefix in redis-server.
store_dump() {
  local key
  redis-cli -h 127.0.0.1 -p "$rport" --scan --pattern 'store-test:*' | while read -r key; do
    redis-cli -h 127.0.0.1 -p "$rport" --raw GET "$key" 2>/dev/null
  done
}

# 20 KB of text with a marker to look for in the store.
note=$(printf 'NOTE-MARKER-%.0s' $(seq 1 1707))
note=${note:0:20480}
ada=$e2e_dir/ada.jar
: >"$ada"
on "$a_base" "$ada" POST /login user=ada
note_on "$a_base" "$ada" "$note"
check "store: a 20 KB note is saved on A (200)" test "$status" == 200
cookie_line=$(tr -d '\r' <"$e2e_dir/headers" | grep -i '^set-cookie: __Host-session=')
check "store: its Set-Cookie is under 4096 bytes (${#cookie_line} with the header name)" test "${#cookie_line}" -lt 4096
on "$b_base" "$ada" GET /notes
check "store: B reads the same 20 KB back" test "$(body)" == "$note"
check "store: B found it in the store (X-Session-Stored: yes)" test "$(stored_header)" == yes
check "store: the store holds no readable session data" bash -c '! grep -q NOTE-MARKER <<<"$1"' _ "$(store_dump)"
# -w: a random hex id may hold the letters "ada" (about one run in a hundred).
check "store: nor the user name in a key" bash -c '! grep -qw ada <<<"$1"' _ \
  "$(redis-cli -h 127.0.0.1 -p "$rport" --scan --pattern 'store-test:*')"

note_on "$b_base" "$ada" "short"
on "$a_base" "$ada" GET /notes
check "store: a shrunk session is read on A" test "$(body)" == short
check "store: and is back in its cookie (X-Session-Stored: no)" test "$(stored_header)" == no

note_on "$a_base" "$ada" "$note"
cp "$ada" "$e2e_dir/ada-copy.jar"  # what someone who copied ada's cookie keeps
on "$a_base" "$ada" POST /logout
check "store: logout on A answers 200" test "$status" == 200
check "store: the old cookie opens nothing on A" test "$(user_with "$a_base" "$e2e_dir/ada-copy.jar")" == "(not logged in)"
check "store: nor on B (no shared revocation list: the record is gone)" \
  test "$(user_with "$b_base" "$e2e_dir/ada-copy.jar")" == "(not logged in)"
cp "$e2e_dir/ada-copy.jar" "$e2e_dir/probe.jar"
on "$b_base" "$e2e_dir/probe.jar" GET /notes
check "store: and its note is gone" test -z "$(body)"

carol1=$e2e_dir/carol1.jar carol2=$e2e_dir/carol2.jar
: >"$carol1"
: >"$carol2"
on "$c_base" "$carol1" POST /login user=carol
on "$c_base" "$carol2" POST /login user=carol
on "$c_base" "$carol1" POST /logout-other-devices
check "store: sign out other devices on C ends 1 session" test "$(body)" == "ended 1 other sessions"
check "store: carol's other device is logged out" test "$(user_with "$c_base" "$carol2")" == "(not logged in)"
check "store: the device that asked stays logged in" test "$(user_with "$c_base" "$carol1")" == carol

dora=$e2e_dir/dora.jar
: >"$dora"
on "$d_base" "$dora" POST /login user=dora
note_on "$d_base" "$dora" "$note"
check "store: without a store the 20 KB note is refused with a 500" test "$status" == 500
check "store: saying the session is too large" test "$(body)" == "session too large"
check "store: and the session is unchanged" test "$(user_with "$d_base" "$dora")" == dora

check "store: no request but the refused note got a 5xx" test "$(grep -c '^5' "$e2e_dir/statuses")" == 1
e2e_summary store
