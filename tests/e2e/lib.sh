# cookieseal - e2e helpers (sourced): TAP-style checks, loopback servers that stop by themselves,
# and curl requests with a cookie jar. Every request has a 5 s limit; every server runs under
# `timeout` and is killed on exit, so nothing outlives the test.

e2e_passed=0
e2e_failed=0
e2e_dir=$(mktemp -d)
e2e_pids=()

ok() { e2e_passed=$((e2e_passed + 1)); echo "ok - $*"; }
not_ok() { e2e_failed=$((e2e_failed + 1)); echo "not ok - $*"; }
# check "what" COMMAND...: one test result, from COMMAND's exit status.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

e2e_cleanup() {
  local pid
  for pid in "${e2e_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${e2e_pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$e2e_dir"
}
trap e2e_cleanup EXIT

# start_server LOG BINARY [VAR=value...]: starts BINARY on 127.0.0.1 with a port the kernel
# picks (--port 0), under `timeout ${E2E_SERVER_TIMEOUT:-120}` (seconds) as a safety net, with
# the given environment added.
# Sets $server_pid and $base (http://127.0.0.1:PORT). Returns 1 if it does not start in 10 s.
start_server() {
  local log=$1 binary=$2
  shift 2
  : >"$log"  # exists before the loop below reads it (the server's redirection is in its own process)
  env "$@" timeout "${E2E_SERVER_TIMEOUT:-120}" "$binary" --port 0 >"$log" 2>&1 &
  server_pid=$!
  e2e_pids+=("$server_pid")
  local port="" i
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$log" | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    echo "# server $binary did not start; its output:"
    sed 's/^/#   /' "$log"
    return 1
  fi
  base=http://127.0.0.1:$port
}

stop_server() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# A free loopback TCP port (the kernel's pick; free when this returns).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_redis: a redis-server on 127.0.0.1:$rport (set rport first, e.g. rport=$(free_port)),
# no persistence, under the same `timeout` as the servers. Sets $redis_pid. Returns 1 if it does not
# answer PING in 10 s.
start_redis() {
  timeout "${E2E_SERVER_TIMEOUT:-120}" redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no \
    --dir "$e2e_dir" >>"$e2e_dir/redis.log" 2>&1 &
  redis_pid=$!
  e2e_pids+=("$redis_pid")
  local i
  for ((i = 0; i < 100; i++)); do
    redis-cli -h 127.0.0.1 -p "$rport" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "# redis-server did not start"
  return 1
}

# A random 256-bit key as 64 hex digits (the form COOKIESEAL_KEYS reads).
new_key() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# request METHOD PATH [curl options...]: one request to $base. Sets $status (000 when curl
# itself failed); the body is in $e2e_dir/body, the response headers in $e2e_dir/headers.
# Every status is also appended to $e2e_dir/statuses, for the final "never a 5xx" check.
request() {
  local method=$1 path=$2
  shift 2
  local args=(-sS --max-time 5 -o "$e2e_dir/body" -D "$e2e_dir/headers" -w '%{http_code}')
  if [[ $method == POST ]]; then args+=(--data-raw "${post_data-}"); fi
  : >"$e2e_dir/body"
  : >"$e2e_dir/headers"
  status=$(curl "${args[@]}" "$@" "$base$path" 2>"$e2e_dir/curl.err") || status=000
  echo "$status $method $path" >>"$e2e_dir/statuses"
  post_data=""
}

# What the example's home page shows.
page_visits() { sed -n 's/.*visits: \([0-9][0-9]*\).*/\1/p' "$e2e_dir/body" | head -n 1; }
# The CSRF token of the page's first form (the examples put one in each), or empty.
page_csrf() { sed -n 's/.*name=_csrf value=\([A-Za-z0-9_-]*\)>.*/\1/p' "$e2e_dir/body" | head -n 1; }
page_user() { sed -n 's/.*user: \([^<]*\)<.*/\1/p' "$e2e_dir/body" | head -n 1; }
# The Set-Cookie header of the last response for cookie $1 (without "Set-Cookie: "), or empty.
set_cookie_for() { tr -d '\r' <"$e2e_dir/headers" | sed -n "s/^[Ss]et-[Cc]ookie: \($1=.*\)/\1/p" | head -n 1; }
# The value of cookie $2 in the curl jar $1, or empty. HttpOnly cookies are written to the jar
# with a "#HttpOnly_" prefix on the domain; that is still a cookie, not a comment.
jar_value() { awk -v n="$2" -F '\t' '($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) && NF >= 7 && $6 == n {print $7}' "$1"; }
jar_line() { awk -v n="$2" -F '\t' '($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) && NF >= 7 && $6 == n' "$1"; }

e2e_summary() {
  echo "# $1: $e2e_passed passed, $e2e_failed failed"
  ((e2e_failed == 0))
}
