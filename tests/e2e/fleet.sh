#!/usr/bin/env bash
# cookieseal e2e - logout that holds across a fleet and a restart: a redis-server and example
# servers on 127.0.0.1 sharing a keys file and COOKIESEAL_REVOCATION (A and B; C with a short
# COOKIESEAL_REVOCATION_MAX_STALE, for the outage).
# Usage: tests/e2e/fleet.sh PATH/TO/httplib_server [PATH/TO/cookieseal]   (the tool: by default
# tools/cookieseal of the same build directory)
# Log in on A, log out on A -> the old cookie is refused on B within 1 s; restart A -> still
# refused; "log out everywhere" on B -> that user's other sessions refused on both;
# `cookieseal revoke --session` -> refused within 1 s; redis-server stopped -> C, once its
# replica is stale, answers a logout 503 "could not be recorded" and keeps the cookie, and
# records the same logout once redis-server is back; after that restart everything revoked is
# still refused; /admin/keys shows the replica's size and staleness; a user not revoked (bob)
# stays logged in after every step.
# "Refused" is the page showing nobody logged in AND the server logging that load as
# "session cookie refused (revoked)": a stale replica shows nobody too, but logs "(stale)".
set -uo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
server=${1:?usage: fleet.sh PATH/TO/httplib_server [PATH/TO/cookieseal]}
tool=${2:-$(dirname "$server")/../tools/cookieseal}

rport=$(free_port)
start_redis || exit 1

new_key >"$e2e_dir/keys"
fleet_env=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys" COOKIESEAL_REVOCATION="redis://127.0.0.1:$rport/0"
  COOKIESEAL_REDIS_PREFIX="fleet-test")
max_stale=2  # seconds, C's COOKIESEAL_REVOCATION_MAX_STALE (A and B keep the default, 5 min)
start_a() { start_server "$e2e_dir/a.log" "$server" "${fleet_env[@]}" && a_base=$base a_pid=$server_pid; }
start_b() { start_server "$e2e_dir/b.log" "$server" "${fleet_env[@]}" && b_base=$base b_pid=$server_pid; }
start_c() {
  start_server "$e2e_dir/c.log" "$server" "${fleet_env[@]}" COOKIESEAL_REVOCATION_MAX_STALE="${max_stale}s" &&
    c_base=$base
}
start_a || exit 1
start_b || exit 1
start_c || exit 1

# on SERVER JAR METHOD PATH [FIELDS]: one request to A, B or C with a cookie jar; a POST first
# reads the page for its CSRF token.
on() {
  local which=${1,,}_base jar=$2 method=$3 path=$4 fields=${5-}
  base=${!which}
  if [[ $method == POST ]]; then
    request GET / -c "$jar" -b "$jar"
    post_data="$fields&_csrf=$(page_csrf)" request POST "$path" -c "$jar" -b "$jar"
  else
    request GET "$path" -c "$jar" -b "$jar"
  fi
}
# user_on_jar SERVER JAR: the user the home page shows with this jar's cookie (on a copy, so a
# refused cookie's fresh session does not replace it in the jar).
user_on_jar() {
  cp "$2" "$e2e_dir/probe.jar"
  on "$1" "$e2e_dir/probe.jar" GET /
  page_user
}
# How many loads SERVER logged as refused because revoked.
revoked_count() { grep -c 'session cookie refused (revoked)' "$e2e_dir/${1,,}.log"; }
# refused SERVER JAR: the page shows nobody logged in with this jar's cookie, and the server
# logged that very load as revoked.
refused() {
  local before
  before=$(revoked_count "$1")
  [[ $(user_on_jar "$1" "$2") == "(not logged in)" ]] && (($(revoked_count "$1") > before))
}
# refused_within MS SERVER JAR: polls until refused.
refused_within() {
  local deadline=$(($(date +%s%N) / 1000000 + $1))
  while (($(date +%s%N) / 1000000 < deadline)); do
    refused "$2" "$3" && return 0
    sleep 0.02
  done
  return 1
}
# replica SERVER: the revocation line of its /admin/keys ("revocation ids N users N bytes N
# connected yes|no staleness Ns").
replica() {
  on "$1" "$e2e_dir/admin.jar" GET /admin/keys
  grep '^revocation ' "$e2e_dir/body"
}
# replica_within MS SERVER REGEX: polls /admin/keys until its revocation line matches REGEX.
replica_within() {
  local deadline=$(($(date +%s%N) / 1000000 + $1))
  while (($(date +%s%N) / 1000000 < deadline)); do
    [[ $(replica "$2") =~ $3 ]] && return 0
    sleep 0.1
  done
  echo "# $2: $(replica "$2")"
  return 1
}
# bob_stays AFTER: bob, never revoked, is logged in on A and B.
bob_stays() {
  check "fleet: bob, never revoked, is still logged in on A and B ($1)" \
    test "$(user_on_jar A "$bob")/$(user_on_jar B "$bob")" == bob/bob
}

ada=$e2e_dir/ada.jar bob=$e2e_dir/bob.jar carol1=$e2e_dir/carol1.jar carol2=$e2e_dir/carol2.jar
dave=$e2e_dir/dave.jar erin=$e2e_dir/erin.jar
for who in ada bob carol1 carol2 dave; do
  : >"$e2e_dir/$who.jar"
  on A "$e2e_dir/$who.jar" POST /login "user=${who%[12]}"
done
cp "$ada" "$e2e_dir/ada-copy.jar"  # what someone who copied ada's cookie keeps
check "fleet: ada logged in on A is logged in on B (one keys file)" test "$(user_on_jar B "$ada")" == ada
bob_stays "logins"
synced='connected yes staleness [0-2]s$'
check "fleet: /admin/keys on B shows an empty replica, connected and fresh" \
  replica_within 1000 B "^revocation ids 0 users 0 bytes [0-9]+ $synced"

on A "$ada" POST /logout
check "fleet: logout on A answers 200" test "$status" == 200
check "fleet: the old cookie of ada is refused on B within 1 s" refused_within 1000 B "$e2e_dir/ada-copy.jar"
check "fleet: and on A" refused A "$e2e_dir/ada-copy.jar"
check "fleet: /admin/keys on B shows the revoked id in its replica (size in bytes), fresh" \
  replica_within 1000 B "^revocation ids 1 users 0 bytes [1-9][0-9]* $synced"
bob_stays "ada's logout"

stop_server "$a_pid"
start_a || exit 1
check "fleet: after A restarts, the old cookie of ada is still refused on A" refused A "$e2e_dir/ada-copy.jar"
check "fleet: /admin/keys on the restarted A shows the revoked id (its replica synced at start)" \
  replica_within 1000 A "^revocation ids 1 users 0 bytes [1-9][0-9]* $synced"
bob_stays "A restarted"

check "fleet: carol is logged in on two devices" \
  test "$(user_on_jar A "$carol1")/$(user_on_jar B "$carol2")" == carol/carol
on B "$carol1" POST /logout-everywhere
check "fleet: log out everywhere on B answers 200" test "$status" == 200
check "fleet: carol's other device is refused on A within 1 s" refused_within 1000 A "$carol2"
check "fleet: and on B" refused B "$carol2"
check "fleet: /admin/keys on A shows the revoked user" \
  replica_within 1000 A "^revocation ids 1 users 1 bytes [1-9][0-9]* $synced"
bob_stays "carol's logout everywhere"

# An operator ends one session with the tool; its id comes from decoding the cookie (servers
# log ids; the test has the keys file).
check "fleet: dave is logged in on A and B" test "$(user_on_jar A "$dave")/$(user_on_jar B "$dave")" == dave/dave
dave_id=$(COOKIESEAL_KEYS_FILE="$e2e_dir/keys" "$tool" decode "$(jar_value "$dave" __Host-session)" |
  sed -n 's/^ *"id": "\([0-9a-f]\{32\}\)",$/\1/p')
env "${fleet_env[@]}" "$tool" revoke --session "$dave_id" >"$e2e_dir/revoke.out" 2>&1
check "fleet: cookieseal revoke --session ${dave_id:-(no id)} against the fleet's Redis records it" \
  grep -q "^revoked session $dave_id; kept until " "$e2e_dir/revoke.out"
check "fleet: a running server (B) refuses dave's session within 1 s" refused_within 1000 B "$dave"
check "fleet: and A" refused A "$dave"
bob_stays "cookieseal revoke"

# Redis goes away. erin logs in on C first and keeps a page (its logout form's token).
: >"$erin"
on C "$erin" POST /login user=erin
check "fleet: erin is logged in on C" test "$(user_on_jar C "$erin")" == erin
on C "$erin" GET /
erin_token=$(page_csrf)
kill "$redis_pid" 2>/dev/null
wait "$redis_pid" 2>/dev/null
check "fleet: redis-server down: /admin/keys on C shows it disconnected and stale past ${max_stale}s" \
  replica_within $(((max_stale + 8) * 1000)) C "connected no staleness ([3-9]|[1-9][0-9]+)s$"
base=$c_base
post_data="_csrf=$erin_token" request POST /logout -b "$erin"
check "fleet: a logout on C with a stale replica answers 503 'logout could not be recorded'" \
  bash -c '[[ $1 == 503 ]] && grep -q "logout could not be recorded" "$2"' _ "$status" "$e2e_dir/body"
check "fleet: and keeps the cookie (no Set-Cookie), so that it can be tried again" \
  test -z "$(set_cookie_for __Host-session)"
check "fleet: C logged erin's cookie as refused (stale), not revoked" grep -q 'session cookie refused (stale)' "$e2e_dir/c.log"
bob_stays "redis-server down, within A's and B's max_stale"

start_redis || exit 1
for s in A B C; do
  check "fleet: redis-server back: /admin/keys on $s shows its replica connected and fresh within 5 s" \
    replica_within 5000 $s "$synced"
done
check "fleet: after redis-server restarts, ada's old cookie is still refused on A" refused A "$e2e_dir/ada-copy.jar"
check "fleet: and on B" refused B "$e2e_dir/ada-copy.jar"
check "fleet: and carol's other device, on A" refused A "$carol2"
check "fleet: and dave's session, on B" refused B "$dave"
cp "$erin" "$e2e_dir/erin-copy.jar"
base=$c_base
post_data="_csrf=$erin_token" request POST /logout -c "$erin" -b "$erin"
check "fleet: the same logout on C, redis-server back, answers 200 'logged out'" \
  bash -c '[[ $1 == 200 ]] && grep -q "logged out" "$2"' _ "$status" "$e2e_dir/body"
check "fleet: erin's old cookie is then refused on A within 1 s" refused_within 1000 A "$e2e_dir/erin-copy.jar"
bob_stays "redis-server restarted"
check "fleet: no request got a 5xx but the logout while stale" \
  bash -c '[[ $(grep "^5" "$1") == "503 POST /logout" ]]' _ "$e2e_dir/statuses"

e2e_summary fleet
