#!/usr/bin/env bash
# cookieseal - e2e: an example server driven by curl and its cookie jar, on 127.0.0.1 only.
#
# Usage: tests/e2e/curl_flow.sh full|brief SERVER_BINARY [VAR=value...]
#   full:  first visit, login, counter, logout, then revoked, tampered, truncated, empty,
#          garbage, oversized, foreign-key and expired cookies (each must give a fresh session
#          and a 200, never a 500); revoke-all, key usage, and live key rotation from a keys file
#          (the cpp-httplib example's operator endpoints).
#   brief: first visit, login, counter, logout, one tampered cookie.
#   VAR=value pairs are added to the server's environment (COOKIESEAL_KEYS is set here).
#
# curl (>= 7.79) treats 127.0.0.1, [::1] and localhost as secure contexts: it stores and sends
# `Secure` cookies, `__Host-` ones included, over plain http there. So the default cookie
# (`__Host-session`, Secure) is tested as it is; COOKIESEAL_SECURE=false is not needed (the
# stage runs the Beast server with it anyway, to cover that configuration as well).
# Prints one "ok - ..." / "not ok - ..." line per check; exits 1 if any failed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

if (($# < 2)) || [[ $1 != full && $1 != brief ]]; then
  echo "usage: $0 full|brief SERVER_BINARY [VAR=value...]" >&2
  exit 2
fi
mode=$1 binary=$2
shift 2
server_env=("$@")
name=__Host-session
secure=true
for kv in "${server_env[@]}"; do
  case $kv in
    COOKIESEAL_COOKIE_NAME=*) name=${kv#*=} ;;
    COOKIESEAL_SECURE=false | COOKIESEAL_SECURE=0) secure=false ;;
  esac
done
label=$(basename "$binary")
key=$(new_key)
jar=$e2e_dir/jar
log=$e2e_dir/server.log

if ! start_server "$log" "$binary" COOKIESEAL_KEYS="$key" "${server_env[@]}"; then
  not_ok "$label starts"
  e2e_summary "$label"
  exit 1
fi
ok "$label starts on $base"

# --- A first visit: a fresh session, and the cookie it is stored in.
request GET / -c "$jar" -b "$jar"
check "$label: GET / without a cookie answers 200" test "$status" = 200
check "$label: a first visit counts 1" test "$(page_visits)" = 1
set_cookie=$(set_cookie_for "$name")
check "$label: the response sets $name" test -n "$set_cookie"
attrs_ok() {
  [[ $set_cookie == *"; HttpOnly"* && $set_cookie == *"; SameSite=Lax"* && $set_cookie == *"; Path=/"* ]] || return 1
  if [[ $secure == true ]]; then [[ $set_cookie == *"; Secure"* ]]; else [[ $set_cookie != *"; Secure"* ]]; fi
}
check "$label: the cookie is HttpOnly, SameSite=Lax, Path=/$([[ $secure == true ]] && echo ', Secure' || echo ', not Secure')" attrs_ok
check "$label: curl's jar holds $name, marked HttpOnly" \
  bash -c '[[ $1 == "#HttpOnly_"* ]]' _ "$(jar_line "$jar" "$name")"

# post_form JAR PATH FIELDS [curl options...]: GET / with the jar (for a page and its CSRF
# token), then POST PATH with FIELDS plus that token, with the jar. A GET counts a visit.
post_form() {
  local jar_file=$1 path=$2 fields=$3
  shift 3
  request GET / -c "$jar_file" -b "$jar_file"
  post_data="$fields&_csrf=$(page_csrf)" request POST "$path" -c "$jar_file" -b "$jar_file" "$@"
}

# --- Log in: 303 to /, with a new cookie.
post_form "$jar" /login "user=ada"
check "$label: POST /login answers 303 to /" \
  bash -c '[[ $1 == 303 ]] && tr -d "\r" <"$2" | grep -qi "^location: /$"' _ "$status" "$e2e_dir/headers"
check "$label: POST /login sets a new cookie" test -n "$(set_cookie_for "$name")"

# --- The user name is form-decoded, stored, and HTML-escaped on the page; a missing one is a 400.
post_form "$e2e_dir/jar2" /login "user=%3Cb%3Eeve+%26+co"
request GET / -b "$e2e_dir/jar2"
check "$label: a user name with markup is decoded and shown escaped" \
  test "$(page_user)" = "&lt;b&gt;eve &amp; co"
post_form "$e2e_dir/jar2" /login "name=ada"
check "$label: POST /login without a user answers 400" test "$status" = 400

# --- CSRF: every POST needs this session's token and must not come from another origin.
# refused "what" REASON_TEXT [request args...]: the request answers 403 with that reason.
refused() {
  local what=$1 reason=$2
  shift 2
  post_data="user=mallory${csrf_field-}" request POST /login -b "$e2e_dir/jar2" "$@"
  check "$label: $what is refused with a 403 ($status: $(head -c 80 "$e2e_dir/body"))" \
    bash -c '[[ $1 == 403 ]] && grep -q "$2" "$3"' _ "$status" "$reason" "$e2e_dir/body"
  csrf_field=""
}
request GET / -b "$e2e_dir/jar2"
token2=$(page_csrf)
refused "a POST without a CSRF token" "no CSRF token"
csrf_field="&_csrf=not-a-token" refused "a POST with a malformed token" "malformed"
csrf_field="&_csrf=${token2:0:85}!" refused "a POST with a token of a bad character" "malformed"
request GET / -c "$e2e_dir/jar3"
csrf_field="&_csrf=$(page_csrf)" refused "a POST with another session's token" "does not belong to this session"
csrf_field="&_csrf=$token2" refused "a POST with Origin: http://evil.test" "another origin" -H "Origin: http://evil.test"
csrf_field="&_csrf=$token2" refused "a POST with Sec-Fetch-Site: cross-site" "cross-site" -H "Sec-Fetch-Site: cross-site"
csrf_field="&_csrf=$token2" refused "a POST with Sec-Fetch-Site: same-site (a sibling subdomain)" "cross-site" \
  -H "Sec-Fetch-Site: same-site" -H "Origin: http://sibling.example.test"
request GET / -b "$e2e_dir/jar2"
check "$label: after the refused POSTs the session is unchanged" test "$(page_user)" = "&lt;b&gt;eve &amp; co"
post_data="user=ada2" request POST /login -b "$e2e_dir/jar2" -H "X-CSRF-Token: $token2" \
  -H "Origin: $base" -H "Sec-Fetch-Site: same-origin"
check "$label: a POST with the token in X-CSRF-Token, from its own origin, is accepted" test "$status" = 303

# --- Plain http for a host that is not loopback: with a Secure cookie, browsers store nothing,
# so the server logs one warning (once per process) naming COOKIESEAL_SECURE.
request GET / -H "Host: localhost:${base##*:}"
request GET / -H "Host: devbox.test" -H "X-Forwarded-Proto: https"
check "$label: no plain-http warning for a loopback host or X-Forwarded-Proto: https" \
  bash -c '! grep -q "COOKIESEAL_SECURE" "$1"' _ "$log"
request GET / -H "Host: devbox.test"
request GET / -H "Host: devbox.test:8080"
if [[ $secure == true ]]; then
  check "$label: plain http for Host devbox.test logs one warning naming COOKIESEAL_SECURE and COOKIESEAL_COOKIE_NAME" \
    bash -c '(($(grep -c "plain http.*COOKIESEAL_SECURE=false COOKIESEAL_COOKIE_NAME=session" "$1") == 1))' _ "$log"
else
  check "$label: no plain-http warning without Secure" bash -c '! grep -q "COOKIESEAL_SECURE" "$1"' _ "$log"
fi

# --- The counter goes up by one per request, as the jar sends the cookie back.
counts=()
for ((i = 0; i < 3; i++)); do
  request GET / -c "$jar" -b "$jar"
  counts+=("$(page_visits)")
done
check "$label: logged in as ada" test "$(page_user)" = ada
increasing() { [[ -n ${counts[0]} ]] && ((counts[1] == counts[0] + 1 && counts[2] == counts[1] + 1)); }
check "$label: the visit counter goes up by 1 per request (${counts[*]})" increasing
session_value=$(jar_value "$jar" "$name")
# A logged-in cookie, valid, to replay and alter below.
check "$label: a valid session cookie was captured" test -n "$session_value"
request GET / -H "Cookie: $name=$session_value"
check "$label: the captured cookie, sent by hand, is ada's session" test "$(page_user)" = ada

# --- The logout is CSRF-checked like every POST (the cpp-httplib example checks its token in
# the route, after the stale-replica case): without the token, or from another origin, it is
# refused and ada stays logged in.
post_data="" request POST /logout -b "$jar"
check "$label: POST /logout without the token is refused with a 403 ($status)" \
  bash -c '[[ $1 == 403 ]] && grep -q "no CSRF token" "$2"' _ "$status" "$e2e_dir/body"
request GET / -b "$jar"
post_data="_csrf=$(page_csrf)" request POST /logout -b "$jar" -H "Origin: http://evil.test"
check "$label: POST /logout from another origin is refused with a 403 ($status)" \
  bash -c '[[ $1 == 403 ]] && grep -q "another origin" "$2"' _ "$status" "$e2e_dir/body"
request GET / -b "$jar"
check "$label: ada is still logged in after the refused logouts" test "$(page_user)" = ada

# --- Log out: the cookie is deleted (Max-Age=0) and gone from the jar.
post_data="_csrf=$(page_csrf)" request POST /logout -c "$jar" -b "$jar"
check "$label: POST /logout answers 200" test "$status" = 200
check "$label: POST /logout deletes the cookie (Max-Age=0)" \
  bash -c '[[ $1 == "$2=;"* && $1 == *"Max-Age=0"* ]]' _ "$(set_cookie_for "$name")" "$name"
check "$label: after logout the jar holds no $name" test -z "$(jar_line "$jar" "$name")"
request GET / -b "$jar"
check "$label: after logout the next visit is fresh" \
  bash -c '[[ $1 == 200 && $2 == 1 && $3 == "(not logged in)" ]]' _ "$status" "$(page_visits)" "$(page_user)"

# fresh_for "what" COOKIE_VALUE: a request carrying this cookie gets a 200 and a fresh session
# (counter at 1, nobody logged in), never an error.
fresh_for() {
  request GET / -H "Cookie: $name=$2"
  check "$label: $1 cookie gives a fresh session and a 200 (got $status, visits $(page_visits))" \
    bash -c '[[ $1 == 200 && $2 == 1 && $3 == "(not logged in)" ]]' _ "$status" "$(page_visits)" "$(page_user)"
}

# One character flipped in the middle: authentication fails.
mid=$((${#session_value} / 2))
flip=A
[[ ${session_value:mid:1} == A ]] && flip=B
fresh_for "a tampered" "${session_value:0:mid}$flip${session_value:mid+1}"

if [[ $mode == full ]]; then
  # The cpp-httplib example revokes the session on logout (SessionManager::revoke, on the
  # revocation list of Config::revocation: its own in-memory one here): the copy captured
  # before logout opens no more, though it has not expired.
  fresh_for "a logged-out (revoked) copy of the" "$session_value"
  check "$label: the server logged the replayed cookie as revoked" grep -q revoked "$log"
  fresh_for "a truncated" "${session_value:0:${#session_value}-10}"
  fresh_for "an empty" ""
  fresh_for "a garbage" 'not-base64!!'
  fresh_for "a 6000-byte" "$(head -c 6000 /dev/zero | tr '\0' A)"
  # Another server, another key: our cookie is under a key it does not have.
  main_base=$base
  if start_server "$e2e_dir/other.log" "$binary" COOKIESEAL_KEYS="$(new_key)" "${server_env[@]}"; then
    other_pid=$server_pid
    fresh_for "another key's" "$session_value"
    check "$label: the second server logged the cookie as unknown_key" grep -q unknown_key "$e2e_dir/other.log"
    stop_server "$other_pid"
    base=$main_base
  else
    not_ok "$label: a second server (another key) starts"
  fi
  check "$label: the server logged why it started fresh sessions (tampered)" grep -q tampered "$log"

  # Expiry: a server whose sessions expire after 2 idle seconds, with no leeway (which must be
  # below the ttl). Log in, wait 3 s, come back.
  main_base=$base
  if start_server "$e2e_dir/ttl.log" "$binary" COOKIESEAL_KEYS="$key" "${server_env[@]}" \
    COOKIESEAL_TTL=2s COOKIESEAL_LEEWAY=0s; then
    ttl_pid=$server_pid
    rm -f "$jar"
    post_form "$jar" /login "user=ada"
    expiring=$(jar_value "$jar" "$name")
    request GET / -H "Cookie: $name=$expiring"
    check "$label: a 2-second cookie opens at once" test "$(page_user)" = ada
    sleep 3
    fresh_for "an expired" "$expiring"
    check "$label: the server logged the cookie as expired" grep -q expired "$e2e_dir/ttl.log"
    stop_server "$ttl_pid"
    base=$main_base
  else
    not_ok "$label: a server with COOKIESEAL_TTL=2s starts"
  fi
fi

if [[ $mode == full ]]; then
  # --- Revoke every session at once: a live login is refused afterwards.
  rm -f "$jar"
  post_form "$jar" /login "user=ada"
  live=$(jar_value "$jar" "$name")
  request GET / -H "Cookie: $name=$live"
  check "$label: a new login opens" test "$(page_user)" = ada
  request POST /admin/revoke-all
  check "$label: POST /admin/revoke-all answers 200" test "$status" = 200
  fresh_for "a session created before revoke-all, its" "$live"

  # --- Key usage: the key opened cookies, loads are counted by outcome.
  request GET /admin/keys
  check "$label: GET /admin/keys lists one primary key that opened cookies" \
    grep -Eq '^key [0-9a-f]{8} primary opened [1-9][0-9]*$' "$e2e_dir/body"
  check "$label: GET /admin/keys counts revoked and tampered loads" \
    bash -c 'grep -Eq "^load revoked [1-9]" "$1" && grep -Eq "^load tampered [1-9]" "$1"' _ "$e2e_dir/body"
  check "$label: GET /admin/keys shows no key material" bash -c '! grep -qi "$1" "$2"' _ "$key" "$e2e_dir/body"

  # --- Live rotation from COOKIESEAL_KEYS_FILE, in the three steps of docs/SECURITY.md.
  old_key=$key new_key=$(new_key) keys_file=$e2e_dir/keys
  echo "$old_key" >"$keys_file"
  if start_server "$e2e_dir/rotation.log" "$binary" COOKIESEAL_KEYS_FILE="$keys_file" "${server_env[@]}"; then
    rotation_pid=$server_pid
    rm -f "$jar"
    post_form "$jar" /login "user=ada"
    under_old=$(jar_value "$jar" "$name")
    # 1. Add the new key as secondary: old cookies open, still sealed under the old key.
    printf '# rotation step 1\n%s\n%s\n' "$old_key" "$new_key" >"$keys_file"
    request POST /admin/reload-keys
    check "$label: reload-keys with a secondary key answers 200 and lists 2 keys" \
      bash -c '[[ $1 == 200 ]] && (($(grep -c "^key " "$2") == 2))' _ "$status" "$e2e_dir/body"
    request GET / -H "Cookie: $name=$under_old"
    check "$label: after step 1 the old cookie opens" test "$(page_user)" = ada
    # 2. Promote the new key: the old cookie still opens and is re-sealed under the new key.
    printf '%s\n%s\n' "$new_key" "$old_key" >"$keys_file"
    request POST /admin/reload-keys
    request GET / -H "Cookie: $name=$under_old"
    resealed=$(set_cookie_for "$name")
    resealed=${resealed#"$name="}
    resealed=${resealed%%;*}
    check "$label: after step 2 the old cookie opens and is re-issued (under the new key, as step 3 shows)" \
      bash -c '[[ $1 == ada && -n $2 && $2 != "$3" ]]' _ "$(page_user)" "$resealed" "$under_old"
    # 3. Retire the old key: its cookies no longer open, the re-sealed one does.
    echo "$new_key" >"$keys_file"
    request POST /admin/reload-keys
    fresh_for "after step 3, an old key's" "$under_old"
    request GET / -H "Cookie: $name=$resealed"
    check "$label: after step 3 the re-sealed cookie opens" test "$(page_user)" = ada
    request GET /admin/keys
    check "$label: after step 3 GET /admin/keys counts the unknown_key load" \
      grep -Eq '^load unknown_key [1-9]' "$e2e_dir/body"
    # A bad key file is refused and the keys in use stay.
    echo "not a key" >"$keys_file"
    request POST /admin/reload-keys
    check "$label: reload-keys with a bad file answers 409 without echoing it" \
      bash -c '[[ $1 == 409 ]] && ! grep -q "not a key" "$2"' _ "$status" "$e2e_dir/body"
    request GET / -H "Cookie: $name=$resealed"
    check "$label: after a refused reload the current key still opens" test "$(page_user)" = ada
    stop_server "$rotation_pid"
  else
    not_ok "$label: a server with COOKIESEAL_KEYS_FILE starts"
  fi
fi

check "$label: no response was a 5xx or a failed request" \
  bash -c '! grep -Eq "^(5..|000) " "$1"' _ "$e2e_dir/statuses"
e2e_summary "$label"
