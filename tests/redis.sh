#!/usr/bin/env bash
# kwd workers on two "hosts" sharing a Redis stream: a real redis-server (Debian's) on loopback with
# a password and an append-only file, two boxes each running kwd from its units with a Redis drop-in,
# and kwctl --redis as the submitter. 500 jobs judged exactly once; kill -9 of a worker mid-job;
# Redis restarted mid-load; malformed messages dead-lettered; AUTH; no secret in any log.
# Prints "N passed, M failed".
#   tests/redis.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
kwctl=$build/orchestrator/kwctl
work=$(mktemp -d /tmp/kw-redis.XXXXXX)
password="kw-$RANDOM$RANDOM-secret"
port=$((20000 + RANDOM % 20000))
url="redis://:$password@127.0.0.1:$port"
passed=0
failed=0
redis_pid=

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "$3"; fi; }
rcli() { redis-cli -p "$port" -a "$password" --no-auth-warning "$@"; }
box() { "$top/scripts/box.sh" exec "$work/box-$1" "${@:2}"; }

start_redis() {
        redis-server --port "$port" --bind 127.0.0.1 --requirepass "$password" --appendonly yes --appendfsync always \
                --dir "$work" --save "" --logfile "$work/redis.log" &
        redis_pid=$!
        for _ in $(seq 100); do rcli ping >/dev/null 2>&1 && return 0; sleep 0.05; done
        echo "redis-server did not start" >&2
        return 1
}
stop_redis() {
        [ -n "$redis_pid" ] || return 0
        rcli shutdown >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
        redis_pid=
}

# A worker host: a box with kwd installed from its units, told about Redis by a drop-in.
start_worker() {
        "$top/scripts/box.sh" start "$work/box-$1" || return 1
        box "$1" "$top/scripts/kwd-dev.sh" install "$build" "$top/policy"
        box "$1" mkdir -p /run/systemd/system/kwd.service.d
        box "$1" sh -c "cat > /run/systemd/system/kwd.service.d/redis.conf" <<EOT
[Service]
ExecStart=
ExecStart=$build/orchestrator/kwd --policy=$top/policy --redis-url-file=$work/url --redis-reclaim-sec=3
# Redis over TCP needs the network that kwd.service otherwise keeps from kwd.
PrivateNetwork=no
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
Restart=no
EOT
        box "$1" systemctl daemon-reload
        box "$1" systemctl start kwd.socket kwd.service
}

cleanup() {
        for b in a b; do
                [ -d "$work/box-$b" ] && "$top/scripts/box.sh" stop "$work/box-$b" >/dev/null 2>&1
        done
        stop_redis
        rm -rf "$work"
}
trap cleanup EXIT

job() {
        jq -cn --arg code "$1" --arg lang "$2" --argjson extra "${3:-{\}}" '{code: $code, language: $lang} + $extra'
}
audited() { # job ids judged, from both workers' audit entries
        for b in a b; do box "$b" journalctl -q --no-pager -o json KW_AUDIT=1 | jq -r .KW_JOB_ID; done
}

printf '%s\n' "$url" >"$work/url"
chmod 600 "$work/url"
start_redis || exit 1
start_worker a && start_worker b
check "two workers up" 'box a systemctl is-active -q kwd && box b systemctl is-active -q kwd' "kwd not active"

# ---- 500 jobs, each judged exactly once ----
for i in $(seq 500); do
        job "print(int(input()) + $i)" python "{\"test_cases\":[{\"input\":\"1\",\"expected\":\"$((i + 1))\"}]}" >"$work/j$i.json"
done
seq 500 | xargs -P 50 -I{} sh -c '"$0" submit --redis "$1" --redis-timeout-sec 300 "$2/j{}.json" >"$2/j{}.out" 2>"$2/j{}.err"; echo $? >"$2/j{}.rc"' \
        "$kwctl" "$url" "$work"
right=0
for i in $(seq 500); do
        [ "$(cat "$work/j$i.rc")" = 0 ] && jq -e '.verdict == "accepted"' "$work/j$i.out" >/dev/null 2>&1 && right=$((right + 1))
done
check "500 jobs through Redis, all judged right" '[ "$right" = 500 ]' "$right of 500"
ids=$(cat "$work"/j*.out | jq -r .job_id | sort)
judged=$(audited | sort)
check "each judged exactly once, by one worker" \
        '[ "$(printf "%s\n" "$ids" | sort -u | wc -l)" = 500 ] && [ "$(printf "%s\n" "$judged" | grep -c .)" = 500 ] && [ "$(printf "%s\n" "$judged" | sort -u | wc -l)" = 500 ]' \
        "$(printf "%s\n" "$judged" | grep -c .) audit entries, $(printf "%s\n" "$judged" | sort -u | wc -l) distinct"
check "both workers took part" '[ "$(box a journalctl -q -o cat KW_AUDIT=1 | wc -l)" -gt 0 ] && [ "$(box b journalctl -q -o cat KW_AUDIT=1 | wc -l)" -gt 0 ]' "one worker did all"

# ---- the example backend, as the web backend would use kw ----
/usr/bin/python3 "$top/examples/backend.py" "$url" "$top/examples/hello-python.json" >"$work/backend.out" 2>"$work/backend.err"; rc=$?
check "examples/backend.py enqueues and reads its result" \
        '[ "$rc" = 0 ] && jq -e ".status == \"success\" and (.test_results | length) == 3" "$work/backend.out" >/dev/null' \
        "exit $rc: $(head -c 300 "$work/backend.err")"

# ---- malformed messages go to the dead-letter stream; the workers go on ----
rcli XADD kw:jobs '*' foo bar >/dev/null
rcli XADD kw:jobs '*' id 0123456789abcdef0123456789abcdef job 'not json' >/dev/null
rcli XADD kw:jobs '*' id not-an-id job '{"code":"print(1)","language":"python"}' >/dev/null
rcli XADD kw:jobs '*' id fedcba9876543210fedcba9876543210 job '{"code":"x","language":"cobol"}' >/dev/null
"$kwctl" submit --redis "$url" --redis-timeout-sec 60 "$work/j1.json" >"$work/after-dead.out" 2>&1; rc=$?
reasons=$(rcli --raw XRANGE kw:jobs:dead - + | grep -A1 '^reason$' | grep -v '^reason$' | grep -v '^--$')
check "malformed messages dead-lettered with their reason" \
        'printf "%s" "$reasons" | grep -q "no field .job." && printf "%s" "$reasons" | grep -q "not valid JSON" &&
         printf "%s" "$reasons" | grep -q "32 lowercase hex" && printf "%s" "$reasons" | grep -q "unknown language" && [ "$rc" = 0 ]' \
        "reasons: $reasons; next job exit $rc"
check "the submitter of an invalid job hears why" \
        '[ "$(rcli --raw LPOP kw:result:fedcba9876543210fedcba9876543210 | head -1)" = "2 language: unknown language '"'"'cobol'"'"' (known: javascript, python)" ]' "no answer"

# ---- kill -9 of a worker mid-job: its jobs complete on the other ----
sleepy=$(job 'import time; time.sleep(2); print("slept")' python '{"test_cases":[{"input":"","expected":"slept"}]}')
printf '%s' "$sleepy" >"$work/sleepy.json"
clients=()
for i in $(seq 8); do
        ( "$kwctl" submit --redis "$url" --redis-timeout-sec 120 "$work/sleepy.json" >"$work/s$i.out" 2>"$work/s$i.err"; echo $? >"$work/s$i.rc" ) &
        clients+=($!)
done
# Until worker a has a run (a unit described "kw run N of job ..."; the others are its warm units).
for _ in $(seq 100); do [ "$(box a systemctl list-units --plain --no-legend 'kw-*.service' | grep -c ' kw run ')" -gt 0 ] && break; sleep 0.05; done
oldpid=$(box a systemctl show -P MainPID kwd.service)
box a systemctl kill -s KILL kwd.service
wait "${clients[@]}"
done_ok=0
for i in $(seq 8); do
        [ "$(cat "$work/s$i.rc")" = 0 ] && jq -e '.verdict == "accepted"' "$work/s$i.out" >/dev/null 2>&1 && done_ok=$((done_ok + 1))
done
check "kill -9 of a worker mid-job: every job completes on the other" '[ "$done_ok" = 8 ]' "$done_ok of 8"
# Only once PID 1 has seen the old kwd die: else `systemctl start` finds it still "active".
for _ in $(seq 300); do [ "$(box a systemctl show -P MainPID kwd.service)" != "$oldpid" ] && break; sleep 0.1; done
box a systemctl start kwd.service
check "the killed worker, restarted, left nothing behind (but its new warm units)" \
        '[ "$(box a systemctl list-units --all --plain --no-legend "kw-*.service" | grep -vc " kw warm unit for ")" = 0 ]' \
        "units left: $(box a systemctl list-units --all --plain --no-legend "kw-*.service" | grep -v " kw warm unit for " | head -3)"

# ---- Redis restarted mid-load: nothing lost that Redis kept ----
for i in $(seq 40); do
        job "import time; time.sleep(0.3); print($i)" python "{\"test_cases\":[{\"input\":\"\",\"expected\":\"$i\"}]}" >"$work/r$i.json"
done
seq 40 | xargs -P 40 -I{} sh -c '"$0" submit --redis "$1" --redis-timeout-sec 180 "$2/r{}.json" >"$2/r{}.out" 2>"$2/r{}.err"; echo $? >"$2/r{}.rc"' \
        "$kwctl" "$url" "$work" &
load=$!
sleep 1.5
stop_redis
sleep 1
start_redis
wait "$load"
survived=0
for i in $(seq 40); do
        [ "$(cat "$work/r$i.rc")" = 0 ] && jq -e '.verdict == "accepted"' "$work/r$i.out" >/dev/null 2>&1 && survived=$((survived + 1))
done
check "Redis restarted mid-load: every job judged" '[ "$survived" = 40 ]' "$survived of 40; $(cat "$work"/r*.err | sort | uniq -c | head -3)"
# Worker b ran throughout: it connected once at start, and again after the restart.
check "workers reconnected" '[ "$(box b journalctl -q -u kwd -o cat | grep -c "Redis writer connected")" -ge 2 ]' \
        "$(box b journalctl -q -u kwd -o cat | grep Redis | tail -5)"

# ---- AUTH and secrets ----
"$kwctl" submit --redis "redis://:wrong@127.0.0.1:$port" "$work/j1.json" >/dev/null 2>"$work/auth.err"; rc=$?
check "a wrong password is a clear error" '[ "$rc" = 3 ] && grep -q "refused us" "$work/auth.err" && ! grep -q wrong "$work/auth.err"' "exit $rc: $(cat "$work/auth.err")"
leaks=0
for b in a b; do leaks=$((leaks + $(box "$b" journalctl -q --no-pager -o cat | grep -c -- "$password"))); done
leaks=$((leaks + $(cat "$work"/*.err | grep -c -- "$password")))
check "the URL's secret appears in no log" '[ "$leaks" = 0 ]' "$leaks lines"

echo "redis: $passed passed, $failed failed"
[ "$failed" = 0 ]
