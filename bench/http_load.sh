#!/usr/bin/env bash
# cookieseal bench - HTTP load on the cpp-httplib example with wrk, keep-alive, on 127.0.0.1:
#   plain    GET /plain on a server started with EXAMPLE_SESSIONS=off (no session middleware)
#   cookie   GET /counter with a cookie: load, increment, commit a session, new Set-Cookie each time
#   redis    the same with COOKIESEAL_REVOCATION on a local redis-server (skipped without one)
# Usage: bench/http_load.sh PATH/TO/httplib_server [ROUNDS]   (env WRK_ARGS, default -t2 -c16 -d10s)
# The cases alternate for ROUNDS rounds (default 2) so that a burst of other work on the machine
# falls on each; the summary gives each case's mean and the cost of cookie sessions in requests/s.
# Every server runs under `timeout` and is stopped at exit, also on failure (tests/e2e/lib.sh).
set -uo pipefail
here=$(dirname "$0")
source "$here/../tests/e2e/lib.sh"
server=${1:?usage: http_load.sh PATH/TO/httplib_server [ROUNDS]}
rounds=${2:-2}
read -ra wrk_args <<<"${WRK_ARGS:--t2 -c16 -d10s}"
bash "$here/../scripts/setup.sh" load >&2 || exit 1
export E2E_SERVER_TIMEOUT=$((rounds * 3 * 40 + 60))

new_key >"$e2e_dir/keys"
env_common=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys")
start_server "$e2e_dir/plain.log" "$server" "${env_common[@]}" EXAMPLE_SESSIONS=off || exit 1
plain_base=$base
start_server "$e2e_dir/cookie.log" "$server" "${env_common[@]}" || exit 1
cookie_base=$base
cases=(plain cookie)
if command -v redis-server >/dev/null; then
  rport=$(free_port)
  start_redis || exit 1
  start_server "$e2e_dir/server-redis.log" "$server" "${env_common[@]}" \
    COOKIESEAL_REVOCATION="redis://127.0.0.1:$rport/0" COOKIESEAL_REDIS_PREFIX=http-load || exit 1
  redis_base=$base
  cases+=(redis)
fi

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), wrk ${wrk_args[*]}"
declare -A rps_sum p99_sum
for ((r = 1; r <= rounds; r++)); do
  for c in "${cases[@]}"; do
    case $c in
      plain) url=$plain_base/plain ;;
      cookie) url=$cookie_base/counter ;;
      redis) url=$redis_base/counter ;;
    esac
    line=$(wrk "${wrk_args[@]}" --latency -s "$here/http_load.lua" "$url" | grep '^result ')
    [[ -n $line ]] || { echo "# wrk gave no result for $c"; exit 1; }
    echo "round $r $c ${line#result }"
    if [[ $line != *" errors=0 non2xx=0" ]]; then echo "# $c: errors or non-2xx answers"; exit 1; fi
    rps=$(sed -n 's/.*requests_per_s=\([0-9]*\).*/\1/p' <<<"$line")
    p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    rps_sum[$c]=$((${rps_sum[$c]:-0} + rps))
    p99_sum[$c]=$(awk -v a="${p99_sum[$c]:-0}" -v b="$p99" 'BEGIN {print a + b}')
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  awk -v c="$c" -v n="$rounds" -v rps="${rps_sum[$c]}" -v p99="${p99_sum[$c]}" -v base="${rps_sum[plain]}" \
    'BEGIN {printf "mean %-6s %8.0f requests/s  p99 %6.2f ms  cost vs plain %5.1f%%\n", c, rps / n, p99 / n, 100 * (1 - rps / base)}'
done
awk -v a="${rps_sum[cookie]}" -v b="${rps_sum[plain]}" \
  'BEGIN {cost = 100 * (1 - a / b); printf "target: cookie sessions cost <= 5%% of requests/s: %s (%.1f%%)\n", cost <= 5 ? "met" : "MISSED", cost}'
