#!/usr/bin/env bash
# cookieseal bench - HTTP load on the cpp-httplib example with wrk, keep-alive, on 127.0.0.1:
#   plain    GET /plain on a server started with EXAMPLE_SESSIONS=off (no session middleware)
#   cookie   GET /counter with a cookie: load, increment, commit a session, new Set-Cookie each time
#   redis    the same with COOKIESEAL_REVOCATION on a local redis-server (skipped without one)
#   memstore the same in store mode: COOKIESEAL_STORE=memory, COOKIESEAL_STORE_MODE=server
#   rstore   the same in store mode on that redis-server: COOKIESEAL_STORE=redis://127.0.0.1:PORT/0
#            (the redis cases are skipped without redis-server)
# Usage: bench/http_load.sh PATH/TO/httplib_server [ROUNDS]   (env WRK_ARGS, default -t2 -c16 -d10s)
# The cases alternate for ROUNDS rounds (default 2) so that a burst of other work on the machine
# falls on each; the summary gives each case's mean, its cost in requests/s against plain, and
# the CPU time per request of the server, wrk and redis-server (wrk shares the machine's cores).
# Every server runs under `timeout` and is stopped at exit, also on failure (tests/e2e/lib.sh).
set -uo pipefail
here=$(dirname "$0")
source "$here/../tests/e2e/lib.sh"
server=${1:?usage: http_load.sh PATH/TO/httplib_server [ROUNDS]}
rounds=${2:-2}
read -ra wrk_args <<<"${WRK_ARGS:--t2 -c16 -d10s}"
bash "$here/../scripts/setup.sh" load >&2 || exit 1
export E2E_SERVER_TIMEOUT=$((rounds * 5 * 40 + 60))

new_key >"$e2e_dir/keys"
env_common=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys")
start_server "$e2e_dir/plain.log" "$server" "${env_common[@]}" EXAMPLE_SESSIONS=off || exit 1
plain_base=$base
declare -A pid_of
pid_of[plain]=$server_pid
start_server "$e2e_dir/cookie.log" "$server" "${env_common[@]}" || exit 1
cookie_base=$base
pid_of[cookie]=$server_pid
start_server "$e2e_dir/memstore.log" "$server" "${env_common[@]}" COOKIESEAL_STORE=memory \
  COOKIESEAL_STORE_MODE=server || exit 1
memstore_base=$base
pid_of[memstore]=$server_pid
cases=(plain cookie memstore)
if command -v redis-server >/dev/null; then
  rport=$(free_port)
  start_redis || exit 1
  start_server "$e2e_dir/server-redis.log" "$server" "${env_common[@]}" \
    COOKIESEAL_REVOCATION="redis://127.0.0.1:$rport/0" COOKIESEAL_REDIS_PREFIX=http-load || exit 1
  redis_base=$base
  pid_of[redis]=$server_pid
  # Store mode: every session in Redis, the cookie a sealed reference (one GET + one SET a request).
  start_server "$e2e_dir/server-rstore.log" "$server" "${env_common[@]}" \
    COOKIESEAL_STORE="redis://127.0.0.1:$rport/0" COOKIESEAL_STORE_MODE=server COOKIESEAL_REDIS_PREFIX=http-store || exit 1
  rstore_base=$base
  pid_of[rstore]=$server_pid
  cases+=(redis rstore)
fi

# CPU time (ms, user + system) a process has used: the child of the `timeout` started for it.
cpu_ms() {
  local child
  child=$(pgrep -P "$1" | head -n 1)
  awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / t}' "/proc/${child:-$1}/stat"
}

echo "# $(date -u '+%F %T') UTC, nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), wrk ${wrk_args[*]}, server $server"
declare -A rps_sum p99_sum server_us_sum wrk_us_sum redis_us_sum
TIMEFORMAT='%U %S'
for ((r = 1; r <= rounds; r++)); do
  for c in "${cases[@]}"; do
    case $c in
      plain) url=$plain_base/plain ;;
      cookie) url=$cookie_base/counter ;;
      redis) url=$redis_base/counter ;;
      memstore) url=$memstore_base/counter ;;
      rstore) url=$rstore_base/counter ;;
    esac
    # Where the 2 cores went: CPU of the server, of wrk (bash's `time`) and of redis-server.
    s0=$(cpu_ms "${pid_of[$c]}")
    r0=0; [[ -n ${redis_pid:-} ]] && r0=$(cpu_ms "$redis_pid")
    { wrk_cpu=$( { time wrk "${wrk_args[@]}" --latency -s "$here/http_load.lua" "$url" >"$e2e_dir/wrk.out" 2>"$e2e_dir/wrk.err"; } 2>&1 ); }
    line=$(grep '^result ' "$e2e_dir/wrk.out")
    [[ -n $line ]] || { echo "# wrk gave no result for $c"; sed 's/^/#   /' "$e2e_dir/wrk.err"; exit 1; }
    s1=$(cpu_ms "${pid_of[$c]}")
    r1=0; [[ -n ${redis_pid:-} ]] && r1=$(cpu_ms "$redis_pid")
    requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")
    cpu=$(awk -v s0="$s0" -v s1="$s1" -v r0="$r0" -v r1="$r1" -v w="$wrk_cpu" -v n="$requests" \
      'BEGIN {split(w, t, " "); printf "%.2f %.2f %.2f", (s1 - s0) * 1000 / n, (t[1] + t[2]) * 1e6 / n, (r1 - r0) * 1000 / n}')
    read -r server_us wrk_us redis_us <<<"$cpu"
    echo "round $r $c ${line#result } server_cpu_us=$server_us wrk_cpu_us=$wrk_us redis_cpu_us=$redis_us"
    if [[ $line != *" errors=0 non2xx=0" ]]; then echo "# $c: errors or non-2xx answers"; exit 1; fi
    rps=$(sed -n 's/.*requests_per_s=\([0-9]*\).*/\1/p' <<<"$line")
    p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    server_us_sum[$c]=$(awk -v a="${server_us_sum[$c]:-0}" -v b="$server_us" 'BEGIN {print a + b}')
    wrk_us_sum[$c]=$(awk -v a="${wrk_us_sum[$c]:-0}" -v b="$wrk_us" 'BEGIN {print a + b}')
    redis_us_sum[$c]=$(awk -v a="${redis_us_sum[$c]:-0}" -v b="$redis_us" 'BEGIN {print a + b}')
    rps_sum[$c]=$((${rps_sum[$c]:-0} + rps))
    p99_sum[$c]=$(awk -v a="${p99_sum[$c]:-0}" -v b="$p99" 'BEGIN {print a + b}')
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  awk -v c="$c" -v n="$rounds" -v rps="${rps_sum[$c]}" -v p99="${p99_sum[$c]}" -v base="${rps_sum[plain]}" \
    -v s="${server_us_sum[$c]}" -v w="${wrk_us_sum[$c]}" -v rd="${redis_us_sum[$c]}" -v s0="${server_us_sum[plain]}" \
    'BEGIN {printf "mean %-8s %8.0f requests/s  p99 %6.2f ms  cost vs plain %5.1f%%  CPU us/request: server %5.1f (+%4.1f) wrk %5.1f redis %4.1f\n",
            c, rps / n, p99 / n, 100 * (1 - rps / base), s / n, (s - s0) / n, w / n, rd / n}'
done
awk -v a="${rps_sum[cookie]}" -v b="${rps_sum[plain]}" \
  'BEGIN {cost = 100 * (1 - a / b); printf "target: cookie sessions cost <= 5%% of requests/s: %s (%.1f%%)\n", cost <= 5 ? "met" : "MISSED", cost}'
