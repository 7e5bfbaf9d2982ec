#!/usr/bin/env bash
# cookieseal e2e - soak under traffic and faults: two example servers (A, B) on 127.0.0.1 sharing
# a keys file and a redis-server for revocation, with N clients (tests/e2e/soak.mjs) spread
# round-robin over both, each checking its session counter grows by one per request, ~10% of
# requests hostile. Meanwhile: a new primary key on both servers (keys file rewritten, POST
# /admin/reload-keys; the new key goes in second first, then first), the old key retired once /admin/keys shows it no longer opens cookies,
# B restarted, redis-server restarted; some clients log out everywhere (soak.mjs).
# Usage: tests/e2e/soak.sh PATH/TO/httplib_server [--long]   (short: 20 s, 4 clients; long: 120 s, 8)
# Asserts 0 lost sessions, 0 revoked sessions accepted, 0 5xx, 0 crashes, RSS growth < 20 MB.
set -uo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
server=${1:?usage: soak.sh PATH/TO/httplib_server [--long]}
if [[ ${2-} == --long ]]; then duration=120 clients=8; else duration=20 clients=4; fi
export E2E_SERVER_TIMEOUT=$((duration + 60))

rport=$(free_port)
start_redis || exit 1
old_key=$(new_key) new_key=$(new_key)
echo "$old_key" >"$e2e_dir/keys"
fleet_env=(COOKIESEAL_KEYS_FILE="$e2e_dir/keys" COOKIESEAL_REVOCATION="redis://127.0.0.1:$rport/0"
  COOKIESEAL_REDIS_PREFIX=soak-test)
# The servers' own pids (start_server gives the pid of `timeout`), for RSS and liveness.
child_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | cut -d' ' -f1; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
start_a() { start_server "$e2e_dir/a.log" "$server" "${fleet_env[@]}" && a_base=$base a_pid=$server_pid; }
start_b() { start_server "$e2e_dir/b$1.log" "$server" "${fleet_env[@]}" && b_base=$base b_pid=$server_pid; }
write_servers() { printf '%s\n%s\n' "$a_base" "$b_base" >"$e2e_dir/servers.tmp" && mv "$e2e_dir/servers.tmp" "$e2e_dir/servers"; }
start_a || exit 1
start_b 1 || exit 1
write_servers
# reload_both WHAT: POST /admin/reload-keys on A and B; each answer (/admin/keys as of just after
# the reload) is kept in $e2e_dir/reload-A and reload-B.
reload_both() {
  local s
  for s in A B; do
    local b=$a_base
    [[ $s == B ]] && b=$b_base
    check "soak: $1: $s reloads its keys" \
      test "$(curl -sS --max-time 5 -o "$e2e_dir/reload-$s" -w '%{http_code}' -d '' "$b/admin/reload-keys")" == 200
  done
}
# opened BASE KEY_ID: how many cookies that key opened on that server since it started.
opened() { curl -sS --max-time 5 "$1/admin/keys" | sed -n "s/^key $2 [a-z]* opened \([0-9]*\)$/\1/p"; }
at() { while ((SECONDS < t0 + $1 * duration / 100)); do sleep 0.2; done; }

node "$here/soak.mjs" "$e2e_dir/servers" "$e2e_dir/result.json" $((duration * 1000)) "$clients" &
clients_pid=$!
e2e_pids+=("$clients_pid")
t0=$SECONDS
sleep 1
a_child=$(child_of "$a_pid") a_rss0=$(rss_kb "$(child_of "$a_pid")")

at 15  # a new key: first known to every server as a secondary, then made the primary. Making it
# primary in one step leaves a moment when A seals with it and B cannot open it yet (unknown_key).
printf '%s\n%s\n' "$old_key" "$new_key" >"$e2e_dir/keys"
reload_both "new secondary key"
printf '%s\n%s\n' "$new_key" "$old_key" >"$e2e_dir/keys"
reload_both "new primary key"
old_id=$(curl -sS --max-time 5 "$a_base/admin/keys" | sed -n 's/^key \([^ ]*\) secondary opened.*/\1/p')
check "soak: /admin/keys names the old key as secondary" test -n "$old_id"
opened_in() { sed -n "s/^key $2 [a-z]* opened \([0-9]*\)$/\1/p" "$e2e_dir/reload-$1"; }
opened_at_rotation=$(opened_in A "$old_id")/$(opened_in B "$old_id")

at 45  # retire the old key once it stopped opening cookies on both (every client resealed)
retired=no
for ((i = 0; i < 25; i++)); do
  before=$(opened "$a_base" "$old_id")/$(opened "$b_base" "$old_id")
  sleep 1
  [[ $(opened "$a_base" "$old_id")/$(opened "$b_base" "$old_id") == "$before" ]] && retired=yes && break
done
old_opened=$before
check "soak: the old key stopped opening cookies within 25 s (opened on A/B: $old_opened)" test $retired == yes
echo "$new_key" >"$e2e_dir/keys"
reload_both "old key retired"

at 60  # restart B
stop_server "$b_pid"
start_b 2 || exit 1
write_servers
b_child=$(child_of "$b_pid") b_rss0=$(rss_kb "$(child_of "$b_pid")")

at 75  # restart redis-server (no persistence: the servers must bring the list back)
stop_server "$redis_pid"
start_redis || exit 1

wait "$clients_pid"
a_rss1=$(rss_kb "$a_child") b_rss1=$(rss_kb "$b_child")
check "soak: the clients wrote their results" test -s "$e2e_dir/result.json"
r() { node -e 'const s = require(process.argv[1]); console.log(eval("s." + process.argv[2]))' "$e2e_dir/result.json" "$1"; }
echo "# $(r requests) requests, $(r setCookie) with a Set-Cookie, $(r connectionRetries) retried while a server restarted;" \
  "the old key had opened $opened_at_rotation (A/B) cookies when the new one became primary and" \
  "$old_opened when retired: the difference is how many were resealed from it to the new key;" \
  "$(r revoked) logouts everywhere ($(r acceptedWhilePropagating) probes within the 1 s propagation," \
  "$(r logoutNotRecorded) answered 503 'not recorded' while redis-server was unreachable, and retried);" \
  "hostile $(node -e 'console.log(JSON.stringify(require(process.argv[1]).hostile))' "$e2e_dir/result.json")"
echo "# RSS kB: A $a_rss0 -> $a_rss1, B (after its restart) $b_rss0 -> $b_rss1"
node -e 'for (const f of require(process.argv[1]).failures) console.log("#   " + f)' "$e2e_dir/result.json"
echo "# what the servers logged, counted:"
cat "$e2e_dir"/a.log "$e2e_dir"/b*.log | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn | head -n 12 | sed 's/^/#   /'
check "soak: every client's counter grew by one per request (0 lost sessions)" test "$(r lost)" == 0
check "soak: no revoked session was accepted" test "$(r revokedAccepted)" == 0
check "soak: some sessions were revoked" test "$(r revoked)" -gt 0
check "soak: no answer was a 5xx (besides 503 'logout not recorded' while redis-server is down)" test "$(r status5xx)" == 0
check "soak: no tampered or garbage cookie opened a session" test "$(r hostileAccepted)" == 0
check "soak: the clients finished without an error" test "$(r failures.length)" == 0
check "soak: A and B are still running (0 crashes)" kill -0 "$a_child" "$b_child"
check "soak: A's memory grew by less than 20 MB" test $((a_rss1 - a_rss0)) -lt 20480
check "soak: B's memory grew by less than 20 MB" test $((b_rss1 - b_rss0)) -lt 20480
e2e_summary soak
