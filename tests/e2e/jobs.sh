#!/usr/bin/env bash
# cookieseal e2e - the five migration examples of examples/jobs/ (docs/MIGRATING.md), each
# driven by curl on 127.0.0.1, with a redis-server of its own for Tideway's Redis backend.
# Usage: tests/e2e/jobs.sh BUILD_DIR/examples/jobs
# Prints one "ok - ..." / "not ok - ..." line per check; exits 1 if any failed. Every server is
# stopped on exit, also on failure (lib.sh's trap).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
dir=${1:?usage: jobs.sh BUILD_DIR/examples/jobs}
key=$(new_key)
cookie=__Host-session  # the cookie the checks below look at (go-mizu names its own)
: >"$e2e_dir/statuses"

# start_job BINARY [VAR=value...]: one example on a free port, with the test's key.
start_job() {
  local binary=$1
  shift
  if start_server "$e2e_dir/$binary.log" "$dir/$binary" COOKIESEAL_KEYS="$key" "$@"; then
    ok "$binary starts on $base"
  else
    not_ok "$binary starts"
    return 1
  fi
}
body() { cat "$e2e_dir/body"; }
sets_cookie() { [[ -n $(set_cookie_for "$cookie") ]]; }
sets_no_cookie() { [[ -z $(set_cookie_for "$cookie") ]]; }
deletes_cookie() { [[ $(set_cookie_for "$cookie") == "$cookie=;"*"Max-Age=0"* ]]; }
max_age() { set_cookie_for "$cookie" | sed -n 's/.*; Max-Age=\([0-9][0-9]*\).*/\1/p'; }
answered() { [[ $status == "$1" && $(body) == "$2" ]]; }  # answered STATUS BODY
# The value of the cookie the last response set (empty if none).
new_cookie() {
  local c
  c=$(set_cookie_for "$cookie")
  c=${c#"$cookie="}
  echo "${c%%;*}"
}

mojo_session() {
  start_job mojo_session || return
  local jar=$e2e_dir/mojo.jar old
  request GET /welcome -c "$jar" -b "$jar"
  check "mojo_session: GET /welcome without a session answers 401, and sets no cookie" \
    bash -c '[[ $1 == 401 ]] && [[ -z $2 ]]' _ "$status" "$(set_cookie_for "$cookie")"
  post_data="user=ada" request POST /login -c "$jar" -b "$jar"
  check "mojo_session: POST /login answers 200 and sets the session cookie" \
    bash -c '[[ $1 == 200 && -n $2 ]]' _ "$status" "$(set_cookie_for "$cookie")"
  request GET /welcome -c "$jar" -b "$jar"
  check "mojo_session: GET /welcome with the session answers 200 \"Welcome back!\" ($status: $(body))" \
    answered 200 "Welcome back!"
  check "mojo_session: a request that only reads sends no Set-Cookie" sets_no_cookie
  old=$(jar_value "$jar" "$cookie")
  request GET /welcome -H "Cookie: $cookie=$old"
  check "mojo_session: the same cookie sent by hand is the session (200)" test "$status" = 200
  post_data="user=mallory" request POST /login -H "Origin: http://evil.test"
  check "mojo_session: a POST /login from another origin is refused with a 403" test "$status" = 403
  post_data="" request POST /logout -c "$jar" -b "$jar"
  check "mojo_session: POST /logout answers 200" test "$status" = 200
  check "mojo_session: the logout's Set-Cookie deletes the cookie (Max-Age=0)" deletes_cookie
  request GET /welcome -H "Cookie: $cookie=$old"
  check "mojo_session: the cookie from before the logout, replayed, gets a 401 (its record is deleted)" \
    test "$status" = 401
  stop_server "$server_pid"
}

oxygen() {
  start_job oxygen || return
  local jar=$e2e_dir/oxygen.jar big=$e2e_dir/oxygen-big.jar small_cookie big_cookie long_name old
  request GET /dashboard
  check "oxygen: GET /dashboard without a login answers 401" test "$status" = 401
  post_data="user=ada" request POST /login -c "$jar" -b "$jar"
  check "oxygen: POST /login answers 303 to /dashboard" \
    bash -c '[[ $1 == 303 ]] && tr -d "\r" <"$2" | grep -qi "^location: /dashboard$"' _ "$status" "$e2e_dir/headers"
  small_cookie=$(new_cookie)
  request GET /dashboard -b "$jar"
  check "oxygen: GET /dashboard after the login answers 200 \"Welcome back, ada!\"" answered 200 "Welcome back, ada!"
  # The data is in the store: a 3000-byte user name gives a cookie of the same length as "ada".
  long_name=$(head -c 3000 /dev/zero | tr '\0' x)
  post_data="user=$long_name" request POST /login -c "$big" -b "$big"
  big_cookie=$(new_cookie)
  check "oxygen: the cookie is only a reference (${#small_cookie} bytes for \"ada\", ${#big_cookie} for a 3000-byte name)" \
    bash -c '[[ -n $1 && ${#1} == "${#2}" ]] && ((${#1} < 200))' _ "$small_cookie" "$big_cookie"
  request GET /dashboard -b "$big"
  check "oxygen: and the 3000-byte name comes back from the store" answered 200 "Welcome back, $long_name!"
  old=$(jar_value "$jar" "$cookie")
  request GET /dashboard -H "Cookie: $cookie=$old"
  check "oxygen: the same cookie sent by hand is ada's session (200)" test "$status" = 200
  post_data="" request POST /logout -c "$jar" -b "$jar"
  check "oxygen: POST /logout answers 200" test "$status" = 200
  check "oxygen: the logout's Set-Cookie deletes the cookie (Max-Age=0)" deletes_cookie
  request GET /dashboard -H "Cookie: $cookie=$old"
  check "oxygen: the old cookie, replayed after the logout, gets a 401 (the data is deleted)" test "$status" = 401
  request GET /dashboard -b "$big"
  check "oxygen: another user's session is untouched by that logout" test "$status" = 200
  stop_server "$server_pid"
}

# The session records in the test's redis-server (prefix jobs-test:), and the first one's ttl in s.
records() { redis-cli -h 127.0.0.1 -p "$rport" --scan --pattern 'jobs-test:{s:*'; }
record_ttl() { redis-cli -h 127.0.0.1 -p "$rport" ttl "$(records | head -n 1)"; }

# tideway LABEL [VAR=value...]: the same checks on one backend. LABEL is cookie, memory or redis.
tideway() {
  local label=$1
  shift
  start_job tideway COOKIESEAL_TTL=1h "$@" || return
  local jar=$e2e_dir/tideway-$label.jar big=$e2e_dir/tideway-$label-big.jar small_cookie big_cookie t=tideway/$label
  post_data="key=color&value=blue" request POST /set -c "$jar" -b "$jar"
  check "$t: POST /set answers 200 with a cookie of Max-Age=3600 (COOKIESEAL_TTL=1h; got $(max_age))" \
    bash -c '[[ $1 == 200 && $2 == 3600 ]]' _ "$status" "$(max_age)"
  small_cookie=$(new_cookie)
  if [[ $label == redis ]]; then
    check "$t: the session is one record in Redis, with a ttl of its Max-Age plus the leeway ($(record_ttl))" \
      bash -c '(($1 == 1 && $2 >= 3598 && $2 <= 3660))' _ "$(records | wc -l)" "$(record_ttl)"
  fi
  request GET "/get?key=color" -c "$jar" -b "$jar"
  check "$t: GET /get answers \"blue\" and sends no Set-Cookie" \
    bash -c '[[ $1 == 200 && $2 == blue && -z $3 ]]' _ "$status" "$(body)" "$(set_cookie_for "$cookie")"
  post_data="" request POST /extend -c "$jar" -b "$jar"
  check "$t: POST /extend (2 h) sets the cookie again with Max-Age=10800 (got $(max_age))" test "$(max_age)" = 10800
  check "$t: and says the idle ttl is now 3h" test "$(cat "$e2e_dir/body")" = "extended by 2h: idle ttl now 3h"
  post_data="" request POST /extend -c "$jar" -b "$jar"
  check "$t: a second POST /extend adds 2 h more: Max-Age=18000 (got $(max_age))" test "$(max_age)" = 18000
  if [[ $label == redis ]]; then
    check "$t: the Redis record's ttl grew with it ($(record_ttl))" \
      bash -c '(($1 >= 17998 && $1 <= 18060))' _ "$(record_ttl)"
  fi
  request GET "/get?key=color" -c "$jar" -b "$jar"
  check "$t: the value is still there after the extensions" answered 200 blue
  # Where the data lives: a 1000-byte value lengthens a cookie-mode cookie, not a reference.
  post_data="key=note&value=$(head -c 1000 /dev/zero | tr '\0' n)" request POST /set -c "$big" -b "$big"
  big_cookie=$(new_cookie)
  if [[ $label == cookie ]]; then
    check "$t: the data is in the cookie: a 1000-byte value makes it longer (${#small_cookie} -> ${#big_cookie} bytes)" \
      bash -c '((${#2} > ${#1} + 1000))' _ "$small_cookie" "$big_cookie"
  else
    check "$t: the data is in the store: a 1000-byte value leaves the cookie's length (${#small_cookie}, ${#big_cookie} bytes)" \
      bash -c '[[ -n $1 && ${#1} == "${#2}" ]]' _ "$small_cookie" "$big_cookie"
  fi
  post_data="key=note&value=$(head -c 1025 /dev/zero | tr '\0' n)" request POST /set -b "$big"
  check "$t: a value over 1024 bytes is refused with a 400" test "$status" = 400
  # Restart the server: cookie and Redis sessions outlive the process, memory ones do not.
  stop_server "$server_pid"
  start_job tideway COOKIESEAL_TTL=1h "$@" || return
  request GET "/get?key=color" -b "$jar"
  if [[ $label == memory ]]; then
    check "$t: after a restart the session is gone with the process's memory (404)" test "$status" = 404
  else
    check "$t: after a restart the session is still there" answered 200 blue
    post_data="key=color" request POST /remove -c "$jar" -b "$jar"
    check "$t: POST /remove answers 200 and sets the cookie again" \
      bash -c '[[ $1 == 200 && -n $2 ]]' _ "$status" "$(set_cookie_for "$cookie")"
    request GET "/get?key=color" -c "$jar" -b "$jar"
    check "$t: after POST /remove, GET /get answers 404" test "$status" = 404
    post_data="key=color" request POST /remove -c "$jar" -b "$jar"
    check "$t: removing it again answers 404 and sends no Set-Cookie" \
      bash -c '[[ $1 == 404 && -z $2 ]]' _ "$status" "$(set_cookie_for "$cookie")"
  fi
  stop_server "$server_pid"
}
go_mizu() {
  local cookie=__Host-mizu  # seen by the helpers above (bash scoping is dynamic)
  local jar=$e2e_dir/mizu.jar other=$e2e_dir/mizu-other.jar
  start_job go_mizu || return
  request GET "/get?key=a" -c "$jar" -b "$jar"
  check "go_mizu: GET /get of nothing answers 404 and sends no Set-Cookie" \
    bash -c '[[ $1 == 404 && -z $2 ]]' _ "$status" "$(set_cookie_for "$cookie")"
  post_data="key=a&value=1" request POST /set -c "$jar" -b "$jar"
  check "go_mizu: POST /set (a write) sends Set-Cookie: $cookie" bash -c '[[ $1 == 200 && -n $2 ]]' _ "$status" \
    "$(set_cookie_for "$cookie")"
  request GET /records
  check "go_mizu: the session is one record in the example's own store" answered 200 1
  request GET "/get?key=a" -c "$jar" -b "$jar"
  check "go_mizu: GET /get (a read) answers \"1\" and sends no Set-Cookie" \
    bash -c '[[ $1 == 200 && $2 == 1 && -z $3 ]]' _ "$status" "$(body)" "$(set_cookie_for "$cookie")"
  post_data="key=a&value=1" request POST /set -c "$jar" -b "$jar"
  check "go_mizu: POST /set of the value already there sends no Set-Cookie (nothing changed)" sets_no_cookie
  post_data="key=a&value=2" request POST /set -c "$jar" -b "$jar"
  check "go_mizu: POST /set of another value sends Set-Cookie" sets_cookie
  request GET "/get?key=a" -c "$jar" -b "$jar"
  check "go_mizu: and GET /get answers it" answered 200 2
  post_data="key=a" request POST /delete -c "$jar" -b "$jar"
  check "go_mizu: POST /delete sends Set-Cookie" bash -c '[[ $1 == deleted && -n $2 ]]' _ "$(body)" \
    "$(set_cookie_for "$cookie")"
  request GET "/get?key=a" -c "$jar" -b "$jar"
  check "go_mizu: after POST /delete, GET /get answers 404" test "$status" = 404
  post_data="key=a" request POST /delete -c "$jar" -b "$jar"
  check "go_mizu: deleting what is not there sends no Set-Cookie" sets_no_cookie
  post_data="key=b&value=x" request POST /set -c "$jar" -b "$jar"
  post_data="key=c&value=y" request POST /set -c "$jar" -b "$jar"
  post_data="" request POST /clear -c "$jar" -b "$jar"
  check "go_mizu: POST /clear sends Set-Cookie" sets_cookie
  request GET "/get?key=b" -c "$jar" -b "$jar"
  local b=$status
  request GET "/get?key=c" -c "$jar" -b "$jar"
  check "go_mizu: after POST /clear, both values are gone (404, 404)" bash -c '[[ $1 == 404 && $2 == 404 ]]' _ "$b" \
    "$status"
  post_data="" request POST /clear -c "$jar" -b "$jar"
  check "go_mizu: clearing an empty session sends no Set-Cookie" sets_no_cookie
  post_data="key=a&value=1" request POST /set -c "$other" -b "$other"
  request GET /records
  check "go_mizu: a second client's session is a second record" answered 200 2
  post_data="key=a&value=evil" request POST /set -b "$jar" -H "Sec-Fetch-Site: cross-site"
  check "go_mizu: a cross-site POST is refused with a 403" test "$status" = 403
  stop_server "$server_pid"
}

bareasgi_session() {
  start_job bareasgi_session || return
  local jar=$e2e_dir/bareasgi.jar before after visit
  # named_between FROM TO: the page says "The time was T" with FROM <= T <= TO (epoch seconds).
  named_between() {
    local seen
    seen=$(body | sed -n 's/^The time was \([0-9T:Z-]*\)$/\1/p')
    [[ $status == 200 && -n $seen ]] || return 1
    seen=$(date -u -d "$seen" +%s) || return 1
    (($1 <= seen && seen <= $2))
  }
  before=$(date -u +%s)
  request GET / -c "$jar" -b "$jar"
  after=$(date -u +%s)
  check "bareasgi_session: the first visit answers \"First time\"" answered 200 "First time"
  # A second apart, so that a page naming the current time instead would fail the check.
  for visit in 2 3; do
    local from=$before to=$after
    sleep 1.1
    before=$(date -u +%s)
    request GET / -c "$jar" -b "$jar"
    after=$(date -u +%s)
    check "bareasgi_session: visit $visit answers \"The time was <the time of visit $((visit - 1))>\" ($(body))" \
      named_between "$from" "$to"
  done
  request GET /
  check "bareasgi_session: a client without the cookie gets \"First time\"" answered 200 "First time"
  stop_server "$server_pid"
}

mojo_session
oxygen
tideway cookie COOKIESEAL_STORE=cookie
tideway memory COOKIESEAL_STORE=memory COOKIESEAL_STORE_MODE=server
rport=$(free_port)
if start_redis; then
  tideway redis COOKIESEAL_STORE="redis://127.0.0.1:$rport/0" COOKIESEAL_STORE_MODE=server \
    COOKIESEAL_REDIS_PREFIX=jobs-test:
else
  not_ok "tideway/redis: redis-server starts"
fi
go_mizu
bareasgi_session

check "jobs: no response was a 5xx or a failed request" bash -c '! grep -Eq "^(5..|000) " "$1"' _ "$e2e_dir/statuses"
e2e_summary jobs
