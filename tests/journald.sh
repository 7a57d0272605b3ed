#!/usr/bin/env bash
# kwd while journald comes and goes, against the real systemd and journald of this machine (or of the
# box scripts/systemd.sh starts): the output namespace's journald@kw exiting when idle (its timeout
# measured here), a silent run outlasting it, journald@kw restarted and killed, the main journald
# restarted and killed, bursts of jobs across a restart and a kill, and jobs arriving at random gaps
# of 0-45 s (KW_SOAK_SECONDS, default 150). Every job is judged right, or at worst (a journald killed
# under a job) ends internal_error naming the journal; none hangs, nothing is left behind.
# Prints "N passed, M failed".
#   tests/journald.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

ns=systemd-journald@kw.service
hello=$top/examples/hello-python.json
# A job's result without what differs from run to run.
normalise='del(.job_id) | .test_results |= map(del(.time_ms, .wall_time_ms, .memory_bytes))'
# judge NAME [JOB]: submit JOB (hello-python by default) through kwd; its result in $work/NAME.out
# and exit status in $work/NAME.rc, at most 120 s (a hang is exit 124).
judge() {
        timeout 120 "$kwctl" submit "${2:-$hello}" >"$work/$1.out" 2>"$work/$1.err"
        echo $? >"$work/$1.rc"
}
# right NAME: judged as hello-python was at the start, with its audit entry in the system journal.
right() {
        [ "$(cat "$work/$1.rc")" = 0 ] && [ "$(jq -S "$normalise" "$work/$1.out")" = "$reference" ] &&
                journalctl -q --no-pager -o json KW_AUDIT=1 "KW_JOB_ID=$(jq -r .job_id "$work/$1.out")" |
                jq -se 'length == 1 and .[0].KW_VERDICT == "wrong_answer"' >/dev/null
}
what() { echo "exit $(cat "$work/$1.rc"): $(head -c 300 "$work/$1.out") $(head -c 200 "$work/$1.err")"; }
# CLOCK_MONOTONIC (µs) of the newest entry sent to the output namespace (not journald@kw's own), and
# of journald@kw's last exit.
last_entry_usec() { journalctl --namespace=kw -q --no-pager -n 1 -o json _TRANSPORT=journal | jq -r .__MONOTONIC_TIMESTAMP; }
exit_usec() { systemctl show -P InactiveEnterTimestampMonotonic "$ns"; }
main_pid() { systemctl show -P MainPID "$1"; }

kwd_install
systemctl start kwd.socket
judge first
reference=$(jq -S "$normalise" "$work/first.out")
check "a first job is judged" '[ "$(cat "$work/first.rc")" = 0 ] && jq -e ".verdict == \"wrong_answer\"" "$work/first.out" >/dev/null' 'what first'

# ---- journald@kw exits when idle: measured, then a job after it ----
check "journald@kw exits when idle, its sockets stay" \
        'wait_for "! systemctl is-active -q $ns" 120 && systemctl is-active -q systemd-journald@kw.socket systemd-journald-varlink@kw.socket' \
        'systemctl is-active $ns systemd-journald@kw.socket systemd-journald-varlink@kw.socket'
idle_ms=$((($(exit_usec) - $(last_entry_usec)) / 1000))
echo "     journald@kw exited $idle_ms ms after the namespace's last entry"
check "its idle timeout measured" '[ "$idle_ms" -gt 1000 ] && [ "$idle_ms" -lt 120000 ]' 'echo "$idle_ms ms"'
judge after-idle
check "a job after kwd was idle past journald@kw's idle timeout" 'right after-idle' 'what after-idle'

# ---- a silent run outlasting that timeout is judged on its own verdict ----
wall_ms=$((idle_ms + 10000))
job 'import time
while True:
    time.sleep(1)' python "{\"limits\":{\"wall_time_ms\":$wall_ms}}" >"$work/silent.json"
judge silent "$work/silent.json" &
silent=$!
wait_for '[ "$(runs)" = 1 ]'
check "journald@kw went idle under the silent run" \
        'systemctl is-active -q $ns && wait_for "! systemctl is-active -q $ns" $((wall_ms / 1000)) && [ "$(runs)" = 1 ]' \
        'systemctl status --no-pager $ns | head -5; echo "runs: $(runs)"'
wait "$silent"
check "the silent run ends time_limit_exceeded at its wall-clock limit" \
        '[ "$(cat "$work/silent.rc")" = 1 ] && jq -e ".verdict == \"time_limit_exceeded\" and (.error | contains(\"wall-clock limit of $wall_ms ms\"))" "$work/silent.out" >/dev/null' \
        'what silent'
judge after-silent
check "and the job after it is judged" 'right after-silent' 'what after-silent'

# ---- journald@kw restarted, killed; the main journald restarted, killed ----
systemctl restart "$ns"
judge after-restart
check "a job after journald@kw was restarted" 'right after-restart' 'what after-restart'
pid=$(main_pid "$ns")
systemctl kill -s KILL "$ns"
wait_for '[ "$(main_pid "$ns")" != "$pid" ]'
judge after-kill
check "a job after journald@kw was killed" 'right after-kill' 'what after-kill'
systemctl restart systemd-journald.service
judge after-main-restart
check "a job after the main journald was restarted, with its audit entry" 'right after-main-restart' 'what after-main-restart'
pid=$(main_pid systemd-journald.service)
systemctl kill -s KILL systemd-journald.service
wait_for '[ "$(main_pid systemd-journald.service)" != "$pid" ] && [ "$(main_pid systemd-journald.service)" != 0 ]'
judge after-main-kill
check "a job after the main journald was killed, with its audit entry" 'right after-main-kill' 'what after-main-kill'

# ---- bursts: journald@kw restarted, then killed, while jobs are in flight ----
# Each job prints 40 KB per case, several chunks of output each, so that some are in flight at the event.
big=$(python3 -c 'print("x" * 40000)')
job 'print("x" * 40000)' python "$(jq -cn --arg e "$big" '{test_cases: [{input: "", expected: $e}, {input: "", expected: $e}]}')" \
        >"$work/big.json"
burst() { # burst NAME EVENT-COMMAND: 16 jobs, EVENT-COMMAND once the first runs are in flight
        local i
        for i in $(seq 16); do judge "$1-$i" "$work/big.json" & done
        wait_for '[ "$(runs)" -ge 1 ]'
        eval "$2"
        wait
        good=0 clean=0 hung=0
        for i in $(seq 16); do
                case $(cat "$work/$1-$i.rc") in
                0) jq -e '.verdict == "accepted" and all(.test_results[]; .passed)' "$work/$1-$i.out" >/dev/null && good=$((good + 1)) ;;
                3) jq -e '.verdict == "internal_error" and (.error | test("journal"))' "$work/$1-$i.out" >/dev/null && clean=$((clean + 1)) ;;
                124) hung=$((hung + 1)) ;;
                esac
        done
        echo "     $1: $good right, $clean internal_error naming the journal, $hung hung"
}
burst restart 'systemctl restart $ns'
check "a burst across a restart of journald@kw: every job right" '[ "$good" = 16 ]' 'echo "$good right, $clean clean errors, $hung hung"'
burst kill 'systemctl kill -s KILL $ns'
check "a burst across a kill of journald@kw: right or a clean internal_error, none hung" \
        '[ $((good + clean)) = 16 ] && [ "$hung" = 0 ]' 'echo "$good right, $clean clean errors, $hung hung"'
judge after-bursts
check "and the job after them is judged" 'right after-bursts' 'what after-bursts'

# ---- soak: jobs at random gaps of 0-45 s, at least one past the idle timeout ----
soak=${KW_SOAK_SECONDS:-150}
end=$((SECONDS + soak)) n=0 bad=0 longest=0
while [ "$SECONDS" -lt "$end" ]; do
        gap=$((RANDOM % 46))
        # The last gap is past the idle timeout if none before it was.
        [ $((SECONDS + gap + 45)) -ge "$end" ] && [ $((longest * 1000)) -le "$idle_ms" ] && gap=45
        [ "$gap" -gt "$longest" ] && longest=$gap
        sleep "$gap"
        n=$((n + 1))
        judge "soak-$n"
        right "soak-$n" || { bad=$((bad + 1)); echo "     soak job $n after a $gap s gap: $(what "soak-$n")"; }
done
echo "     soak: $n jobs in $soak s, longest gap $longest s"
check "soak: every job right, gaps up to 45 s" '[ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ $((longest * 1000)) -gt "$idle_ms" ]' \
        'echo "$bad of $n wrong, longest gap $longest s"'

check "nothing left behind" 'wait_for "[ \"\$(leftovers)\" = 0 ]"' 'leftovers_list'
check "no sanitizer report from kwd" '! journalctl -q --no-pager -u kwd.service | grep -qE "AddressSanitizer|LeakSanitizer|runtime error:"' \
        'journalctl -q --no-pager -u kwd.service | grep -E -m3 "AddressSanitizer|LeakSanitizer|runtime error:"'

summary journald
