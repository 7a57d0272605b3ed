#!/usr/bin/env bash
# Tests of kwd's metrics (GET /metrics on kwd-metrics.socket, and `kwctl stats --format=openmetrics`),
# against the real systemd of this machine (or of the box scripts/systemd.sh starts): a scrape
# starts kwd; the text is OpenMetrics (content type, # EOF, promtool); the counters move by exactly
# the jobs the suite submits, the histograms count the runs; the two ways give the same text; only
# GET and HEAD of /metrics; an idle client holds neither a scrape nor a job, and is dropped; a
# restart begins the counters again; a Redis worker's state; and kwd without kwd-metrics.socket
# runs as before.
# Prints "N passed, M failed".
#   tests/metrics.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

url=http://127.0.0.1:9464
promtool=${KW_PROMTOOL:-/var/cache/kw-test/prometheus/usr/bin/promtool} # scripts/setup.sh unpacks it
om_type='application/openmetrics-text; version=1.0.0; charset=utf-8'
now_usec() { echo "${EPOCHREALTIME/[.,]/}"; }

# scrape NAME [CURL-ARGS...]: $work/NAME (body) and $work/NAME.headers; $status is the HTTP status.
scrape() {
        local name=$1
        shift
        status=$(curl -sS --max-time 60 -o "$work/$name" -D "$work/$name.headers" -w '%{http_code}' "$@" "$url/metrics" 2>"$work/$name.err")
}
header() { sed -n "s/^$2: *//Ip" "$work/$1.headers" | tr -d '\r'; } # header NAME HEADER
# samples FILE: "KEY VALUE" per sample, KEY the name and labels as written.
samples() { awk '!/^#/ { v = $NF; $NF = ""; sub(/ $/, ""); print $0, v }' "$1"; }
value() { samples "$1" | awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print -1 }' 2>/dev/null; } # value FILE KEY (-1: none)
sum_of() { samples "$1" | awk -v p="$2" 'index($1, p) == 1 { s += $2 } END { print s + 0 }'; } # sum_of FILE PREFIX
# counter_diff BEFORE AFTER: "KEY DIFFERENCE" of every counter sample (…_total) that changed; a
# sample new in AFTER counts from 0.
counter_diff() {
        join -a 2 -e 0 -o 0,1.2,2.2 <(samples "$1" | grep '_total' | sort) <(samples "$2" | grep '_total' | sort) |
                awk '$3 != $2 { print $1, $3 - $2 }' | sort
}
# Prometheus' text format 0.0.4, which promtool reads, from OpenMetrics: a counter's TYPE and HELP
# name its sample (X_total), and there is no UNIT or EOF line.
to_prometheus_text() {
        awk '$1 == "#" && $2 == "UNIT" { next } $0 == "# EOF" { next }
             $1 == "#" && $2 == "TYPE" && $4 == "counter" { c[$3] = 1; $3 = $3 "_total" }
             $1 == "#" && $2 == "HELP" && ($3 in c) { $3 = $3 "_total" } { print }' "$1"
}
submit() { # submit NAME CODE LANGUAGE [EXTRA-JSON]
        job "$2" "$3" "${4:-{\}}" >"$work/$1.json"
        "$kwctl" submit "$work/$1.json" >"$work/$1.out" 2>&1
}

# ---- install; a scrape starts kwd ----
state_before=$(kw_state)
kwd_install
check "systemd-analyze verify kwd-metrics.socket" \
        'systemd-analyze verify "$unit_dir/kwd-metrics.socket" "$unit_dir/kwd.service" >"$work/verify" 2>&1' 'cat "$work/verify"'
systemctl start kwd.socket kwd-metrics.socket
check "kwd-metrics.socket listening, kwd not yet started" \
        'systemctl is-active -q kwd-metrics.socket && ! systemctl is-active -q kwd.service' \
        'systemctl status kwd-metrics.socket kwd.service --no-pager | head -20'
t0=$(now_usec)
scrape first
check "a scrape starts kwd (socket activation) and is answered" \
        '[ "$status" = 200 ] && systemctl is-active -q kwd.service' 'echo "status $status: $(cat "$work/first.err")"'
t1=$(now_usec)
check "Content-Type is OpenMetrics 1.0.0" '[ "$(header first Content-Type)" = "$om_type" ]' 'cat "$work/first.headers"'
check "the text ends with # EOF" '[ "$(tail -n 1 "$work/first")" = "# EOF" ] && [ "$(grep -c "^# EOF" "$work/first")" = 1 ]' \
        'tail -n 3 "$work/first"'
# kwd loads libmicrohttpd (and the gnutls it links) only when it is given the metrics socket. (Read by
# grep itself: under pipefail, a grep -q at the end of a pipe can fail the writer with SIGPIPE.)
kwd_maps() { echo "/proc/$(systemctl show -P MainPID kwd.service)/maps"; }
check "kwd, given the metrics socket, has loaded libmicrohttpd" 'grep -q "/libmicrohttpd\.so\.12" "$(kwd_maps)"' \
        'echo "$(kwd_maps) has no libmicrohttpd"'
start=$(value "$work/first" kw_start_time_seconds)
check "kw_start_time_seconds: when this kwd started" \
        '[ "${start/./}" -ge "$t0" ] && [ "${start/./}" -le "$t1" ]' 'echo "$start not within $t0..$t1 (µs)"'
# ---- the counters move by what the suite submitted ----
check "warm cells: kw_cells{state=\"idle\"} is the policy's count, as systemd has them" \
        'wait_for "scrape cells; [ \"\$(value \"\$work/cells\" kw_cells{state=\\\"idle\\\"})\" = $(warm_max) ] && [ \"\$(warm)\" = $(warm_max) ]"' \
        'echo "kwd: $(grep "^kw_cells" "$work/cells" | tr "\n" " "); systemd: $(warm) warm"'
check "kw_cells_warm is the policy's, kw_cells_started_total at least that" \
        '[ "$(value "$work/cells" kw_cells_warm)" = "$(warm_max)" ] && [ "$(value "$work/cells" kw_cells_started_total)" -ge "$(warm_max)" ]' \
        'grep "^kw_cell" "$work/cells"'
scrape before
one_case() { jq -cn --arg e "$1" '{test_cases: [{input: "", expected: $e}]}'; }
submit py-ok 'print(1)' python "$(one_case 1)"
submit py-wrong 'print(1)' python "$(one_case 2)"
submit js-ok 'console.log(1)' javascript "$(one_case 1)"
submit py-tle 'while True: pass' python "$(jq -cn '{limits: {time_ms: 1000}}')"
submit py-seccomp 'import ctypes; ctypes.CDLL(None).mount(b"none", b"/tmp", b"tmpfs", 0, None)' python
submit bad 'print(1)' no-such-language
verdicts=$(for j in py-ok py-wrong js-ok py-tle py-seccomp; do jq -r '.verdict' "$work/$j.out"; done | tr '\n' ' ')
check "the jobs were judged as meant" \
        '[ "$verdicts" = "accepted wrong_answer accepted time_limit_exceeded killed_by_signal " ] && grep -q "language" "$work/bad.out"' \
        'echo "$verdicts"; for j in py-ok py-wrong js-ok py-tle py-seccomp; do jq -c "{verdict, status, error: (.error // \"\")[0:200]}" "$work/$j.out"; done; head -c 200 "$work/bad.out"'
scrape after
# Every counter that moved, and by how much: each job one run, of the job's verdict.
jobs_moved='kw_jobs_total{language="javascript",verdict="accepted"} 1
kw_jobs_total{language="python",verdict="accepted"} 1
kw_jobs_total{language="python",verdict="killed_by_signal"} 1
kw_jobs_total{language="python",verdict="time_limit_exceeded"} 1
kw_jobs_total{language="python",verdict="wrong_answer"} 1'
{
        echo "$jobs_moved"
        echo 'kw_rejections_total{reason="bad_input"} 1'
        echo "$jobs_moved" | sed 's/^kw_jobs_total/kw_runs_total/'
        echo 'kw_security_events_total{kind="cpu_timeout"} 1'
        echo 'kw_security_events_total{kind="seccomp"} 1'
} >"$work/diff.want"
# Cells are started as runs take them: that counter moves by however many, not by the jobs.
counter_diff "$work/before" "$work/after" | grep -v '^kw_cells_started_total ' >"$work/diff"
check "counters: each moved by exactly the jobs submitted, no other moved" 'diff "$work/diff" "$work/diff.want" >/dev/null' \
        'diff "$work/diff" "$work/diff.want"'
check "histograms: _count moved by the runs judged (5)" \
        '[ $(($(value "$work/after" kw_run_duration_seconds_count) - $(value "$work/before" kw_run_duration_seconds_count))) = 5 ] &&
         [ $(($(value "$work/after" kw_run_memory_peak_bytes_count) - $(value "$work/before" kw_run_memory_peak_bytes_count))) = 5 ]' \
        'grep "_count" "$work/before" "$work/after"'
for h in kw_run_duration_seconds kw_run_memory_peak_bytes; do
        check "$h: buckets cumulative, +Inf equal to _count, _count the runs counted" \
                'samples "$work/after" | awk -v h="$h" -v runs="$(sum_of "$work/after" kw_runs_total)" "
                        index(\$1, h \"_bucket{\") == 1 { if (\$2 < last) bad = 1; last = \$2; inf = \$2 }
                        \$1 == h \"_count\" { count = \$2 }
                        END { exit !(!bad && inf == count && count == runs) }"' \
                'grep "^$h" "$work/after"; echo "runs: $(sum_of "$work/after" kw_runs_total)"'
done
check "the TLE run's time is in the duration histogram's sum (over 1 s more)" \
        'awk -v a="$(value "$work/after" kw_run_duration_seconds_sum)" -v b="$(value "$work/before" kw_run_duration_seconds_sum)" "BEGIN { exit !(a - b >= 1.0) }"' \
        'grep _sum "$work/before" "$work/after"'
check "gauges: nothing in flight or queued once the jobs are done" \
        '[ "$(value "$work/after" kw_jobs_in_flight)" = 0 ] && [ "$(value "$work/after" kw_jobs_queued)" = 0 ]' \
        'grep -E "^kw_jobs_(in_flight|queued)" "$work/after"'

# promtool reads Prometheus' text format 0.0.4 only: of OpenMetrics it takes UNIT and EOF for
# comments, and it looks for a counter's HELP under its sample's name (X_total), not the family's
# (X). So: the text as served, with no complaint but exactly that one for each counter with
# samples (an empty family draws none); and the same text in 0.0.4's spelling, with none at all.
if [ -x "$promtool" ]; then
        "$promtool" check metrics <"$work/after" >"$work/promtool" 2>&1
        awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" { c[$3 "_total"] = 1 }
             !/^#/ { split($1, m, "{"); if (m[1] in c) s[m[1]] = 1 }
             END { for (n in s) print n " no help text" }' "$work/after" | sort >"$work/promtool.want"
        check "promtool check metrics: only the 0.0.4 spelling of counters' HELP differs" \
                'diff <(sort "$work/promtool") "$work/promtool.want" >/dev/null' 'diff <(sort "$work/promtool") "$work/promtool.want"'
        # kwd's own 0.0.4, to a client that asks for text/plain (and kwctl's): that spelling, clean.
        scrape plain -H 'Accept: text/plain'
        check "Accept: text/plain: Prometheus' text format 0.0.4, the same samples in its spelling" \
                '[ "$status" = 200 ] && [ "$(header plain Content-Type)" = "text/plain; version=0.0.4; charset=utf-8" ] &&
                 diff <(grep -v "^kw_cell" "$work/plain") <(to_prometheus_text "$work/after" | grep -v "^kw_cell") >/dev/null' \
                'echo "status $status, $(header plain Content-Type)"; diff <(grep -v "^kw_cell" "$work/plain") <(to_prometheus_text "$work/after" | grep -v "^kw_cell") | head'
        check "promtool check metrics: kwd's 0.0.4 text is clean" \
                '"$promtool" check metrics <"$work/plain" >"$work/promtool2" 2>&1' 'cat "$work/promtool2"'
        "$kwctl" stats --format=prometheus >"$work/kwctl.prom" 2>&1
        check "kwctl stats --format=prometheus: the same 0.0.4 text, clean for promtool" \
                'diff <(grep -v "^kw_cell" "$work/kwctl.prom") <(grep -v "^kw_cell" "$work/plain") >/dev/null &&
                 "$promtool" check metrics <"$work/kwctl.prom" >/dev/null 2>&1' \
                'diff <(grep -v "^kw_cell" "$work/kwctl.prom") <(grep -v "^kw_cell" "$work/plain") | head'
else
        fail "promtool check metrics" "no $promtool (scripts/setup.sh unpacks it)"
fi

# ---- kwctl stats: the same facts, the same text ----
"$kwctl" stats --format=openmetrics >"$work/kwctl" 2>"$work/kwctl.err"; rc=$?
scrape again
# Cells may start or be replaced between the two: their gauges and starts may differ, nothing else.
moving='^kw_cell'
check "kwctl stats --format=openmetrics: the HTTP body's text (but for cell gauges)" \
        '[ "$rc" = 0 ] && diff <(grep -v "$moving" "$work/kwctl") <(grep -v "$moving" "$work/again") >/dev/null' \
        'echo "exit $rc: $(cat "$work/kwctl.err")"; diff <(grep -v "$moving" "$work/kwctl") <(grep -v "$moving" "$work/again") | head'
"$kwctl" stats --format=json >"$work/json" 2>&1
check "kwctl stats (JSON) tells the same counts" \
        'jq -e --argjson jobs "$(sum_of "$work/kwctl" kw_jobs_total)" --argjson runs "$(sum_of "$work/kwctl" kw_runs_total)" \
                --argjson seccomp "$(value "$work/kwctl" "kw_security_events_total{kind=\"seccomp\"}")" \
                --argjson rejected "$(value "$work/kwctl" "kw_rejections_total{reason=\"bad_input\"}")" \
                ".jobs == \$jobs and .runs == \$runs and .security.seccomp_violations == \$seccomp and .rejected == \$rejected" "$work/json" >/dev/null' \
        'cat "$work/json"'
"$kwctl" stats --format=yaml >"$work/bad-format" 2>&1; rc=$?
check "kwctl stats --format=yaml: exit 2 naming --format" '[ "$rc" = 2 ] && grep -q -- "--format" "$work/bad-format"' \
        'echo "exit $rc: $(cat "$work/bad-format")"'

# ---- GET and HEAD of /metrics only ----
code() { curl -sS --max-time 30 -o "$work/code.body" -D "$work/code.headers" -w '%{http_code}' "$@" 2>&1; }
check "GET /other: 404" '[ "$(code "$url/other")" = 404 ]' 'cat "$work/code.headers"'
check "GET /metrics/: 404 (the path exactly)" '[ "$(code "$url/metrics/")" = 404 ]' 'cat "$work/code.headers"'
check "POST /metrics: 405, Allow: GET, HEAD" \
        '[ "$(code -X POST --data x "$url/metrics")" = 405 ] && [ "$(header code Allow)" = "GET, HEAD" ]' 'cat "$work/code.headers"'
# curl --head writes the headers where a body would go: nothing else may be there.
check "HEAD /metrics: 200, the content type, no body" \
        '[ "$(code --head "$url/metrics")" = 200 ] && [ "$(header code Content-Type)" = "$om_type" ] && cmp -s "$work/code.body" "$work/code.headers"' \
        'cat "$work/code.headers"'

# ---- a client that connects and says nothing, or half a request ----
exec 7<>/dev/tcp/127.0.0.1/9464
exec 8<>/dev/tcp/127.0.0.1/9464
printf 'GET /metr' >&8
scrape beside
check "an idle client does not hold a scrape" '[ "$status" = 200 ] && [ "$(tail -n 1 "$work/beside")" = "# EOF" ]' \
        'echo "status $status: $(cat "$work/beside.err")"'
submit beside 'print(1)' python "$(one_case 1)"
check "an idle client does not hold a job" '[ "$(jq -r .verdict "$work/beside.out")" = accepted ]' 'head -c 300 "$work/beside.out"'
# kwd drops them after its connection timeout (10 s): both reads end, they do not wait for ever.
# dropped FD: the connection was made, and kwd closes it (cat ends) within 60 s.
dropped() { [ -e "/proc/$$/fd/$1" ] && { timeout 60 cat <&"$1" >/dev/null; [ $? != 124 ]; }; }
check "the idle clients are dropped after the timeout" 'dropped 7 && dropped 8' 'echo still open after 60 s'
exec 7<&- 8<&-
# As many idle clients as kwd serves at once (16): a job is not held at all, and a scrape behind
# them is answered once they are dropped, not before (they are closed by the time it has its answer)
# and not never (libmicrohttpd, at its limit, must be made to listen again).
idle_fds=$(seq 10 25)
for fd in $idle_fds; do eval "exec $fd<>/dev/tcp/127.0.0.1/9464"; done
{ scrape behind; echo "$status" >"$work/behind.status"; } &
behind=$!
submit full 'print(1)' python "$(one_case 1)"
check "16 idle clients: a job is not held" '[ "$(jq -r .verdict "$work/full.out")" = accepted ]' 'head -c 300 "$work/full.out"'
wait "$behind"
closed() { local fd; for fd in $idle_fds; do timeout 1 cat <&"$fd" >/dev/null; [ $? != 124 ] || return 1; done; }
check "16 idle clients: a scrape behind them is answered when they have been dropped" \
        '[ "$(cat "$work/behind.status")" = 200 ] && closed' 'echo "status $(cat "$work/behind.status"); closed: $(closed && echo yes || echo no)"'
for fd in $idle_fds; do eval "exec $fd<&-"; done

# ---- restarted: the counters begin again ----
systemctl restart kwd.service
scrape restarted
check "kwd restarted: the endpoint answers, the counters begin again" \
        '[ "$status" = 200 ] && [ "$(sum_of "$work/restarted" kw_jobs_total)" = 0 ] && [ "$(value "$work/restarted" kw_run_duration_seconds_count)" = 0 ] &&
         awk -v a="$(value "$work/restarted" kw_start_time_seconds)" -v b="$start" "BEGIN { exit !(a > b) }"' \
        'echo "status $status"; grep -E "^kw_(jobs_total|start_time|run_duration_seconds_count)" "$work/restarted" | head'

# ---- stopped: the next scrape starts it again ----
systemctl stop kwd.service
check "kwd stopped, both sockets still listening" \
        '! systemctl is-active -q kwd.service && systemctl is-active -q kwd-metrics.socket kwd.socket' 'systemctl status kwd.service --no-pager | head -5'
scrape reactivated
check "a scrape starts the stopped kwd and is answered" '[ "$status" = 200 ] && systemctl is-active -q kwd.service' \
        'echo "status $status: $(cat "$work/reactivated.err")"'

# ---- a Redis worker's state ----
# kwd working for a Redis stream too, from a redis-server on a Unix socket (which kwd.service's
# PrivateNetwork= leaves it): connected, the messages it takes and those it dead-letters; then
# Redis gone.
redis_sock=$work/redis.sock
rcli() { redis-cli -s "$redis_sock" "$@"; }
redis-server --port 0 --unixsocket "$redis_sock" --unixsocketperm 700 --save "" --appendonly no --dir "$work" \
        --logfile "$work/redis.log" &
redis_pid=$!
on_exit 'rcli shutdown nosave >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null'
wait_for 'rcli ping >/dev/null 2>&1' 10
echo "unix://$redis_sock" >"$work/redis-url"
mkdir -p "$unit_dir/kwd.service.d"
printf '[Service]\nExecStart=\nExecStart=%s --policy=%s --redis-url-file=%s\n' "$build/orchestrator/kwd" "$policy_dir" \
        "$work/redis-url" >"$unit_dir/kwd.service.d/redis.conf"
systemctl daemon-reload
systemctl restart kwd.service
check "Redis: kw_redis_connected 1 once kwd has connected" \
        'wait_for "scrape redis0; [ \"\$(value \"\$work/redis0\" kw_redis_connected)\" = 1 ]"' 'grep "^kw_redis" "$work/redis0"'
ok_id=0123456789abcdef0123456789abcdef bad_id=fedcba9876543210fedcba9876543210
rcli XADD kw:jobs '*' id "$ok_id" job "$(job 'print(1)' python)" >/dev/null
rcli XADD kw:jobs '*' id "$bad_id" job 'not json' >/dev/null
wait_for '[ "$(rcli EXISTS "kw:result:$ok_id")" = 1 ] && [ "$(rcli EXISTS "kw:result:$bad_id")" = 1 ]'
scrape redis1
check "Redis: 2 messages taken, 1 dead-lettered, no result pending, the job counted" \
        '[ "$(value "$work/redis1" kw_redis_jobs_taken_total)" = 2 ] && [ "$(value "$work/redis1" kw_redis_dead_letters_total)" = 1 ] &&
         [ "$(value "$work/redis1" kw_redis_results_pending)" = 0 ] && [ "$(sum_of "$work/redis1" kw_jobs_total)" = 1 ] &&
         [ "$(rcli XLEN kw:jobs:dead)" = 1 ]' \
        'grep "^kw_redis" "$work/redis1"; grep "^kw_jobs_total" "$work/redis1" | grep -v " 0$"; echo "dead letters: $(rcli XLEN kw:jobs:dead)"'
rcli shutdown nosave >/dev/null 2>&1
check "Redis gone: kw_redis_connected 0" \
        'wait_for "scrape redis2; [ \"\$(value \"\$work/redis2\" kw_redis_connected)\" = 0 ]"' 'grep "^kw_redis" "$work/redis2"'
rm "$unit_dir/kwd.service.d/redis.conf"
systemctl daemon-reload

# ---- without kwd-metrics.socket: kwd as before, no port ----
systemctl stop kwd.service kwd-metrics.socket
submit plain 'print(1)' python "$(one_case 1)"
check "without kwd-metrics.socket kwd starts and judges as before" \
        '[ "$(jq -r .verdict "$work/plain.out")" = accepted ] && systemctl is-active -q kwd.service' 'head -c 300 "$work/plain.out"'
check "without kwd-metrics.socket nothing listens on 9464" '! curl -s --max-time 10 -o /dev/null "$url/metrics"'
check "kwctl stats --format=openmetrics still answers" \
        '"$kwctl" stats --format=openmetrics >"$work/plain.om" 2>&1 && [ "$(sum_of "$work/plain.om" kw_jobs_total)" = 1 ]' \
        'cat "$work/plain.om" | head -5'
check "without kwd-metrics.socket kwd has not loaded libmicrohttpd or gnutls" \
        'grep -q "/libsystemd\.so" "$(kwd_maps)" && ! grep -qE "/lib(microhttpd|gnutls)\.so" "$(kwd_maps)"' \
        'grep -E "/lib(systemd|microhttpd|gnutls)\.so" "$(kwd_maps)" | head -3'

# ---- libmicrohttpd missing: kwd logs it and judges jobs without metrics ----
mhd_file=$(ldconfig -p | sed -n 's/^[[:space:]]*libmicrohttpd\.so\.12 .* => //p' | head -1)
mkdir -p "$unit_dir/kwd.service.d"
printf '[Service]\nInaccessiblePaths=%s\n' "$(readlink -f "$mhd_file")" >"$unit_dir/kwd.service.d/no-mhd.conf"
systemctl daemon-reload
systemctl stop kwd.service
systemctl start kwd-metrics.socket
no_mhd_cursor=$(cursor -u kwd.service)
submit no-mhd 'print(1)' python "$(one_case 1)"
# kwd's lines, once journald has them (read into a file: no grep -q at the end of a pipe).
no_mhd_logged() {
        journalctl --after-cursor="$no_mhd_cursor" -q --no-pager -u kwd.service -o cat >"$work/no-mhd.log" &&
                grep -q "Failed to load libmicrohttpd\.so\.12: " "$work/no-mhd.log" && grep -q "Serving jobs without metrics\.$" "$work/no-mhd.log"
}
check "libmicrohttpd hidden ($mhd_file): kwd says it cannot load it, serves jobs without metrics, and judges" \
        '[ -n "$mhd_file" ] && [ "$(jq -r .verdict "$work/no-mhd.out")" = accepted ] && wait_for no_mhd_logged 10' \
        'echo "library $mhd_file; answer: $(head -c 200 "$work/no-mhd.out")"; tail -5 "$work/no-mhd.log"'
rm "$unit_dir/kwd.service.d/no-mhd.conf"
systemctl daemon-reload
systemctl stop kwd.service kwd-metrics.socket

# A sanitized kwd (test.sh runs this file with build-asan too) reports into its journal.
check "no sanitizer report from kwd" '! journalctl -q --no-pager -u kwd.service | grep -qE "AddressSanitizer|LeakSanitizer|runtime error:"' \
        'journalctl -q --no-pager -u kwd.service | grep -E -m3 "AddressSanitizer|LeakSanitizer|runtime error:"'

# ---- uninstalled: the machine as the suite found it ----
"$top/scripts/kwd-dev.sh" uninstall
check "uninstalled: no unit, drop-in, socket or run directory of the suite's left" '[ "$(kw_state)" = "$state_before" ]' \
        'diff <(echo "$state_before") <(kw_state)'

summary metrics
