#!/usr/bin/env bash
# cookieseal e2e - logout that holds across a fleet and a restart: a redis-server and two
# example servers (A and B) on 127.0.0.1 sharing a keys file and COOKIESEAL_REVOCATION.
# Usage: tests/e2e/fleet.sh PATH/TO/httplib_server
# Log in on A, log out on A -> the old cookie is refused on B within 1 s; restart A -> still
# refused; "log out everywhere" on B -> that user's other sessions refused on both; restart
# redis-server -> still refused; a user not revoked stays logged in throughout.
set -uo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
server=${1:?usage: fleet.sh PATH/TO/httplib_server}

rport=$(free_port)
start_redis || exit 1

new_key >"$e2e_dir/keys"
fleet_env=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys" COOKIESEAL_REVOCATION="redis://127.0.0.1:$rport/0"
  COOKIESEAL_REDIS_PREFIX="fleet-test")
start_a() { start_server "$e2e_dir/a.log" "$server" "${fleet_env[@]}" && a_base=$base a_pid=$server_pid; }
start_b() { start_server "$e2e_dir/b.log" "$server" "${fleet_env[@]}" && b_base=$base b_pid=$server_pid; }
start_a || exit 1
start_b || exit 1

# on SERVER JAR METHOD PATH [FIELDS]: one request to A or B with a cookie jar; a POST first
# reads the page for its CSRF token.
on() {
  local which=$1 jar=$2 method=$3 path=$4 fields=${5-}
  if [[ $which == A ]]; then base=$a_base; else base=$b_base; fi
  if [[ $method == POST ]]; then
    request GET / -c "$jar" -b "$jar"
    post_data="$fields&_csrf=$(page_csrf)" request POST "$path" -c "$jar" -b "$jar"
  else
    request GET "$path" -c "$jar" -b "$jar"
  fi
}
# refused_within MS SERVER JAR: polls until the home page shows nobody logged in.
refused_within() {
  local deadline=$(($(date +%s%N) / 1000000 + $1))
  while (($(date +%s%N) / 1000000 < deadline)); do
    [[ $(user_on_jar "$2" "$3") == "(not logged in)" ]] && return 0
    sleep 0.02
  done
  return 1
}
# user_on_jar SERVER JAR: the user the home page shows with this jar's cookie (on a copy, so a
# refused cookie's fresh session does not replace it in the jar).
user_on_jar() {
  cp "$2" "$e2e_dir/probe.jar"
  on "$1" "$e2e_dir/probe.jar" GET /
  page_user
}

ada=$e2e_dir/ada.jar bob=$e2e_dir/bob.jar carol1=$e2e_dir/carol1.jar carol2=$e2e_dir/carol2.jar
for who in ada bob carol1 carol2; do
  : >"$e2e_dir/$who.jar"
  on A "$e2e_dir/$who.jar" POST /login "user=${who%[12]}"
done
cp "$ada" "$e2e_dir/ada-copy.jar"  # what someone who copied ada's cookie keeps
check "fleet: ada logged in on A is logged in on B (one keys file)" test "$(user_on_jar B "$ada")" == ada

on A "$ada" POST /logout
check "fleet: logout on A answers 200" test "$status" == 200
check "fleet: the old cookie of ada is refused on B within 1 s" refused_within 1000 B "$e2e_dir/ada-copy.jar"
check "fleet: and on A" test "$(user_on_jar A "$e2e_dir/ada-copy.jar")" == "(not logged in)"

stop_server "$a_pid"
start_a || exit 1
check "fleet: after A restarts, the old cookie of ada is still refused on A" \
  test "$(user_on_jar A "$e2e_dir/ada-copy.jar")" == "(not logged in)"

check "fleet: carol is logged in on two devices" \
  test "$(user_on_jar A "$carol1")/$(user_on_jar B "$carol2")" == carol/carol
on B "$carol1" POST /logout-everywhere
check "fleet: log out everywhere on B answers 200" test "$status" == 200
check "fleet: carol's other device is refused on A within 1 s" refused_within 1000 A "$carol2"
check "fleet: and on B" test "$(user_on_jar B "$carol2")" == "(not logged in)"

kill "$redis_pid" 2>/dev/null
wait "$redis_pid" 2>/dev/null
start_redis || exit 1
check "fleet: after redis-server restarts, ada's old cookie is still refused on A and B" \
  test "$(user_on_jar A "$e2e_dir/ada-copy.jar")/$(user_on_jar B "$e2e_dir/ada-copy.jar")" == \
  "(not logged in)/(not logged in)"
check "fleet: and carol's other device too" test "$(user_on_jar A "$carol2")" == "(not logged in)"
check "fleet: bob, never revoked, stayed logged in on A and B throughout" \
  test "$(user_on_jar A "$bob")/$(user_on_jar B "$bob")" == bob/bob
check "fleet: no request got a 5xx" bash -c '! grep -q "^5" "$1"' _ "$e2e_dir/statuses"

e2e_summary fleet
