#!/usr/bin/env bash
# kwd workers on two "hosts" sharing a Redis stream: a real redis-server (Debian's) on loopback with
# a password and an append-only file, two boxes each running kwd from its units with a Redis drop-in,
# and kwctl --redis as the submitter. 500 jobs judged exactly once; kill -9 of a worker holding jobs,
# which the other judges; Redis restarted with jobs in flight, each judged once; nothing left in
# either box; malformed messages dead-lettered; AUTH; no secret in any log. Prints "N passed, M failed".
#   tests/redis.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

password="kw-$RANDOM$RANDOM-secret"
port=$((20000 + RANDOM % 20000))
url="redis://:$password@127.0.0.1:$port"
# A dead worker's messages go to another after this long idle. A live worker renews its own every
# third of it, so a Redis outage plus the reconnect (backoff from 250 ms) must stay within the rest.
reclaim_sec=10
redis_pid=

rcli() { redis-cli -p "$port" -a "$password" --no-auth-warning "$@"; }
box() { "$top/scripts/box.sh" exec "$work/box-$1" "${@:2}"; }

start_redis() {
        redis-server --port "$port" --bind 127.0.0.1 --requirepass "$password" --appendonly yes --appendfsync always \
                --dir "$work" --save "" --logfile "$work/redis.log" &
        redis_pid=$!
        wait_for 'rcli ping >/dev/null 2>&1' 10 || { echo "redis-server did not start" >&2; return 1; }
}
stop_redis() {
        [ -n "$redis_pid" ] || return 0
        rcli shutdown >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
        redis_pid=
}
on_exit stop_redis

# A worker host: a box with kwd installed from its units and the suite's policy, told about Redis by
# a drop-in. Stopped when the suite ends (before Redis: registered after it).
start_worker() {
        on_exit "\"\$top/scripts/box.sh\" stop \"\$work/box-$1\" >/dev/null 2>&1"
        "$top/scripts/box.sh" start "$work/box-$1" || return 1
        box "$1" "$top/scripts/kwd-dev.sh" install "$build" "$work/policy"
        box "$1" mkdir -p /run/systemd/system/kwd.service.d
        box "$1" sh -c "cat > /run/systemd/system/kwd.service.d/redis.conf" <<EOT
[Service]
ExecStart=
ExecStart=$build/orchestrator/kwd --policy=$work/policy --redis-url-file=$work/url --redis-reclaim-sec=$reclaim_sec
# Redis over TCP needs the network that kwd.service otherwise keeps from kwd.
PrivateNetwork=no
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
Restart=no
EOT
        box "$1" systemctl daemon-reload
        box "$1" systemctl start kwd.socket kwd.service
}

# box_leftovers N: lib.sh's leftovers_list run in box N. The shell there sources lib.sh for its
# definitions, then gives up the scratch directory and exit trap it made for the suite's $work (the
# policy that warm_max reads), which stays.
box_leftovers() {
        box "$1" bash -c 'top=$1 build=$2; . "$top/tests/lib.sh"; trap - EXIT; rmdir "$work"; work=$3; leftovers_list' \
                _ "$top" "$build" "$work"
}
# box_running_jobs N: ids of the jobs the kwd now running in box N has taken and not judged yet: its
# audit trail says "accepted" first and gives the job's KW_AUDIT=1 entry once judged.
box_running_jobs() {
        local pid
        pid=$(box "$1" systemctl show -P MainPID kwd.service)
        [ "${pid:-0}" != 0 ] || return 0
        comm -23 <(box "$1" journalctl -q --no-pager -o json "_PID=$pid" |
                        jq -r 'select(.MESSAGE | strings | test("^kw job [0-9a-f]{32} accepted from")) | .KW_JOB_ID' | sort -u) \
                 <(box "$1" journalctl -q --no-pager -o json KW_AUDIT=1 "_PID=$pid" | jq -r .KW_JOB_ID | sort -u)
}
# audited [N...]: the ids of the jobs judged, one line per audit entry, by the workers in boxes N
# (default both).
audited() {
        local b
        for b in ${1:-a b}; do box "$b" journalctl -q --no-pager -o json KW_AUDIT=1 | jq -r .KW_JOB_ID; done
}
# not_once IDS JUDGED: each id of IDS (lines) that JUDGED (lines) does not hold exactly once.
not_once() {
        awk 'NR == FNR { n[$1]++; next } $1 != "" && n[$1] != 1 { print $1 " judged " (n[$1] + 0) " times" }' \
                <(printf '%s\n' "$2") <(printf '%s\n' "$1")
}
# submit_all P N PARALLEL TIMEOUT: the jobs $work/P1..PN.json through Redis, PARALLEL at once, each
# waiting up to TIMEOUT s; answers in $work/PI.out, .err, .rc.
submit_all() {
        seq "$2" | xargs -P "$3" -I{} sh -c \
                '"$0" submit --redis "$1" --redis-timeout-sec "$3" "$2/$4{}.json" >"$2/$4{}.out" 2>"$2/$4{}.err"; echo $? >"$2/$4{}.rc"' \
                "$kwctl" "$url" "$work" "$4" "$1"
}
# accepted P N: how many of the jobs $work/P1..PN were answered "accepted" (exit 0).
accepted() {
        local i n=0
        for i in $(seq "$2"); do
                [ "$(cat "$work/$1$i.rc" 2>/dev/null)" = 0 ] && jq -e '.verdict == "accepted"' "$work/$1$i.out" >/dev/null 2>&1 &&
                        n=$((n + 1))
        done
        echo "$n"
}
job_ids() { cat "$work/$1"[0-9]*.out | jq -r .job_id; } # job_ids P: of the answers $work/P1..PN.out
count() { printf '%s\n' "$1" | grep -c .; }                # count LINES: how many, not empty
distinct() { printf '%s\n' "$1" | grep . | sort -u | wc -l; } # distinct LINES: how many different
connects() { box "$1" journalctl -q --no-pager -u kwd -o cat | grep -c "Redis writer connected"; }

cp -r "$top/policy" "$work/policy"
policy_dir=$work/policy
max_jobs=$(policy_value max_jobs)
slots=$((2 * max_jobs)) # jobs both workers judge at once
printf '%s\n' "$url" >"$work/url"
chmod 600 "$work/url"
start_redis || exit 1
start_worker a && start_worker b
check "two workers up" 'box a systemctl is-active -q kwd && box b systemctl is-active -q kwd' \
        'echo "a: $(box a systemctl is-active kwd), b: $(box b systemctl is-active kwd)"'

# ---- 500 jobs, each judged exactly once ----
n_many=500
for i in $(seq $n_many); do
        job "print(int(input()) + $i)" python "{\"test_cases\":[{\"input\":\"1\",\"expected\":\"$((i + 1))\"}]}" >"$work/j$i.json"
done
submit_all j $n_many 50 300
check "$n_many jobs through Redis, all judged right" '[ "$(accepted j $n_many)" = $n_many ]' \
        'echo "$(accepted j $n_many) of $n_many; $(cat "$work"/j*.err | sort | uniq -c | head -3)"'
ids=$(job_ids j)
judged=$(audited)
check "each judged exactly once, by one worker" \
        '[ "$(distinct "$ids")" = $n_many ] && [ "$(count "$judged")" = $n_many ] && [ -z "$(not_once "$ids" "$judged")" ]' \
        'echo "$(distinct "$ids") distinct ids, $(count "$judged") audit entries"; not_once "$ids" "$judged" | head -3'
check "both workers took part" '[ "$(count "$(audited a)")" -gt 0 ] && [ "$(count "$(audited b)")" -gt 0 ]' \
        'echo "a judged $(count "$(audited a)"), b $(count "$(audited b)")"'

# ---- the example backend, as the web backend would use kw ----
hello=$top/examples/hello-python.json
n_hello=$(jq '.test_cases | length' "$hello")
/usr/bin/python3 "$top/examples/backend.py" "$url" "$hello" >"$work/backend.out" 2>"$work/backend.err"; rc=$?
check "examples/backend.py enqueues and reads its result" \
        '[ "$rc" = 0 ] && jq -e ".status == \"success\" and (.test_results | length) == $n_hello" "$work/backend.out" >/dev/null' \
        'echo "exit $rc: $(head -c 300 "$work/backend.err") $(head -c 300 "$work/backend.out")"'

# ---- malformed messages go to the dead-letter stream; the workers go on ----
rcli XADD kw:jobs '*' foo bar >/dev/null
rcli XADD kw:jobs '*' id 0123456789abcdef0123456789abcdef job 'not json' >/dev/null
rcli XADD kw:jobs '*' id not-an-id job '{"code":"print(1)","language":"python"}' >/dev/null
rcli XADD kw:jobs '*' id fedcba9876543210fedcba9876543210 job '{"code":"x","language":"cobol"}' >/dev/null
"$kwctl" submit --redis "$url" --redis-timeout-sec 60 "$work/j1.json" >"$work/dead.out" 2>"$work/dead.err"; rc=$?
reasons=$(rcli --raw XRANGE kw:jobs:dead - + | grep -A1 '^reason$' | grep -v '^reason$' | grep -v '^--$')
check "malformed messages dead-lettered with their reason" \
        'printf "%s" "$reasons" | grep -q "no field .job." && printf "%s" "$reasons" | grep -q "not valid JSON" &&
         printf "%s" "$reasons" | grep -q "32 lowercase hex" && printf "%s" "$reasons" | grep -q "unknown language" &&
         [ "$rc" = 0 ]' \
        'echo "reasons: $reasons; next job exit $rc"'
# The languages kwd knows: the policy's, in its (alphabetical) order.
known=$(ls "$work/policy/languages" | sed -n 's/\.conf$//p' | paste -sd , - | sed 's/,/, /g')
answer=$(rcli --raw LPOP kw:result:fedcba9876543210fedcba9876543210 | head -1)
check "the submitter of an invalid job hears why" '[ "$answer" = "2 language: unknown language '"'"'cobol'"'"' (known: $known)" ]' \
        'echo "answer: ${answer:-none}"'

# ---- kill -9 of a worker holding jobs: they are judged by the other, none lost, nothing left ----
n_sleepy=$slots # both workers full: the one killed holds its max_jobs
for i in $(seq $n_sleepy); do
        job 'import time; time.sleep(2); print("slept")' python '{"test_cases":[{"input":"","expected":"slept"}]}' \
                >"$work/s$i.json"
done
submit_all s $n_sleepy $n_sleepy 120 &
load=$!
wait_for '[ -n "$(box_running_jobs a)" ]' 60
held=$(box_running_jobs a)
oldpid=$(box a systemctl show -P MainPID kwd.service)
box a systemctl kill -s KILL kwd.service
wait "$load"
# In flight at the kill: a run in box a just before it, and not judged by the killed kwd.
by_dead=$(comm -12 <(printf '%s\n' "$held" | grep . | sort -u) \
        <(box a journalctl -q --no-pager -o json KW_AUDIT=1 _PID="$oldpid" | jq -r .KW_JOB_ID | sort -u))
in_flight=$(comm -23 <(printf '%s\n' "$held" | grep . | sort -u) <(printf '%s\n' "$by_dead"))
echo "     $(count "$in_flight") jobs in flight in box a at the kill"
check "kill -9: the killed worker held jobs in flight" '[ -n "$in_flight" ]' \
        'echo "runs in box a before the kill: $(echo ${held:-none}); of those, judged by the killed kwd: $(echo ${by_dead:-none})"'
check "kill -9: every job judged right" '[ "$(accepted s $n_sleepy)" = $n_sleepy ]' \
        'echo "$(accepted s $n_sleepy) of $n_sleepy; $(cat "$work"/s*.err | sort | uniq -c | head -3)"'
judged=$(audited)
check "kill -9: the jobs it held judged once, by the other worker" \
        '[ -n "$in_flight" ] && [ -z "$(not_once "$in_flight" "$judged")" ] && [ -z "$(not_once "$in_flight" "$(audited b)")" ] &&
         [ -z "$(comm -23 <(printf "%s\n" "$in_flight") <(job_ids s | sort))" ]' \
        'echo "in flight: $(echo ${in_flight:-none})"; not_once "$in_flight" "$judged"; not_once "$in_flight" "$(audited b)" | sed "s/^/by b: /"'
# Only once PID 1 has seen the old kwd die: else `systemctl start` finds it still "active".
wait_for '[ "$(box a systemctl show -P MainPID kwd.service)" != "$oldpid" ]'
box a systemctl start kwd.service
check "kill -9: the killed worker, restarted, left nothing behind" 'wait_for "[ -z \"\$(box_leftovers a)\" ]" 60' \
        'box_leftovers a'

# ---- Redis restarted with jobs in flight: each judged once ----
n_restart=$((3 * slots)) # a round of runs going, two more waiting in the stream
for i in $(seq $n_restart); do
        job "import time; time.sleep(2); print($i)" python "{\"test_cases\":[{\"input\":\"\",\"expected\":\"$i\"}]}" \
                >"$work/r$i.json"
done
connects_a=$(connects a) connects_b=$(connects b)
submit_all r $n_restart $n_restart 180 &
load=$!
wait_for '[ -n "$(box_running_jobs a)$(box_running_jobs b)" ]' 60
stop_redis
# Redis is down: a job with a run now was taken before the stop and cannot have been answered.
in_flight=$(box_running_jobs a; box_running_jobs b)
start_redis
wait "$load"
echo "     $(count "$in_flight") jobs had a run while Redis was down"
check "Redis restarted: jobs were in flight at the restart" '[ -n "$in_flight" ]' \
        'echo "no run in either box while Redis was down"'
check "Redis restarted: every job judged right" '[ "$(accepted r $n_restart)" = $n_restart ]' \
        'echo "$(accepted r $n_restart) of $n_restart; $(cat "$work"/r*.err | sort | uniq -c | head -3)"'
ids=$(job_ids r)
judged=$(audited)
check "Redis restarted: each judged once, those in flight too" \
        '[ "$(distinct "$ids")" = $n_restart ] && [ -z "$(not_once "$ids" "$judged")" ] &&
         [ -z "$(comm -23 <(printf "%s\n" "$in_flight" | sort) <(printf "%s\n" "$ids" | sort))" ]' \
        'echo "$(distinct "$ids") answers; in flight: $(echo $in_flight)"; not_once "$ids" "$judged" | head -5'
check "both workers reconnected" 'wait_for "[ \"\$(connects a)\" -gt $connects_a ] && [ \"\$(connects b)\" -gt $connects_b ]" 60' \
        'for b in a b; do box $b journalctl -q --no-pager -u kwd -o cat | grep Redis | tail -3 | sed "s/^/$b: /"; done'
check "nothing left in either box" 'wait_for "[ -z \"\$(box_leftovers a)\$(box_leftovers b)\" ]" 60' \
        'box_leftovers a | sed "s/^/a: /"; box_leftovers b | sed "s/^/b: /"'

# ---- AUTH and secrets ----
"$kwctl" submit --redis "redis://:wrong@127.0.0.1:$port" "$work/j1.json" >/dev/null 2>"$work/auth.err"; rc=$?
check "a wrong password is a clear error" \
        '[ "$rc" = 3 ] && grep -q "refused us" "$work/auth.err" && ! grep -q wrong "$work/auth.err"' \
        'echo "exit $rc: $(cat "$work/auth.err")"'
leaks=0
for b in a b; do leaks=$((leaks + $(box "$b" journalctl -q --no-pager -o cat | grep -c -- "$password"))); done
leaks=$((leaks + $(cat "$work"/*.err | grep -c -- "$password")))
check "the URL's secret appears in no log" '[ "$leaks" = 0 ]' 'echo "$leaks lines"'

summary redis
