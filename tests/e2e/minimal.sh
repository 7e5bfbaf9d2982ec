#!/usr/bin/env bash
# cookieseal - e2e: the README's minimal cpp-httplib app (examples/httplib_minimal.cpp) driven
# by curl on 127.0.0.1: the counter kept in the session, the CSRF token its form carries, a
# forged post refused, the session destroyed; started without a key, it says so and exits 1.
# Usage: tests/e2e/minimal.sh HTTPLIB_MINIMAL_BINARY
set -uo pipefail
source "$(dirname "$0")/lib.sh"
binary=$1
label=httplib_minimal
jar=$e2e_dir/jar

# No key at all (an empty environment): the ConfigError is caught, printed, and the exit status
# is 1 -- not std::terminate's abort.
timeout 10 env -i "$binary" 0 >"$e2e_dir/nokey.out" 2>&1
nokey_status=$?
check "$label: without COOKIESEAL_KEYS it exits 1 (status $nokey_status), naming the variable, without terminate" \
  bash -c '(($1 == 1)) && grep -q COOKIESEAL_KEYS "$2" && ! grep -q terminate "$2"' _ "$nokey_status" "$e2e_dir/nokey.out"

# The app takes its port as an argument and prints nothing: try a few random high ports and
# wait until one answers.
started=0
for ((attempt = 0; attempt < 5 && !started; attempt++)); do
  port=$((20000 + RANDOM % 40000))
  COOKIESEAL_KEYS=$(new_key) timeout 120 "$binary" "$port" >"$e2e_dir/server.log" 2>&1 &
  pid=$!
  e2e_pids+=("$pid")
  base=http://127.0.0.1:$port
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break  # the port was taken: try another
    if curl -s -o /dev/null --max-time 1 "$base/"; then started=1; break; fi
    sleep 0.1
  done
done
if ((started == 0)); then
  not_ok "$label starts"
  e2e_summary "$label"
  exit 1
fi
ok "$label starts on $base"

request GET / -c "$jar" -b "$jar"
request GET / -c "$jar" -b "$jar"
check "$label: the visit counter is kept in the session cookie" grep -q "visits: 2" "$e2e_dir/body"
token=$(page_csrf)
check "$label: the page's form carries a CSRF token" test ${#token} = 86
post_data="" request POST /reset -b "$jar"
check "$label: a POST without the token is refused with a 403" \
  bash -c '[[ $1 == 403 ]] && grep -q "no CSRF token" "$2"' _ "$status" "$e2e_dir/body"
post_data="_csrf=$token" request POST /reset -b "$jar" -H "Origin: http://evil.test"
check "$label: a POST from another origin is refused with a 403" test "$status" = 403
post_data="_csrf=$token" request POST /reset -c "$jar" -b "$jar"
check "$label: a POST with the page's token destroys the session (303, cookie deleted)" \
  bash -c '[[ $1 == 303 && $2 == *"Max-Age=0"* ]]' _ "$status" "$(set_cookie_for __Host-session)"
request GET / -b "$jar"
check "$label: the next visit starts a fresh session" grep -q "visits: 1" "$e2e_dir/body"
e2e_summary "$label"
