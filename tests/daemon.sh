#!/usr/bin/env bash
# Tests of kwd as a systemd service, against the real systemd of this machine (or of the box
# scripts/systemd.sh starts): its units installed into /run/systemd/system and started with
# systemctl; results equal to kwctl's direct ones; 50 concurrent jobs; "busy" beyond the queue;
# reload mid-load; kill -9 mid-load and restart with nothing left; clean stop; a client that goes
# away; access by socket permissions; audit entries and stats; and, uninstalled, nothing left of it.
# Prints "N passed, M failed".
#   tests/daemon.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

# The suite's account of what kwd judged: every job id an answer gave (the audit check wants an
# entry for each), and the jobs since kwd last started, with those that did not end accepted or
# wrong_answer (stats.c's errors; the stats check wants kwd's counts to be these).
judged_ids=()
since_start=0 since_start_errors=0
judged_verdict() { # judged_verdict VERDICT: one more job judged since kwd started
        since_start=$((since_start + 1))
        case "$1" in accepted | wrong_answer) ;; *) since_start_errors=$((since_start_errors + 1)) ;; esac
}
judged() { # judged FILE...: kwctl submit's answers, one job kwd judged each
        local f id
        for f in "$@"; do
                id=$(jq -r '.job_id // empty' "$f" 2>/dev/null)
                judged_ids+=("${id:-"(no job id in $f)"}")
                judged_verdict "$(jq -r '.verdict // empty' "$f" 2>/dev/null)"
        done
}
kwd_started() { since_start=0 since_start_errors=0; } # a new kwd: its stats begin again
# Microseconds of the wall clock, to bound what kwd measured within a command's time.
now_usec() { echo "${EPOCHREALTIME/[.,]/}"; }

# ---- install, verify, start ----
# What the suite must leave as it is now, checked at its end.
state_before=$(kw_state)
kwd_install
check "systemd-analyze verify on every unit" \
        'systemd-analyze verify "$unit_dir/kwd.service" "$unit_dir/kwd.socket" "$unit_dir/kw.slice" >"$work/verify" 2>&1' \
        'cat "$work/verify"'
systemctl start kwd.socket
check "kwd.socket listening" 'systemctl is-active -q kwd.socket && [ -S /run/kwd.sock ]' 'echo not active'

# ---- the same result either way ----
"$kwctl" submit "$top/examples/hello-python.json" >"$work/via-kwd" 2>"$work/err"; rc_kwd=$?
judged "$work/via-kwd"
"$kwctl" submit --direct --policy "$top/policy" "$top/examples/hello-python.json" >"$work/direct" 2>>"$work/err"; rc_direct=$?
normalise='del(.job_id) | .test_results |= map(del(.time_ms, .wall_time_ms, .memory_bytes))'
check "kwd and direct give the same result" \
        '[ "$rc_kwd" = "$rc_direct" ] && [ "$(jq -S "$normalise" "$work/via-kwd")" = "$(jq -S "$normalise" "$work/direct")" ]' \
        'echo "exit $rc_kwd vs $rc_direct: $(head -c 300 "$work/via-kwd")"'
check "kwd was socket-activated and is ready" 'systemctl is-active -q kwd.service' 'systemctl status kwd --no-pager | head -5'
check "job output lands in journal namespace kw" \
        'systemctl is-active -q systemd-journald@kw.service && journalctl --namespace=kw -q --no-pager KW_JOB_ID=$(jq -r .job_id "$work/via-kwd") KW_STREAM=stdout | grep -q "Hello, world"' \
        'echo no output in namespace kw'

# ---- progress through kwd: records on a terminal's request only, before the answer ----
# 20 cases, 3 of them expecting a wrong answer.
wrong_cases="1 2 20"
n_wrong=$(wc -w <<<"$wrong_cases")
doubling_job 20 "$wrong_cases" >"$work/twenty.json"
on_tty "$work/progress" "$kwctl" submit "$work/twenty.json"
judged "$work/progress.out"
last=$(grep '^\[' "$work/progress.lines" | tail -1)
check "through kwd, progress on a terminal ends at 20/20 with the verdicts" \
        '[[ "$last" =~ ^"[20/20] $((20 - n_wrong)) accepted, $n_wrong wrong_answer · "[0-9].*" s"$ ]] &&
        [ "$(tail -c 4 "$work/progress.tty" | od -An -c | tr -d " ")" = "\r033[K" ]' \
        'echo "last line: $last"; tail -c 200 "$work/progress.tty" | od -c | tail -4'
# On a pipe kwctl asks the old way ("submit"), as an old client does: an answer with no record first.
"$kwctl" submit "$work/twenty.json" >"$work/twenty.piped" 2>"$work/twenty.err"; rc=$?
judged "$work/twenty.piped"
check "through kwd, the same result; none on a pipe" \
        '[ "$rc" = 0 ] && [ ! -s "$work/twenty.err" ] && [ "$(jq -S "$normalise" "$work/progress.out")" = "$(jq -S "$normalise" "$work/twenty.piped")" ] &&
        [ "$(jq "[.test_results[] | select(.verdict == \"wrong_answer\")] | length" "$work/twenty.piped")" = "$n_wrong" ]' \
        'echo "exit $rc: $(head -c 300 "$work/twenty.err")"; head -c 300 "$work/progress.out"'
on_tty "$work/quiet" "$kwctl" submit --quiet "$work/twenty.json"
judged "$work/quiet.out"
check "through kwd, --quiet silences it on a terminal" '[ ! -s "$work/quiet.tty" ] && jq -e ".test_results | length == 20" "$work/quiet.out" >/dev/null' \
        'od -c "$work/quiet.tty" | head -3'

# ---- warm units: started ahead, taken by jobs with the policy's limits, replaced, renewed on reload ----
units_of() { # the units that ran job $1, from kwd's summaries of its runs
        journalctl --namespace='*' -q --no-pager -o json KW_SUMMARY=1 "KW_JOB_ID=$1" | jq -r .KW_UNIT | sort | tr '\n' ' '
}
# submit NAME CODE [EXTRA]: a Python job through kwd, its result in $work/NAME.out, its units in $units,
# the milliseconds kwctl took (every run's wall time lies within them) in $elapsed_ms.
submit() {
        local t0
        job "$2" python "${3:-{\}}" >"$work/$1.json"
        t0=$(now_usec)
        "$kwctl" submit "$work/$1.json" >"$work/$1.out" 2>&1
        elapsed_ms=$((($(now_usec) - t0) / 1000))
        judged "$work/$1.out"
        units=$(units_of "$(jq -r .job_id "$work/$1.out")")
}
idle_cells() { systemctl list-units --plain --no-legend 'kw-*.service' | grep ' kw cell$' | awk '{print $1}'; }
check "warm cells: the policy's cells waiting" 'wait_for "[ \"\$(warm)\" = $(warm_max) ]"' 'echo "$(warm) of $(warm_max)"'
# They wait a while first: a run timed from its cell's start would take longer than the whole
# submission, which bounds a run timed from the job's start.
sleep 1
waiting=" $(idle_cells | tr '\n' ' ')"
submit warm 'print(input())' '{"test_cases":[{"input":"a","expected":"a"},{"input":"b","expected":"b"}]}'
taken() { # taken UNIT...: each one of the warm cells that waited before the job
        local u
        for u; do [[ "$waiting" == *" $u "* ]] || return 1; done
}
check "a job runs in warm cells started before it, timed from its start" \
        '[ "$(wc -w <<<"$units")" -ge 1 ] && taken $units && jq -e --argjson ms "$elapsed_ms" ".verdict == \"accepted\" and (.test_results | length) == 2 and all(.test_results[]; .wall_time_ms <= \$ms)" "$work/warm.out" >/dev/null' \
        'echo "units $units of waiting$waiting; kwctl took $elapsed_ms ms: $(head -c 400 "$work/warm.out")"'
first_units=$units
submit again 'print(input())' '{"test_cases":[{"input":"c","expected":"c"}]}'
# cell_runs of the next job's run in the cell it ran in: more than one means the cell served before.
cell_run_of() { journalctl --namespace='*' -q --no-pager -o json KW_SUMMARY=1 "KW_JOB_ID=$1" | jq -r .KW_CELL_RUN | head -1; }
again_run=$(cell_run_of "$(jq -r .job_id "$work/again.out")")
check "a cell serves the runs of many jobs, one after another" \
        '[[ "$first_units" == *"$units"* ]] && [ "${again_run:-0}" -gt 1 ] && jq -e ".verdict == \"accepted\"" "$work/again.out" >/dev/null' \
        'echo "first job in $first_units, second in $units, its run $again_run of the cell"'
check "warm cells are kept at the policy's count" 'wait_for "[ \"\$(warm)\" = $(warm_max) ]"' 'echo "$(warm) of $(warm_max)"'
waiting=" $(idle_cells | tr '\n' ' ')"
# A job's own memory limit, a quarter of the policy's, reaches the cell it runs in (SetUnitProperties)
# and is the policy's again for the next job there: the same allocation is killed, then not.
own_memory=$(($(policy_value memory_bytes) / 4))
hog="x = bytearray($((own_memory * 2))); print(len(x) > 0)"
submit own-limits "$hog" "{\"limits\":{\"memory_bytes\":$own_memory},\"test_cases\":[{\"input\":\"\",\"expected\":\"True\"}]}"
own_units=$units
submit policy-limits "$hog" '{"test_cases":[{"input":"","expected":"True"}]}'
check "a job with limits of its own runs in a warm cell set to them, the next one with the policy's" \
        'taken $own_units && [ "$own_units" = "$units" ] && jq -e ".verdict == \"memory_limit_exceeded\"" "$work/own-limits.out" >/dev/null &&
         jq -e ".verdict == \"accepted\"" "$work/policy-limits.out" >/dev/null' \
        'echo "units $own_units then $units, of waiting$waiting: $(head -c 300 "$work/own-limits.out"); then $(head -c 300 "$work/policy-limits.out")"'
old_warm=$(idle_cells)
set_policy wall_time_ms 2000
systemctl reload kwd
check "reload: cells of the old policy stopped, new ones waiting" \
        'wait_for "[ \"\$(warm)\" = $(warm_max) ] && ! systemctl list-units --all --plain --no-legend $(echo $old_warm) | grep -q ."' \
        'echo "$(warm) waiting; old ones: $(systemctl list-units --all --plain --no-legend $old_warm | head -2)"'
limit=$(policy_value wall_time_ms)
submit sleep "import time; time.sleep($((limit / 1000 * 15)))" '{"test_cases":[{"input":"","expected":""}]}'
# Killed at the limit: it ran that long from its start, and no longer than the submission took.
killed_at_limit='.verdict == "time_limit_exceeded" and (.error | contains("wall-clock limit of \($limit) ms")) and
        .test_results[0].wall_time_ms >= $limit and .test_results[0].wall_time_ms <= $ms'
check "a run in a warm cell is killed at the wall-clock limit, counted from its start" \
        '[[ "$units" == kw-cell-* ]] && jq -e --argjson limit "$limit" --argjson ms "$elapsed_ms" "$killed_at_limit" "$work/sleep.out" >/dev/null' \
        'echo "units $units; limit $limit ms, kwctl took $elapsed_ms ms: $(head -c 400 "$work/sleep.out")"'
# cell_runs: a cell serves that many runs, then another takes its place. One warm cell, so that the
# first two jobs (one after the other) have no other to run in.
set_policy cells 1
set_policy cell_runs 2
reload_kwd
# The pool settled first: one cell, up and idle. A job while its replacement was still starting once ran
# in a cell of its own, and the next job in the new warm one.
wait_for '[ "$(cells)" = 1 ] && [ "$(warm)" = 1 ] &&
          [ "$(systemctl list-units --plain --no-legend --state=running "kw-*.service" | grep -c " kw cell$")" = 1 ]'
for i in 1 2 3; do
        submit "worn$i" 'print(input())' '{"test_cases":[{"input":"w","expected":"w"}]}'
        eval "worn${i}_unit=\$units worn${i}_run=\$(cell_run_of \$(jq -r .job_id \"\$work/worn$i.out\"))"
done
check "a cell serves cell_runs runs, then it is replaced" \
        '[ "$worn1_unit" = "$worn2_unit" ] && [ "$worn3_unit" != "$worn1_unit" ] && [ "$worn1_run $worn2_run $worn3_run" = "1 2 1" ] &&
         wait_for "! systemctl list-units --all --plain --no-legend $worn1_unit | grep -q ."' \
        'echo "runs in $worn1_unit($worn1_run) $worn2_unit($worn2_run) $worn3_unit($worn3_run)"'
cp "$top/policy/limits.conf" "$work/policy/limits.conf"
reload_kwd
# The memory figure is the cell's cgroup peak, reset for every run: 40 MiB written to /tmp (a tmpfs,
# charged to the cgroup, in no process's resident set) count for that run and not for the next
# one in the same cell.
fill=$((40 << 20))
submit peak "open('/tmp/fill', 'wb').write(b'x' * $fill); print('ok')" '{"test_cases":[{"input":"","expected":"ok"}]}'
peak_unit=$units peak=$(jq '.test_results[0].memory_bytes // 0' "$work/peak.out")
submit after-peak 'print("ok")' '{"test_cases":[{"input":"","expected":"ok"}]}'
after=$(jq '.test_results[0].memory_bytes // 0' "$work/after-peak.out")
check "memory: the cgroup's peak of each run, reset between runs in one cell" \
        '[ "$peak_unit" = "$units" ] && [ "$peak" -ge "$fill" ] && [ "$after" -gt 0 ] && [ "$after" -lt "$fill" ]' \
        'echo "in $peak_unit: $peak bytes, then in $units: $after bytes (filled $fill)"'

# ---- 50 concurrent jobs, all judged correctly ----
for i in $(seq 50); do
        job "import sys; n = int(sys.stdin.read()); print(n * $i)" python \
                "{\"test_cases\":[{\"input\":\"2\",\"expected\":\"$((2 * i))\"},{\"input\":\"3\",\"expected\":\"$((3 * i))\"}]}" >"$work/c$i.json"
done
seq 50 | xargs -P 50 -I{} sh -c '"$0" submit "$1/c{}.json" >"$1/c{}.out" 2>"$1/c{}.err"; echo $? >"$1/c{}.rc"' "$kwctl" "$work"
good=0
for i in $(seq 50); do
        judged "$work/c$i.out"
        [ "$(cat "$work/c$i.rc")" = 0 ] && jq -e '.verdict == "accepted" and (.test_results | length) == 2' "$work/c$i.out" >/dev/null && good=$((good + 1))
done
check "50 concurrent jobs all judged correctly" '[ "$good" = 50 ]' 'echo "$good of 50"'

# ---- overload: busy beyond the queue; reload mid-load keeps every job ----
set_policy max_jobs 1
set_policy max_queued_jobs 2
reload_kwd
# daemon.c runs a job while fewer than max_jobs run, queues it while fewer than max_queued_jobs wait,
# and tells it busy beyond. n jobs at once: the first one's sleep outlasts the others' arrival.
max_jobs=$(policy_value max_jobs) max_queued=$(policy_value max_queued_jobs)
n=8
admitted=$((max_jobs + max_queued))
sleepy=$(job 'import time; time.sleep(3); print("done")' python '{"test_cases":[{"input":"","expected":"done"}]}')
printf '%s' "$sleepy" >"$work/sleepy.json"
busy_before=$("$kwctl" stats | jq .busy)
for i in $(seq "$n"); do
        ( "$kwctl" submit "$work/sleepy.json" >"$work/o$i.out" 2>"$work/o$i.err"; echo $? >"$work/o$i.rc" ) &
done
full='.in_flight == $running and .queued == $queued and .busy == $busy'
loaded() {
        "$kwctl" stats >"$work/load" 2>&1 && jq -e --argjson running "$max_jobs" --argjson queued "$max_queued" \
                --argjson busy $((busy_before + n - admitted)) "$full" "$work/load" >/dev/null
}
wait_for loaded; loaded_rc=$?
# Reload mid-load with the policy's bounds: the running and queued jobs go on, and one job more,
# told busy under the old bounds, is taken.
cp "$top/policy/limits.conf" "$work/policy/limits.conf"
reload_kwd
"$kwctl" submit "$work/sleepy.json" >"$work/more.out" 2>"$work/more.err"; rc=$?
[ "$rc" = 4 ] || judged "$work/more.out"
wait
busy=0; done_ok=0
for i in $(seq "$n"); do
        rc_i=$(cat "$work/o$i.rc")
        if [ "$rc_i" = 4 ]; then
                grep -q "kwd is busy: $max_jobs jobs running, $max_queued queued" "$work/o$i.err" && busy=$((busy + 1))
                continue
        fi
        judged "$work/o$i.out"
        [ "$rc_i" = 0 ] && jq -e '.verdict == "accepted"' "$work/o$i.out" >/dev/null && done_ok=$((done_ok + 1))
done
check "overload: max_jobs running, max_queued_jobs queued, the rest told busy (exit 4)" \
        '[ "$loaded_rc" = 0 ] && [ "$busy" = $((n - admitted)) ]' \
        '[ "$loaded_rc" = 0 ] || echo "kwd never had $max_jobs running, $max_queued queued, $((n - admitted)) more told busy: $(jq -c "{in_flight, queued, busy}" "$work/load") with busy $busy_before before"
         echo "of $n: $busy told busy, expected $((n - admitted))"; cat "$work"/o*.err | sort | uniq -c'
check "reload mid-load: kwd stayed up, every job it had taken finished" \
        'systemctl is-active -q kwd && [ "$done_ok" = "$admitted" ]' 'echo "$done_ok of $admitted accepted"'
check "after the reload the new bounds hold" '[ "$rc" = 0 ] && jq -e ".verdict == \"accepted\"" "$work/more.out" >/dev/null' \
        'echo "exit $rc: $(head -c 200 "$work/more.out") $(cat "$work/more.err")"'

# ---- a client that goes away: its runs are stopped ----
long=$(job 'import time; time.sleep(50)' python '{"test_cases":[{"input":"","expected":""},{"input":"","expected":""}]}')
printf '%s' "$long" >"$work/long.json"
"$kwctl" submit "$work/long.json" >/dev/null 2>&1 &
cpid=$!
wait_for '[ "$(runs)" = 2 ]'; up=$?
slice=$(systemctl show -P Slice $(busy_cells | head -1))
check "cells live in kw.slice" '[ "$slice" = kw.slice ]' 'echo "slice $slice"'
kill -9 "$cpid"; wait "$cpid" 2>/dev/null
check "client gone: its runs stopped, nothing left" '[ "$up" = 0 ] && wait_for "[ \"\$(leftovers)\" = 0 ]"' \
        'echo "its runs started: $((up == 0))"; leftovers_list'

# ---- systemctl stop mid-job: the client is told, nothing left ----
"$kwctl" submit "$work/long.json" >"$work/stop.out" 2>"$work/stop.err" &
cpid=$!
wait_for '[ "$(runs)" = 2 ]'; up=$?
systemctl stop kwd.service
wait "$cpid"; rc=$?
judged "$work/stop.out"
kwd_started # the next one, socket-activated, counts from nothing
# kwd stopped: any warm unit is one left behind too (leftovers_list).
check "stop mid-job: client told, units stopped, warm ones too" \
        '[ "$up" = 0 ] && [ "$rc" = 3 ] && jq -e ".verdict == \"internal_error\" and (.error | contains(\"kwd was stopped\"))" "$work/stop.out" >/dev/null && [ "$(leftovers)" = 0 ]' \
        'echo "its runs started: $((up == 0)); exit $rc: $(head -c 200 "$work/stop.out")"; leftovers_list'

# ---- kill -9 mid-load: every client gets an error; after restart nothing is left ----
clients=6
for i in $(seq "$clients"); do
        ( "$kwctl" submit "$work/long.json" >"$work/k$i.out" 2>"$work/k$i.err"; echo $? >"$work/k$i.rc" ) &
done
# Two runs each of as many jobs as kwd runs at once.
running=$(($(policy_value max_jobs) < clients ? $(policy_value max_jobs) : clients))
wait_for '[ "$(runs)" -ge $((running * 2)) ]'; loaded=$?
# The units kwd had running when it was killed: its successor must stop each one.
held=$(busy_cells)
oldpid=$(systemctl show -P MainPID kwd.service)
systemctl kill -s KILL kwd.service
wait
# The clients can see the hang-up before PID 1 has reaped kwd; `systemctl start` would then find the
# old kwd still "active" and do nothing.
wait_for '[ "$(systemctl show -P MainPID kwd.service)" != "$oldpid" ]'
errors=0
for i in $(seq "$clients"); do
        [ "$(cat "$work/k$i.rc")" = 3 ] && grep -q "kwd closed the connection" "$work/k$i.err" && errors=$((errors + 1))
done
check "kill -9 mid-load: every client gets an error" '[ "$errors" = "$clients" ]' 'echo "$errors of $clients"'
systemctl start kwd.service
kwd_started
# Its cells end by themselves once kwd's end of their sockets is gone; its successor stops any left,
# and systemd collects them (CollectMode=) from its own loop, a moment after: the idle ones too, which
# the check waits for with the rest of what must not be left.
check "restart after kill -9: the cells it held stopped, nothing left" \
        '[ "$loaded" = 0 ] && [ -n "$held" ] && wait_for "! systemctl list-units --all --plain --no-legend $(echo $held) | grep -q ." &&
         wait_for "[ \"\$(leftovers)\" = 0 ]"' \
        'echo "load reached: $((loaded == 0)), units held: $held"; systemctl list-units --all --plain --no-legend $held; leftovers_list'
"$kwctl" submit "$top/examples/hello-python.json" >"$work/after" 2>&1; rc=$?
judged "$work/after"
check "and it judges again" '[ "$rc" = 0 ]' 'echo "exit $rc"'

# ---- kwd's start stops its predecessor's cells only: kwctl --direct's are in no slice of kwd's ----
job 'import time; time.sleep(6); print("slept")' python >"$work/sleepy.json"
"$kwctl" submit --direct --policy "$policy_dir" "$work/sleepy.json" >"$work/direct.out" 2>"$work/direct.err" &
dpid=$!
wait_for '[ "$(runs)" -ge 1 ]'; direct_running=$?
systemctl restart kwd.service
kwd_started
# Still running once the new kwd is up, so that its start did meet the job's cell.
[ "$(runs)" -ge 1 ]; still=$?
wait "$dpid"; rc=$?
check "kwd's restart leaves a running kwctl --direct job alone: judged, not stopped" \
        '[ "$direct_running" = 0 ] && [ "$still" = 0 ] && [ "$rc" = 0 ] && jq -e ".verdict == \"accepted\" and .output == \"slept\n\"" "$work/direct.out" >/dev/null' \
        'echo "running before: $((direct_running == 0)), after the restart: $((still == 0)), exit $rc"; head -c 300 "$work/direct.out" "$work/direct.err"'

# ---- slow and unfinished clients: a request timeout, a bound on what they hold, a connection cap ----
slow() { python3 "$top/tests/slow-clients.py" /run/kwd.sock "$@"; }
set_policy request_timeout_ms 1000
reload_kwd
slow 1 10 5 >"$work/slow"
check "a request not finished within request_timeout_ms is answered and dropped" \
        '[ "$(cat "$work/slow")" = "2 request: not complete within $(policy_value request_timeout_ms) ms" ]' 'cat "$work/slow"'
# Clients each sending 8 MiB and never finishing: what kwd holds for them stays under the bound.
set_policy request_timeout_ms 20000
set_policy max_reading_bytes 16M
reload_kwd
max_reading=$(numfmt --from=iec "$(policy_value max_reading_bytes)")
readers=48 request=$((8 << 20))
hwm() { awk '/^VmHWM/ { print $2 * 1024 }' "/proc/$(systemctl show -P MainPID kwd.service)/status"; }
hwm_before=$(hwm)
slow "$readers" "$request" 30 >"$work/slow"
growth=$(($(hwm) - hwm_before))
echo "     $readers unfinished $((request >> 20)) MiB requests: kwd's peak RSS grew by $((growth >> 20)) MiB; $(grep -c "kwd is busy" "$work/slow") told busy"
# Under AddressSanitizer freed memory waits in its quarantine (256 MiB) instead of being reused, so
# the peak there says nothing of what kwd holds: the sanitized run checks the answers only.
[ -n "${KW_SANITIZED:-}" ] && growth=0
check "unfinished requests hold at most max_reading_bytes; the rest are told busy" \
        '[ "$growth" -lt $((max_reading + (32 << 20))) ] && [ "$(grep -c "^4 kwd is busy receiving other requests" "$work/slow")" -ge $((readers - max_reading / request)) ]' \
        'echo "grew by $growth bytes"; sort "$work/slow" | uniq -c'
# A client that does not take its answer (4 MiB) is dropped after request_timeout_ms as well.
set_policy request_timeout_ms 2000
reload_kwd
big='import sys; sys.stdout.write("x" * 4194304)'
job "$big" python '{"test_cases":[{"input":"","expected":""}]}' >"$work/big.json"
# journalctl --after-cursor skips the first entry after the cursor when the cursor's own entry does
# not match the query (systemd 252): the cursor is of kwd's entries, as are both queries.
cursor=$(cursor -u kwd.service)
slow noread "$work/big.json" 8 >"$work/slow"
check "a client that does not take its answer is dropped after request_timeout_ms" \
        '[ "$(cat "$work/slow")" = dropped ] && journalctl -u kwd.service -q --no-pager --after-cursor="$cursor" | grep -q "did not take its answer within $(policy_value request_timeout_ms) ms"' \
        'cat "$work/slow"'
# Its answer was never read: its id and verdict are in its audit entry, found by its code.
journalctl -u kwd.service -q --no-pager -o json --after-cursor="$cursor" |
        jq -c --arg sha "$(printf '%s' "$big" | sha256sum | cut -d' ' -f1)" 'select(.KW_AUDIT == "1" and .KW_CODE_SHA256 == $sha)' >"$work/big.audit"
id=$(jq -r .KW_JOB_ID "$work/big.audit" | head -1)
judged_ids+=("${id:-"(no audit entry of the job whose answer was not taken)"}")
judged_verdict "$(jq -r .KW_VERDICT "$work/big.audit" | head -1)"
set_policy max_connections 4
set_policy request_timeout_ms 3000
reload_kwd
slow "$(policy_value max_connections)" 0 10 >"$work/slow" &
slow_pid=$!
# Connections kwd has taken (the backlog's are not yet its).
established() { ss -xHp state established src /run/kwd.sock | grep -c "pid=$(systemctl show -P MainPID kwd.service),"; }
wait_for '[ "$(established)" -ge "$(policy_value max_connections)" ]'
"$kwctl" submit "$top/examples/hello-python.json" >"$work/cap.out" 2>"$work/cap.err"; rc=$?
[ "$rc" = 4 ] || judged "$work/cap.out"
check "beyond max_connections a client is told busy at once" '[ "$rc" = 4 ] && grep -q "too many clients connected" "$work/cap.err"' \
        'echo "exit $rc: $(cat "$work/cap.err"); established: $(established)"; journalctl -u kwd.service -n 4 -q --no-pager'
wait "$slow_pid"
"$kwctl" submit "$work/c1.json" >"$work/again.out" 2>&1; rc=$?
judged "$work/again.out"
check "once they are gone, jobs are taken again" '[ "$rc" = 0 ] && jq -e ".verdict == \"accepted\"" "$work/again.out" >/dev/null' \
        'echo "exit $rc: $(head -c 200 "$work/again.out")"'
cp "$top/policy/limits.conf" "$work/policy/limits.conf"
reload_kwd

# ---- access: decided by the socket's permissions ----
setpriv --reuid=65534 --regid=65534 --clear-groups "$kwctl" submit "$top/examples/hello-python.json" >"$work/nobody.out" 2>"$work/nobody.err"; rc=$?
check "a peer the socket refuses gets a clear error" '[ "$rc" = 3 ] && grep -q "Permission denied on kwd.s socket" "$work/nobody.err"' \
        'echo "exit $rc: $(cat "$work/nobody.err")"'

# ---- audit: one complete entry per judged job ----
# Every job of the suite's that kwd judged and whose id the suite knows (jobs whose client went away,
# or that died with kwd, have none).
missing=()
for id in "${judged_ids[@]}"; do
        journalctl -q --no-pager -o json KW_AUDIT=1 "KW_JOB_ID=$id" | jq -se 'length == 1 and (.[0] |
                (.KW_SUBMITTER_UID == "0") and (.KW_SUBMITTER_PID | test("^[0-9]+$")) and (.KW_CODE_SHA256 | test("^[0-9a-f]{64}$")) and
                .KW_LANGUAGE == "python" and (.KW_VERDICTS | length > 0) and .KW_VERDICT != null and (.KW_CPU_USEC | test("^[0-9]+$")) and
                (.KW_MEMORY_PEAK_BYTES | test("^[0-9]+$")) and has("KW_LIMITS_HIT") and has("KW_SECURITY_EVENTS"))' >/dev/null || missing+=("$id")
done
check "audit: a complete entry for every job" '[ "${#judged_ids[@]}" -gt 0 ] && [ "${#missing[@]}" = 0 ]' \
        'echo "${#missing[@]} of ${#judged_ids[@]} jobs without one: ${missing[*]:0:3}"'
# The story of hello-python's job: its acceptance, each run's output and summary (with its cell and
# its number there), and its audit entry.
id=$(jq -r .job_id "$work/via-kwd")
cases=$(jq '.test_cases | length' "$top/examples/hello-python.json")
journalctl --namespace='*' -q --no-pager -o json "KW_JOB_ID=$id" >"$work/story"
story='(map(select(.MESSAGE | strings | test("^kw job [0-9a-f]+ accepted from "))) | length) == 1 and
        (map(select(.KW_STREAM == "stdout")) | length) == $runs and
        (map(select(.KW_SUMMARY == "1" and (.KW_UNIT | test("^kw-cell-[0-9a-f]+[.]service$")) and
                (.KW_CELL_RUN | test("^[1-9][0-9]*$")))) | length) == $runs and (map(select(.KW_AUDIT == "1")) | length) == 1'
check "journalctl KW_JOB_ID=<id> tells the job's story" 'jq -se --argjson runs "$cases" "$story" "$work/story" >/dev/null' \
        'jq -r ".MESSAGE | tostring | .[0:100]" "$work/story"'
# Each kind of kill told apart, in the audit entry (limit hit, security event) and in the stats (its
# own counter up by one, no other): a CPU-time kill is no wall-clock timeout, and kw's own wall-clock
# timer counts as one.
kill_kind() { # kill_kind NAME CODE LIMITS-JSON VERDICT LIMIT EVENT COUNTER [JQ-ON-THE-RESULT]
        local name=$1 verdict=$4 limit=$5 event=$6 counter=$7 extra=${8:-true} # seen by check's eval
        "$kwctl" stats >"$work/$name.before" 2>&1
        submit "$name" "$2" "{\"limits\":$3}"
        "$kwctl" stats >"$work/$name.after" 2>&1
        id=$(jq -r .job_id "$work/$name.out")
        journalctl -q --no-pager -o json KW_AUDIT=1 "KW_JOB_ID=$id" >"$work/$name.audit"
        check "audit: a $event is told apart" \
                'jq -e --arg v "$verdict" ".verdict == \$v and ($extra)" "$work/$name.out" >/dev/null &&
                 jq -se --arg l "${limit:+0:$limit}" --arg e "0:$event" "length == 1 and .[0].KW_LIMITS_HIT == \$l and .[0].KW_SECURITY_EVENTS == \$e and .[0].PRIORITY == \"4\"" "$work/$name.audit" >/dev/null' \
                'head -c 300 "$work/$name.out"; echo; jq -c "{KW_LIMITS_HIT, KW_SECURITY_EVENTS, PRIORITY}" "$work/$name.audit"'
        check "kwctl stats: a $event counted as $counter alone" \
                'jq -ne --slurpfile b "$work/$name.before" --slurpfile a "$work/$name.after" --arg k "$counter" \
                        "\$b[0].security as \$x | \$a[0].security as \$y | \$x | keys | all(. as \$key | \$y[\$key] - \$x[\$key] == (if \$key == \$k then 1 else 0 end))" >/dev/null' \
                'jq -c .security "$work/$name.before" "$work/$name.after"'
}
kill_kind seccomp 'import ctypes; ctypes.CDLL(None).mount(b"none", b"/tmp", b"tmpfs", 0, None)' '{}' killed_by_signal "" \
        seccomp-violation seccomp_violations '.signal == "SIGSYS"'
kill_kind cpu-kill 'while True: pass' '{"time_ms":1000}' time_limit_exceeded cpu-time cpu-timeout cpu_timeouts
# kw's timer, not systemd's backstop (RuntimeMaxSec=, COLD_SETUP_USEC = 30 s later in run.c).
kill_kind wall-kill 'import time; time.sleep(60)' '{"wall_time_ms":1000}' time_limit_exceeded wall-time wall-timeout \
        wall_timeouts '.wall_time_ms >= 1000 and .wall_time_ms < 1000 + 30000'
kill_kind oom-kill 'b = bytearray(512 << 20)' '{"memory_bytes":67108864}' memory_limit_exceeded memory oom-kill oom_kills

# ---- stats ----
# Of the jobs judged since kwd last started; error_rate is their share not ending accepted or
# wrong_answer, printed to four places.
"$kwctl" stats >"$work/stats" 2>&1; rc=$?
stats='.jobs == $jobs and (.error_rate * 10000 | round) == ($errors * 10000 / $jobs | round) and
        .runs_by_verdict.killed_by_signal >= 1 and .security.seccomp_violations >= 1 and
        .run_time_ms.p50 > 0 and .run_time_ms.p95 >= .run_time_ms.p50 and .memory_peak_bytes.max > 0 and .in_flight == 0 and .queued == 0'
check "kwctl stats" '[ "$rc" = 0 ] && jq -e --argjson jobs "$since_start" --argjson errors "$since_start_errors" "$stats" "$work/stats" >/dev/null' \
        'echo "expected $since_start jobs, $since_start_errors errors: $(cat "$work/stats")"'

# A sanitized kwd (test.sh runs this file with build-asan too) reports into its journal.
check "no sanitizer report from kwd" '! journalctl -q --no-pager -u kwd.service | grep -qE "AddressSanitizer|LeakSanitizer|runtime error:"' \
        'journalctl -q --no-pager -u kwd.service | grep -E -m3 "AddressSanitizer|LeakSanitizer|runtime error:"'

# ---- uninstalled: the machine as the suite found it ----
"$top/scripts/kwd-dev.sh" uninstall
check "uninstalled: no unit, drop-in, socket or run directory of the suite's left" '[ "$(kw_state)" = "$state_before" ]' \
        'diff <(echo "$state_before") <(kw_state)'

summary daemon
