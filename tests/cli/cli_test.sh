#!/usr/bin/env bash
# cookieseal - tests of the `cookieseal` command-line tool: every subcommand and exit path.
# Usage: tests/cli/cli_test.sh PATH/TO/cookieseal   (meson runs it: suite 'cli')
# Prints one line per check and "N passed, M failed" last; exits 1 if anything failed.
set -uo pipefail

tool=${1:?usage: cli_test.sh PATH/TO/cookieseal}
tmp=$(mktemp -d)
redis_pid=""
# The revoke checks start a redis-server (unix socket in $tmp); it is stopped on any exit.
trap '[[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
# Start from a clean environment: only what each check sets.
for v in $(compgen -v COOKIESEAL_); do unset "$v"; done

passed=0
failed=0

# run [--in TEXT] CMD...: runs CMD, setting $status, $out (stdout) and $err (stderr).
run() {
  local input=""
  if [[ $1 == --in ]]; then input=$2; shift 2; fi
  out=$(printf '%s' "$input" | "$@" 2>"$tmp/err")
  status=$?
  err=$(<"$tmp/err")
}

# check NAME STATUS [STDOUT_ERE [STDERR_ERE]]: the last run exited STATUS and its outputs match
# the extended regular expressions (an empty pattern matches anything).
check() {
  local name=$1 want=$2 out_re=${3:-} err_re=${4:-}
  local why=()
  [[ $status == "$want" ]] || why+=("exit status $status, wanted $want")
  [[ -z $out_re ]] || grep -Eq -- "$out_re" <<<"$out" || why+=("stdout does not match /$out_re/")
  [[ -z $err_re ]] || grep -Eq -- "$err_re" <<<"$err" || why+=("stderr does not match /$err_re/")
  if ((${#why[@]} == 0)); then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    printf '     %s\n' "${why[@]}" "stdout: ${out:0:300}" "stderr: ${err:0:300}"
    failed=$((failed + 1))
  fi
}

# assert NAME CONDITION...: a check on something other than one run.
assert() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
}

# --- the tool itself -----------------------------------------------------------------------
run "$tool" --help
check "--help prints the commands" 0 'keygen' ''
run "$tool" --version
check "--version prints the version" 0 '^cookieseal [0-9]+\.[0-9]+\.[0-9]+$'
run "$tool"
check "no command is a usage error" 2 '' '^error: missing command'
run "$tool" frobnicate
check "an unknown command is a usage error" 2 '' "^error: unknown command 'frobnicate'"
run "$tool" --verbose
check "an unknown option before the command is a usage error" 2 '' "^error: unknown option '--verbose'"
for c in keygen encode decode inspect keys revoke; do
  run "$tool" "$c" --help
  check "$c --help" 0 "^Usage: cookieseal $c"
done

# --- keygen --------------------------------------------------------------------------------
run "$tool" keygen
check "keygen prints 43 characters of base64url" 0 '^[A-Za-z0-9_-]{43}$'
k1=$out
run "$tool" keygen --hex
check "keygen --hex prints 64 hex digits" 0 '^[0-9a-f]{64}$'
k2=$out
run "$tool" keygen
k3=$out
assert "two keygens differ" test "$k1" != "$k3"
run "$tool" keygen --base32
check "keygen with an unknown option is a usage error" 2 '' "^error: unknown option '--base32'"
run "$tool" keygen extra
check "keygen with an operand is a usage error" 2 '' "^error: unexpected argument 'extra'"
run "$tool" keygen --hex=yes
check "a flag given a value is a usage error" 2 '' "takes no value"

# --- keys ----------------------------------------------------------------------------------
run "$tool" keys
check "keys without COOKIESEAL_KEYS is a configuration error" 2 '' '^error: .*COOKIESEAL_KEYS'
export COOKIESEAL_KEYS="$k1,$k2"
run "$tool" keys
check "keys lists the source and the ids, primary first" 0 'source +COOKIESEAL_KEYS$'
assert "keys marks key 1 as the primary" grep -Eq '^1 +[0-9a-f]{8} +primary$' <<<"$out"
assert "keys lists key 2" grep -Eq '^2 +[0-9a-f]{8}$' <<<"$out"
assert "keys never prints key material" bash -c '! grep -qF -e "$1" -e "$2" <<<"$3"' _ "$k1" "$k2" "$out"
id1=$(awk '$1 == 1 {print $2}' <<<"$out")
id2=$(awk '$1 == 2 {print $2}' <<<"$out")
printf '# staging keys\n%s\n\n%s\n' "$k2" "$k1" >"$tmp/keys"
run env -u COOKIESEAL_KEYS COOKIESEAL_KEYS_FILE="$tmp/keys" "$tool" keys
check "keys names the keys file" 0 "^source +COOKIESEAL_KEYS_FILE \($tmp/keys\)$"
assert "keys from a file keep the file's order" grep -Eq "^1 +$id2 +primary$" <<<"$out"
run env COOKIESEAL_KEYS_FILE="$tmp/keys" "$tool" keys
check "both COOKIESEAL_KEYS and COOKIESEAL_KEYS_FILE is a configuration error" 2 '' 'set only one'
run env COOKIESEAL_KEYS="$k1,not-a-key" "$tool" keys
check "a bad key is a configuration error naming its position" 2 '' 'COOKIESEAL_KEYS: key 2'
assert "a bad key's message does not echo the keys" bash -c '! grep -qF -e "$1" -e not-a-key <<<"$2"' _ "$k1" "$err"
run "$tool" keys --all
check "keys with an unknown option is a usage error" 2 '' "unknown option '--all'"

# --- encode --------------------------------------------------------------------------------
json='{"user": "ada", "visits": 3, "ratio": 0.5, "admin": false, "big": -9223372036854775808, "one": 1.0}'
run --in "$json" "$tool" encode
check "encode prints a cookie value" 0 '^[A-Za-z0-9_-]+$'
cookie=$out
run --in '{}' "$tool" encode
check "encode of an empty object still makes a cookie" 0 '^[A-Za-z0-9_-]+$'
run --in '{"a": null}' "$tool" encode
check "encode refuses null" 2 '' '^error: "a": null cannot be stored'
run --in '{"a": [1, 2]}' "$tool" encode
check "encode refuses an array" 2 '' '^error: "a": an array cannot be stored'
run --in '{"a": {"b": 1}}' "$tool" encode
check "encode refuses an object" 2 '' '^error: "a": an object cannot be stored'
run --in '{"a": 9223372036854775808}' "$tool" encode
check "encode refuses an integer beyond int64" 2 '' '^error: integer 9223372036854775808 does not fit'
run --in '{"a": -99999999999999999999999}' "$tool" encode
check "encode refuses an integer below int64" 2 '' 'does not fit'
run --in '{"a": 1e300}' "$tool" encode
check "encode takes a float written with an exponent" 0 '^[A-Za-z0-9_-]+$'
run --in '[1, 2]' "$tool" encode
check "encode refuses a top-level array" 2 '' '^error: expected a JSON object'
run --in '{"a": ' "$tool" encode
check "encode refuses invalid JSON" 2 '' '^error: invalid JSON'
run --in '{"session": {"a": 1}, "extra": 2}' "$tool" encode
check "encode refuses keys beside session and meta" 2 '' 'unexpected key "extra"'
run --in '{}' "$tool" encode --ttl 5x
check "encode refuses a bad --ttl" 2 '' '^error: --ttl wants a positive duration'
run --in '{}' "$tool" encode --ttl 0
check "encode refuses a zero --ttl" 2 '' '^error: --ttl'
run --in '{}' "$tool" encode --ttl
check "an option without its value is a usage error" 2 '' "option '--ttl' needs a value"
run --in '{}' "$tool" encode --name 'bad name'
check "encode refuses a cookie name that is not a token" 2 '' '^error: '
run --in '{}' env -u COOKIESEAL_KEYS "$tool" encode
check "encode without keys is a configuration error" 2 '' 'COOKIESEAL_KEYS'

# --- decode --------------------------------------------------------------------------------
run "$tool" decode "$cookie"
check "decode opens what encode made" 0 '"user": "ada"'
decoded=$out
assert "decode keeps integers" grep -Eq '"visits": 3,?$' <<<"$decoded"
assert "decode keeps int64 min" grep -q '"big": -9223372036854775808,' <<<"$decoded"
assert "decode keeps floats as floats" grep -q '"one": 1.0,' <<<"$decoded"
assert "decode keeps fractions" grep -q '"ratio": 0.5' <<<"$decoded"
assert "decode keeps booleans" grep -q '"admin": false,' <<<"$decoded"
assert "decode gives the default cookie name" grep -q '"cookie_name": "__Host-session"' <<<"$decoded"
assert "decode gives the session id" grep -Eq '"id": "[0-9a-f]{32}"' <<<"$decoded"
assert "decode gives created_at in ISO 8601 UTC" grep -Eq '"created_at": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' <<<"$decoded"
assert "decode gives expires_at in ISO 8601 UTC" grep -Eq '"expires_at": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' <<<"$decoded"
assert "decode gives the primary's key id" grep -q "\"key_id\": \"$id1\"" <<<"$decoded"
assert "decode says a primary-key cookie needs no reseal" grep -q '"needs_reseal": false' <<<"$decoded"
run --in "$decoded" "$tool" encode
check "encode reads decode's whole output" 0 '^[A-Za-z0-9_-]+$'
run "$tool" decode "$out"
session_of() { sed -n '/"session"/,/"meta"/p' <<<"$1"; }
assert "decode -> encode -> decode gives an equal session" test "$(session_of "$out")" == "$(session_of "$decoded")"
run --in "  $cookie
" "$tool" decode
check "decode reads a trimmed cookie from standard input" 0 '"user": "ada"'
run --in "$cookie" "$tool" decode -
check "decode reads standard input for '-'" 0 '"user": "ada"'
run "$tool" decode "Cookie: theme=dark; __Host-session=$cookie; lang=en"
check "decode takes its cookie out of a Cookie header" 0 '"user": "ada"'
run "$tool" decode "__Host-session=AAAA; __Host-session=$cookie"
check "decode tries every cookie of the name in a header, as SessionManager does" 0 '"user": "ada"'
run "$tool" decode "theme=dark"
check "a header without the cookie is a usage error" 2 '' "^error: no cookie named '__Host-session'"
run "$tool" decode ""
check "an empty cookie is a usage error" 2 '' '^error: no cookie given'
run "$tool" decode "$cookie" extra
check "decode with two operands is a usage error" 2 '' "unexpected argument 'extra'"
run "$tool" decode --now soon "$cookie"
check "decode refuses a bad --now" 2 '' '^error: --now wants whole seconds'
run "$tool" decode --now 4102444800 "$cookie"
check "decode of a cookie past its expiry is rejected as expired" 1 '' '^error: expired$'
assert "a rejected cookie prints nothing on standard output" test -z "$out"
run "$tool" decode --name other "$cookie"
check "decode under another cookie name is rejected as tampered" 1 '' '^error: tampered$'
n=${#cookie}
flipped=${cookie:n-6:1}
[[ $flipped == A ]] && flipped=B || flipped=A
tampered=${cookie:0:n-6}$flipped${cookie:n-5}
run "$tool" decode "$tampered"
check "decode of a modified cookie is rejected as tampered" 1 '' '^error: tampered$'
run "$tool" decode 'not!base64'
check "decode of garbage is rejected as malformed" 1 '' '^error: malformed$'
# A server-side session's cookie is a reference: it opens only where the store is.
run --in '{"user": "ada"}' env COOKIESEAL_STORE=memory COOKIESEAL_STORE_MODE=server "$tool" encode
check "encode with a server-mode store prints a reference cookie" 0 '^[A-Za-z0-9_-]{106}$'
reference=$out
run "$tool" decode "$reference"
check "decode of a reference without COOKIESEAL_STORE says where the data is" 1 '' \
  'hint: a server-side session.s cookie is only a reference to its record: set COOKIESEAL_STORE'
run env COOKIESEAL_STORE=memory "$tool" decode "$reference"
check "decode of a reference whose record is not in the store is rejected as expired" 1 '' '^error: expired$'
run "$tool" decode "B${cookie:1}"
check "decode of another format version is rejected as unsupported_version" 1 '' '^error: unsupported_version$'
run env COOKIESEAL_KEYS="$k3" "$tool" decode "$cookie"
check "decode with a keyring lacking the key is rejected as unknown_key" 1 '' '^error: unknown_key$'
run "$tool" decode "$(head -c 6000 /dev/zero | tr '\0' A)"
check "decode of an over-long cookie is rejected as too_large" 1 '' '^error: too_large$'
run env COOKIESEAL_KEYS="$k2,$k1" "$tool" decode "$cookie"
check "decode under a rotated keyring opens with the old key" 0 "\"key_id\": \"$id1\""
assert "decode says an old-key cookie needs resealing" grep -q '"needs_reseal": true' <<<"$out"
run --in '{"a": 1}' env COOKIESEAL_COOKIE_NAME=sid COOKIESEAL_KEYS="$k1" "$tool" encode
sid_cookie=$out
run env COOKIESEAL_COOKIE_NAME=sid "$tool" decode "$sid_cookie"
check "encode and decode default to COOKIESEAL_COOKIE_NAME" 0 '"cookie_name": "sid"'
run "$tool" decode "$sid_cookie"
check "a cookie sealed for another name does not open" 1 '' '^error: tampered$'
run "$tool" decode --name sid "$sid_cookie"
check "decode --name selects the name" 0 '"a": 1'
run --in '{"a": 1}' "$tool" encode --ttl 1h
short=$out
now=$(date +%s)
run "$tool" decode --now $((now + 3000)) "$short"
check "encode --ttl 1h opens 50 minutes later" 0 '"a": 1'
run "$tool" decode --now $((now + 3600 + 120)) "$short"
check "encode --ttl 1h is expired 62 minutes later" 1 '' '^error: expired$'
run --in '{}' "$tool" encode --ttl 30d
check "encode --ttl beyond the absolute lifetime warns that it is capped" 0 '^[A-Za-z0-9_-]+$' '^warning: .*COOKIESEAL_MAX_LIFETIME = 7d'
run --in '{}' "$tool" encode --ttl 30s
check "encode --ttl 30s works: the default leeway fits a short ttl" 0 '^[A-Za-z0-9_-]+$'
run --in '{}' env COOKIESEAL_LEEWAY=60s "$tool" encode --ttl 30s
check "encode --ttl not above the leeway names the flag and the variable" 2 '' 'ttl 30s .with COOKIESEAL_LEEWAY.*leeway must be'
run env -u COOKIESEAL_KEYS "$tool" decode "$cookie"
check "decode without keys is a configuration error" 2 '' 'COOKIESEAL_KEYS'

# --- inspect -------------------------------------------------------------------------------
run env -u COOKIESEAL_KEYS "$tool" inspect "$cookie"
check "inspect needs no key" 0 '^version +1$'
assert "inspect shows the key id" grep -Eq "^key_id +$id1$" <<<"$out"
assert "inspect shows a future expiry as not past" grep -Eq '^expires_at +[0-9-]{10}T[0-9:]{8}Z \(not past\)$' <<<"$out"
assert "inspect shows the sizes" grep -Eq "^value_bytes +$n$" <<<"$out"
assert "inspect shows raw and plaintext sizes" grep -Eq '^raw_bytes +[0-9]+$' <<<"$out"
assert "inspect shows the plaintext size" grep -Eq '^plaintext_bytes +[0-9]+$' <<<"$out"
run "$tool" inspect --now 4102444800 "$cookie"
check "inspect --now after the expiry says past" 0 'Z \(past\)$'
run --in "$cookie" "$tool" inspect
check "inspect reads standard input" 0 '^version +1$'
run "$tool" inspect 'not!base64'
check "inspect of garbage says why" 1 '' '^error: malformed: not canonical base64url'
run "$tool" inspect "B${cookie:1}"
check "inspect of another version shows it and is rejected" 1 '^version +5$' '^error: unsupported_version'
run "$tool" inspect "Cookie: a=b; __Host-session=$cookie"
check "inspect takes its cookie out of a Cookie header" 0 '^version +1$'
run "$tool" inspect --verbose "$cookie"
check "inspect with an unknown option is a usage error" 2 '' "unknown option '--verbose'"

# --- revoke (against a real redis-server on a unix socket) ---------------------------------
unset COOKIESEAL_KEYS COOKIESEAL_KEYS_FILE
run "$tool" revoke --all
check "revoke without COOKIESEAL_REVOCATION is a configuration error" 2 '' '^error: COOKIESEAL_REVOCATION is not set'
export COOKIESEAL_REVOCATION=memory
run "$tool" revoke --all
check "revoke refuses the in-process memory list" 2 '' "^error: COOKIESEAL_REVOCATION=memory lives inside one server"
export COOKIESEAL_REVOCATION="redis://app:hunter2@127.0.0.1:1/0"
run "$tool" revoke --all
check "revoke refuses a password in the URL without echoing it" 2 '' 'COOKIESEAL_REDIS_PASSWORD_FILE'
assert "the refused URL's password is not printed" bash -c '! grep -q hunter2 <<<"$1"' _ "$err"
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  # No skipping: the setup (scripts/setup.sh redis) installs them.
  echo "FAIL redis-server and redis-cli are needed for the revoke checks (scripts/setup.sh redis)"
  failed=$((failed + 1))
else
  sock="$tmp/redis.sock"
  redis-server --port 0 --unixsocket "$sock" --save "" --appendonly no --daemonize no \
    --dir "$tmp" --logfile "$tmp/redis.log" &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -s "$sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export COOKIESEAL_REVOCATION="unix://$sock" COOKIESEAL_REDIS_PREFIX="clitest:"
  key="{clitest:revocation}:entries"
  id=0123456789abcdef0123456789abcdef
  run "$tool" revoke --session "$id"
  check "revoke --session records the id" 0 "^revoked session $id; kept until [0-9T:-]+Z$"
  score=$(redis-cli -s "$sock" zscore "$key" "i:$id")
  want=$(($(date +%s) + 7 * 86400 + 60))
  assert "the entry expires after the absolute lifetime and leeway" test $((want - score)) -le 5 -a $((want - score)) -ge -5
  COOKIESEAL_MAX_LIFETIME=1h run "$tool" revoke --session "$id"
  check "revoke --session with a shorter COOKIESEAL_MAX_LIFETIME succeeds" 0 "^revoked session"
  assert "a later forget time is never shortened (ZADD GT)" test "$(redis-cli -s "$sock" zscore "$key" "i:$id")" = "$score"
  run "$tool" revoke --user ada
  check "revoke --user records a cut-off for the user" 0 '^revoked user ada \(sessions created before'
  assert "the user entry is in the sorted set" bash -c "redis-cli -s '$sock' zrange '$key' 0 -1 | grep -Eq '^u:[0-9]+:ada$'"
  run "$tool" revoke --all
  check "revoke --all records a global cut-off" 0 '^revoked all \(sessions created before'
  run "$tool" revoke --session nothex
  check "revoke --session with a bad id is a usage error" 2 '' '32 hex digits'
  run "$tool" revoke --user ada --all
  check "revoke with two targets is a usage error" 2 '' 'exactly one of'
  run "$tool" revoke
  check "revoke with no target is a usage error" 2 '' 'exactly one of'
  COOKIESEAL_MAX_LIFETIME=soon run "$tool" revoke --all
  check "revoke with a bad COOKIESEAL_MAX_LIFETIME is a configuration error" 2 '' 'COOKIESEAL_MAX_LIFETIME'
  COOKIESEAL_REDIS_PASSWORD_FILE="$tmp/missing" run "$tool" revoke --all
  check "revoke with an unreadable password file is a configuration error" 2 '' 'COOKIESEAL_REDIS_PASSWORD_FILE: cannot read'
  kill "$redis_pid"
  wait "$redis_pid" 2>/dev/null
  redis_pid=""
  COOKIESEAL_REDIS_TIMEOUT=200ms run "$tool" revoke --session "$id"
  check "revoke while Redis is down exits 1: not recorded" 1 '' '^error: unavailable: the revocation was not recorded'
  unset COOKIESEAL_REVOCATION COOKIESEAL_REDIS_PREFIX
fi

echo "$passed passed, $failed failed"
((failed == 0))
