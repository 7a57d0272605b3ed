#!/usr/bin/env bash
# kwctl audit and kwctl show against the journal of a real systemd (or of the box scripts/systemd.sh
# starts): jobs of known verdicts judged by kwd (one by another user, through a socket opened to all)
# and by kwctl --direct, then every filter of audit selecting exactly the jobs it should (compared by
# job id), --json equal to the journal's own entries, show telling each job's runs and, with
# --output, the program's stdout; bad options refused and named; and the output namespace gone, with
# audit and show still telling what the system journal has. Prints "N passed, M failed".
#   tests/audit.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

state_before=$(kw_state)
kwd_install
# Anyone may submit, so that one job comes from another user (the default socket is root's only).
mkdir -p "$unit_dir/kwd.socket.d"
printf '[Socket]\nSocketMode=0666\n' >"$unit_dir/kwd.socket.d/audit.conf"
on_exit 'rm -rf "$unit_dir/kwd.socket.d"; systemctl daemon-reload'
systemctl daemon-reload
systemctl start kwd.socket

# The suite's jobs: NAME -> job id, how it was judged, its language, submitter, verdict, test cases.
declare -A id via lang uid verdict cases
names=()
# submit NAME VIA(kwd|direct|nobody) LANGUAGE CODE [EXTRA-JSON]: judged, and its audit entry stored
submit() {
        local name=$1 t
        t=$(date +%s%N)
        job "$4" "$3" "${5:-{\}}" >"$work/$name.json"
        case $2 in
        direct) "$kwctl" submit --direct --policy "$top/policy" "$work/$name.json" ;;
        nobody) setpriv --reuid=65534 --regid=65534 --clear-groups "$kwctl" submit - <"$work/$name.json" ;; # $work is 0700
        *) "$kwctl" submit "$work/$name.json" ;;
        esac >"$work/$name.out" 2>"$work/$name.err"
        id[$name]=$(jq -r '.job_id // "none"' "$work/$name.out")
        via[$name]=$2 lang[$name]=$3 verdict[$name]=$(jq -r '.verdict // "none"' "$work/$name.out")
        uid[$name]=$([ "$2" = nobody ] && echo 65534 || echo 0)
        cases[$name]=$(jq '.test_cases | length' "$work/$name.json")
        names+=("$name")
        echo "     $name judged in $((($(date +%s%N) - t) / 1000000)) ms"
        # journald stamps an entry when it reads it, which may be after kwctl returned: wait for it,
        # so that a time taken next lies after it.
        wait_for 'journalctl -q --no-pager -o cat KW_AUDIT=1 "KW_JOB_ID=${id[$name]}" | grep -q .' 10
}
t0=$(date +%s.%N)
submit ok kwd python 'print(input())' '{"test_cases":[{"input":"a","expected":"a"},{"input":"b","expected":"b"}]}'
submit wa kwd javascript 'console.log("no")' '{"test_cases":[{"input":"","expected":"yes"}]}'
mid=$(date +%s.%N)
submit other nobody python 'print(input())' '{"test_cases":[{"input":"c","expected":"c"}]}'
submit tle direct python 'print("spin", flush=True)
while True: pass' '{"test_cases":[{"input":"","expected":"x"}],"limits":{"time_ms":1000}}'
submit seccomp kwd python 'import ctypes; ctypes.CDLL(None).mount(b"none", b"/tmp", b"tmpfs", 0, None)' \
        '{"test_cases":[{"input":"","expected":""}]}'
# What each job must be, from what it was given.
want_verdict() { case $1 in ok | other) echo accepted ;; wa) echo wrong_answer ;; tle) echo time_limit_exceeded ;; seccomp) echo killed_by_signal ;; esac; }
bad=()
for n in "${names[@]}"; do
        [ "${verdict[$n]}" = "$(want_verdict "$n")" ] || bad+=("$n: ${verdict[$n]} $(head -c 200 "$work/$n.err")")
done
check "the suite's jobs judged as written" '[ "${#bad[@]}" = 0 ]' 'printf "%s\n" "${bad[@]}"'

# ids NAME...: their job ids, sorted, one a line. listed: the ids of audit's rows (or JSON lines).
ids() { local n; for n in "$@"; do echo "${id[$n]}"; done | sort; }
# select CONDITION: the suite's jobs for which CONDITION (on $n) holds.
select_jobs() { local n; for n in "${names[@]}"; do eval "$1" && echo "$n"; done; }
rows() { "$kwctl" audit --since "@$t0" "$@" | tail -n +2; }
listed() { rows "$@" | awk '{ print $3 }' | sort; }

# ---- audit: the table ----
"$kwctl" audit >"$work/all" 2>"$work/all.err"; rc=$?
check "audit: exit 0, a header" '[ "$rc" = 0 ] && head -1 "$work/all" | grep -q "^TIME  *JOB  *SUBMITTER  *LANGUAGE  *VERDICT "' 'cat "$work/all.err"; head -2 "$work/all"'
check "audit: exactly the jobs judged, kwd's and --direct's" \
        '[ "$(tail -n +2 "$work/all" | awk "{ print \$3 }" | sort)" = "$(ids "${names[@]}")" ]' \
        'diff <(tail -n +2 "$work/all" | awk "{ print \$3 }" | sort) <(ids "${names[@]}")'
bad=()
for n in "${names[@]}"; do
        row=$(awk -v id="${id[$n]}" '$3 == id { print $4, $5, $6 }' "$work/all")
        [ "$row" = "${uid[$n]} ${lang[$n]} ${verdict[$n]}" ] || bad+=("$n: '$row', not '${uid[$n]} ${lang[$n]} ${verdict[$n]}'")
done
check "audit: each row's submitter, language and verdict" '[ "${#bad[@]}" = 0 ]' 'printf "%s\n" "${bad[@]}"'
sec_row=$(awk -v id="${id[seccomp]}" '$3 == id { print $NF }' "$work/all")
check "audit: the row of the seccomp kill names its event" '[ "$sec_row" = "0:seccomp-violation" ]' 'echo "$sec_row"'

# ---- audit: each filter selects exactly its jobs ----
# filter NAME CONDITION OPTION...: audit with OPTIONs lists exactly the jobs for which CONDITION holds.
filter() {
        local name=$1 cond=$2
        shift 2
        got=$(listed "$@") want=$(ids $(select_jobs "$cond")) # seen by check's eval
        check "audit $name: exactly its jobs" '[ -n "$want" ] && [ "$got" = "$want" ]' 'echo "got: $got; want: $want"'
}
filter "--verdict accepted" '[ "${verdict[$n]}" = accepted ]' --verdict accepted
filter "--verdict wrong_answer" '[ "${verdict[$n]}" = wrong_answer ]' --verdict wrong_answer
filter "--language javascript" '[ "${lang[$n]}" = javascript ]' --language javascript
filter "--language python" '[ "${lang[$n]}" = python ]' --language python
filter "--submitter 65534" '[ "${uid[$n]}" = 65534 ]' --submitter 65534
filter "--submitter 0" '[ "${uid[$n]}" = 0 ]' --submitter 0
# The kills are the security events: seccomp's, and the CPU time limit's (a cpu-timeout).
filter "--security" '[ "$n" = seccomp ] || [ "$n" = tle ]' --security
filter "--since (a time between jobs)" '[ "$n" != ok ] && [ "$n" != wa ]' --since "@$mid"
filter "--until (that time)" '[ "$n" = ok ] || [ "$n" = wa ]' --until "@$mid"
filter "--since, --verdict, --submitter together" '[ "$n" = other ]' --since "@$mid" --verdict accepted --submitter 65534
got=$("$kwctl" audit --since "@$mid" --until "@$mid" | tail -n +2)
check "audit: --since equal to --until between jobs lists none" '[ -z "$got" ]' 'echo "$got"'

# ---- audit --json: one object a line, the journal entry's values ----
"$kwctl" audit --since "@$t0" --json >"$work/json" 2>"$work/json.err"; rc=$?
check "audit --json: one JSON object a line, one a job" \
        '[ "$rc" = 0 ] && [ "$(wc -l <"$work/json")" = "${#names[@]}" ] && jq -e . "$work/json" >/dev/null &&
         [ "$(jq -r .job_id "$work/json" | sort)" = "$(ids "${names[@]}")" ]' 'cat "$work/json.err"; head -c 400 "$work/json"'
# Every value, against journalctl's reading of the same entry.
same='.[0] as $j | .[1] as $a | ($j.__REALTIME_TIMESTAMP == ($a.realtime_usec | tostring)) and
        $j.SYSLOG_IDENTIFIER == $a.judged_by and $j.KW_SUBMITTER_UID == ($a.submitter_uid | tostring) and
        $j.KW_SUBMITTER_PID == ($a.submitter_pid | tostring) and $j.KW_CODE_SHA256 == $a.code_sha256 and
        $j.KW_LANGUAGE == $a.language and $j.KW_RUNS == ($a.runs | tostring) and $j.KW_VERDICT == $a.verdict and
        $j.KW_VERDICTS == ($a.verdicts | join(",")) and $j.KW_CPU_USEC == ($a.cpu_usec | tostring) and
        $j.KW_MEMORY_PEAK_BYTES == ($a.memory_peak_bytes | tostring) and $j.KW_LIMITS_HIT == ($a.limits_hit | join(",")) and
        $j.KW_SECURITY_EVENTS == ($a.security_events | join(",")) and $a.queue_message == null'
bad=()
for n in "${names[@]}"; do
        journalctl -q --no-pager -o json KW_AUDIT=1 "KW_JOB_ID=${id[$n]}" >"$work/$n.entry"
        jq -c --arg id "${id[$n]}" 'select(.job_id == $id)' "$work/json" >"$work/$n.audit"
        jq -se "length == 2 and ($same)" "$work/$n.entry" "$work/$n.audit" >/dev/null ||
                bad+=("$n: $(jq -c '{KW_VERDICT, KW_CPU_USEC, SYSLOG_IDENTIFIER}' "$work/$n.entry") vs $(head -c 300 "$work/$n.audit")")
done
check "audit --json: the values of each job's journal entry" '[ "${#bad[@]}" = 0 ]' 'printf "%s\n" "${bad[@]}"'
judges=$(jq -r '.judged_by' "$work/json" | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
n_direct=$(select_jobs '[ "${via[$n]}" = direct ]' | wc -l)
check "audit --json: --direct's jobs judged by kwctl, the others by kwd" \
        '[ "$judges" = "kwctl=$n_direct kwd=$((${#names[@]} - n_direct)) " ]' 'echo "$judges"'
"$kwctl" audit --since "@$t0" --json=pretty >"$work/pretty"; rc=$?
check "audit --json=pretty: indented objects, the same" \
        '[ "$rc" = 0 ] && [ "$(wc -l <"$work/pretty")" -gt "${#names[@]}" ] && [ "$(jq -c . "$work/pretty")" = "$(cat "$work/json")" ]' \
        'head -c 300 "$work/pretty"'

# ---- show: the story of a job ----
# show_runs NAME [FILE]: "ROLE VERDICT" of each run line of kwctl show NAME's job.
run_lines() { sed -n 's/^[0-9-]* [0-9:.]*  run \([0-9]*\), \([a-z-]*\): \([a-z_]*\),.*/\1 \2 \3/p' "$1"; }
# The runs a job's result says it had: one test a case.
result_runs() { jq -r '.test_results | to_entries[] | "\(.key) test \(.value.verdict)"' "$work/$1.out"; }
for n in ok tle seccomp; do
        "$kwctl" show "${id[$n]}" >"$work/$n.show" 2>"$work/$n.show.err"; rc=$?
        judge=$([ "${via[$n]}" = direct ] && echo kwctl || echo kwd)
        check "show $n: accepted, a run a case with the result's verdicts, judged by $judge" \
                '[ "$rc" = 0 ] && [ "$(run_lines "$work/$n.show" | wc -l)" = "${cases[$n]}" ] &&
                 [ "$(run_lines "$work/$n.show")" = "$(result_runs "$n")" ] &&
                 grep -q "^[0-9-]* [0-9:.]*  accepted from uid ${uid[$n]} " "$work/$n.show" &&
                 grep -q "^[0-9-]* [0-9:.]*  judged by $judge: ${verdict[$n]} " "$work/$n.show" && [ ! -s "$work/$n.show.err" ]' \
                'echo "exit $rc"; cat "$work/$n.show.err" "$work/$n.show"'
done
check "show: a run's line names its cell and its security event" \
        'grep -q "run 0, test: killed_by_signal, .* in kw-cell-[0-9a-f]*[.]service (its run [0-9]*): .*, security: seccomp-violation$" "$work/seccomp.show"' \
        'cat "$work/seccomp.show"'
# stdout_of FILE RUN: the stdout kwctl show --output printed under run RUN's line.
stdout_of() {
        awk -v run="$2" '/^[0-9-]* [0-9:.]*  run [0-9]+, / { inrun = ($4 == run ",") ; next }
                inrun && /^    stdout, / { out = 1; next } /^    stderr, / { out = 0 } out && sub(/^      /, "")' "$1"
}
# output_right NAME: each run's stdout in kwctl show --output is the result's "actual".
output_right() {
        local i
        for i in $(seq 0 $((${cases[$1]} - 1))); do
                [ "$(stdout_of "$work/$1.output" "$i")" = "$(jq -j ".test_results[$i].actual" "$work/$1.out")" ] || return 1
        done
}
for n in ok tle; do
        "$kwctl" show --output "${id[$n]}" >"$work/$n.output" 2>"$work/$n.output.err"; rc=$?
        check "show --output $n (${via[$n]}): each run's stdout as the program wrote it" \
                '[ "$rc" = 0 ] && [ -n "$(stdout_of "$work/$n.output" 0)" ] && output_right "$n" && [ ! -s "$work/$n.output.err" ]' \
                'cat "$work/$n.output.err" "$work/$n.output"'
done

# ---- bad input: exit 2, the option named ----
# refused NAME PATTERN ARGS...: kwctl ARGS exits 2, prints nothing on stdout and PATTERN on stderr.
refused() {
        local name=$1 pattern=$2
        shift 2
        out=$("$kwctl" "$@" 2>"$work/err"); rc=$? # seen by check's eval
        check "bad input: $name (exit 2)" '[ "$rc" = 2 ] && [ -z "$out" ] && grep -q "$pattern" "$work/err"' \
                'echo "exit $rc: $(cat "$work/err") $out"'
}
refused "a --since that is no time" "^kwctl: --since: cannot read 'soon' as a time" audit --since soon
refused "an --until that is no date" "^kwctl: --until: cannot read '2026-02-30' as a time" audit --until 2026-02-30
refused "--since after --until" "^kwctl: --since 'now' is after --until '-1h'" audit --since now --until -1h
refused "an unknown verdict" "^kwctl: --verdict: unknown verdict 'WA' (one of accepted, wrong_answer," audit --verdict WA
refused "a submitter that is no uid" "^kwctl: --submitter: 'root' is not a user id" audit --submitter root
refused "an empty language" "^kwctl: --language: '' is not a language name" audit --language ''
refused "--json=tree" "^kwctl: --json takes pretty or short, not 'tree'" audit --json=tree
refused "audit with an argument" "^kwctl: audit takes no arguments" audit "${id[ok]}"
refused "show without a job id" "^kwctl: show takes one argument: a job id" show
refused "show with a job id that is not one" "^kwctl: show: 'ABC' is not a job id" show ABC
refused "an audit option given to show" "^kwctl: --verdict is an option of kwctl audit, not of show" show --verdict accepted "${id[ok]}"
refused "show's --output given to audit" "^kwctl: --output is an option of kwctl show, not of audit" audit --output
refused "stats' --format given to submit" "^kwctl: --format is an option of kwctl stats, not of submit" submit --format=json -
out=$("$kwctl" show 00000000000000000000000000000000 2>"$work/err"); rc=$?
check "show of a job the journal has not: exit 5, said" '[ "$rc" = 5 ] && [ -z "$out" ] && grep -q "^kwctl: show: the journal has no job 0\{32\}$" "$work/err"' \
        'echo "exit $rc: $(cat "$work/err") $out"'

# ---- the output namespace gone: the system journal's part still told ----
systemctl stop kwd.socket kwd.service systemd-journald@kw.service systemd-journald@kw.socket systemd-journald-varlink@kw.socket
rm -rf /run/log/journal/*.kw /var/log/journal/*.kw /run/systemd/journal.kw
"$kwctl" audit --since "@$t0" >"$work/gone" 2>"$work/gone.err"; rc=$?
check "namespace gone: audit lists the same jobs" \
        '[ "$rc" = 0 ] && [ "$(tail -n +2 "$work/gone" | awk "{ print \$3 }" | sort)" = "$(ids "${names[@]}")" ]' \
        'echo "exit $rc: $(cat "$work/gone.err")"; cat "$work/gone"'
"$kwctl" show --output "${id[ok]}" >"$work/gone.show" 2>"$work/gone.show.err"; rc=$?
check "namespace gone: show --output of a kwd job says so, and tells its runs" \
        '[ "$rc" = 0 ] && grep -q "output namespace kw is not there" "$work/gone.show.err" &&
         [ "$(run_lines "$work/gone.show")" = "$(result_runs ok)" ] && grep -q "  judged by kwd: accepted " "$work/gone.show"' \
        'echo "exit $rc: $(cat "$work/gone.show.err")"; cat "$work/gone.show"'
"$kwctl" show --output "${id[tle]}" >"$work/tle.output" 2>"$work/gone.tle.err"; rc=$?
check "namespace gone: show --output of a --direct job still has its output (the system journal's)" \
        '[ "$rc" = 0 ] && output_right tle && [ ! -s "$work/gone.tle.err" ]' 'echo "exit $rc: $(cat "$work/gone.tle.err")"; cat "$work/tle.output"'

# ---- uninstalled: the machine as the suite found it ----
rm -rf "$unit_dir/kwd.socket.d"
"$top/scripts/kwd-dev.sh" uninstall
check "uninstalled: nothing of the suite's left" '[ "$(kw_state)" = "$state_before" ]' 'diff <(echo "$state_before") <(kw_state)'

summary audit
