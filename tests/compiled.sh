#!/usr/bin/env bash
# Tests of the compiled languages and the checkers (issue 13), against the real systemd of this
# machine (or of the box scripts/systemd.sh starts): C, C++ and Java jobs compiled once in a
# sandboxed run of their own, then the product run for every case; compile errors, and compiler
# bombs stopped by the [compile] limits of policy/languages/*.conf; the built-in checkers (exact,
# lines, tokens, float) and custom ones in Python and C++ (testlib's exit codes, partial scores, a
# checker's own failure), a hostile checker contained, a contestant that cannot see its checker's
# files; bad checker fields refused with nothing started; a Java heap limit; and through kwd, a C++
# job with a custom checker and a 20-case job compiled once (kwd's summaries: KW_ROLE). Expected
# figures come from the policy. The programs and checkers are tests/compiled/*.
# Prints "compiled: N passed, M failed".
# Needs a real systemd: scripts/systemd.sh tests/compiled.sh build
#   tests/compiled.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"
src=$top/tests/compiled
suite_start=$SECONDS

# kwctl runs most jobs itself, with the checkout's policy; a few go through kwd, installed below.
DIRECT=("$kwctl" submit --direct --policy "$top/policy")
# No job of this suite should take long; a hung kwctl is a failure, not a hung suite.
KWCTL_TIMEOUT=240

# ---- the policy under test ----
# compile_value LANG KEY: KEY of the [compile] section of policy/languages/LANG.conf, comment cut
# off, sizes in bytes (K, M, G: powers of 1024, as the policy reads them).
compile_value() {
        sed -n '/^\[compile\]/,/^\[/ s/^'"$2"' = *\([^ #]*\).*/\1/p' "$top/policy/languages/$1.conf" | numfmt --from=iec
}
for l in c cpp java rust; do
        for k in time_ms wall_time_ms memory_bytes message_bytes; do
                printf -v "${l}_$k" '%s' "$(compile_value "$l" "$k")"
        done
done
c_product=$(sed -n '/^\[compile\]/,/^\[/ s/^product = *\([^ #]*\).*/\1/p' "$top/policy/languages/c.conf")
run_processes=$(policy_value processes)
numbers() { local v; for v; do [[ $v =~ ^[0-9]+$ ]] || return 1; done; }
check "policy: the [compile] limits read (c, cpp, java: CPU ms, wall ms, memory, messages; the product's name)" \
        'numbers $c_time_ms $cpp_time_ms $java_time_ms $c_wall_time_ms $c_memory_bytes $cpp_memory_bytes $c_message_bytes $run_processes &&
         [ -n "$c_product" ]' \
        'echo "c $c_time_ms/$c_wall_time_ms/$c_memory_bytes/$c_message_bytes/$c_product cpp $cpp_time_ms/$cpp_memory_bytes java $java_time_ms processes $run_processes"'
# What the suite must leave as it found it, checked at its end (before any job: none runs now).
state_before=$(kw_state)
# kwd, for the jobs that go through it, started before any kwctl --direct job (kwd stops only the
# cells in its own slice at its start, but the suite does not rely on that here).
kwd_install
systemctl start kwd.socket kwd.service
running_cells() { systemctl list-units --plain --no-legend --state=running 'kw-*.service' | grep -c ' kw cell$'; }
check "kwd started, its warm cells waiting" 'wait_for "systemctl is-active -q kwd.service && [ \"\$(warm)\" = $(warm_max) ] && [ \"\$(running_cells)\" = $(warm_max) ]"' \
        'echo "kwd $(systemctl is-active kwd.service), $(warm) of $(warm_max) warm cells"'

# ---- jobs ----
# mkjob NAME LANGUAGE FILE [EXTRA-JSON]: the job tests/compiled/FILE in $work/NAME.json.
mkjob() {
        jq -n --rawfile code "$src/$3" --arg lang "$2" --argjson extra "${4:-{\}}" '{code: $code, language: $lang} + $extra' \
                >"$work/$1.json"
}
# cases INPUT EXPECTED [INPUT EXPECTED]...: {"test_cases": [...]} (use $'...' for newlines).
cases() { jq -cn '{test_cases: [$ARGS.positional | _nwise(2) | {input: .[0], expected: .[1]}]}' --args "$@"; }
# with JSON... : the objects merged.
with() { jq -cn '[$ARGS.positional[] | fromjson] | add' --args "$@"; }
# custom LANGUAGE FILE: {"checker": a custom checker, tests/compiled/FILE}.
custom() { jq -cn --rawfile code "$src/$2" --arg lang "$1" '{checker: {type: "custom", language: $lang, code: $code}}'; }

# direct NAME / via_kwd NAME: submit $work/NAME.json with kwctl --direct / through kwd's socket;
# the answer in NAME.out, stderr in NAME.err, the exit status in NAME.rc, milliseconds in NAME.ms.
submit_with() {
        local name=$1 t0=$EPOCHREALTIME
        shift
        timeout "$KWCTL_TIMEOUT" "$@" "$work/$name.json" >"$work/$name.out" 2>"$work/$name.err"
        echo $? >"$work/$name.rc"
        echo $(((${EPOCHREALTIME/[.,]/} - ${t0/[.,]/}) / 1000)) >"$work/$name.ms"
}
direct() { submit_with "$1" "${DIRECT[@]}"; }
# in_parallel NAME...: direct NAME for each, at most PARALLEL at once (a compile's wall-clock limit
# must not be spent waiting for a CPU: under twice the load of CI, 5 at once took a C++ hello to 19 s of
# its 20), until all have answered.
PARALLEL=3
in_parallel() {
        local n p pids=() live
        for n; do
                while :; do
                        live=()
                        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
                        [ "${#live[@]}" -lt "$PARALLEL" ] && break
                        wait -n "${live[@]}"
                done
                direct "$n" &
                pids+=($!)
        done
        wait "${pids[@]}"
}
via_kwd() { submit_with "$1" "$kwctl" submit; }
rc_of() { cat "$work/$1.rc" 2>/dev/null; }
id_of() { jq -r '.job_id // empty' "$work/$1.out" 2>/dev/null; }
# show NAME: the job's answer in brief, for a failure's message.
show() {
        printf 'exit %s after %s ms; stderr: %s\n     ' "$(rc_of "$1")" "$(cat "$work/$1.ms" 2>/dev/null)" "$(head -c 300 "$work/$1.err")"
        jq -c '{status, verdict, score, error: (.error // "" | .[0:400]), exit_code, output: (.output // "" | .[0:100]),
                compile: (.compile | if . then (.output |= .[0:200]) else . end),
                test_results: [.test_results[]? | {verdict, passed, actual: (.actual | .[0:60]), checker_message, score, exit_code, signal}]}' \
                "$work/$1.out" 2>/dev/null | head -c 2500 || head -c 600 "$work/$1.out"
}
# expect DESCRIPTION NAME RC JQ-FILTER [JQ-ARG...]: job NAME's kwctl exited RC and FILTER holds of
# its answer; else what was found.
expect() {
        local d=$1 n=$2 rc=$3 f=$4
        shift 4
        if [ "$(rc_of "$n")" != "$rc" ]; then
                fail "$d" "expected exit $rc; $(show "$n")"
        elif ! jq -e "$@" "$f" "$work/$n.out" >/dev/null 2>&1; then
                fail "$d" "not true of the answer: $(tr -s ' \n' ' ' <<<"$f" | head -c 300)
     $(show "$n")"
        else
                ok "$d"
        fi
}

# ---- the journal: who ran what ----
# roles_of JOB_ID: the job's run summaries counted by KW_ROLE, "checker=5 checker-compile=1 compile=1 test=7".
roles_of() {
        [ -n "$1" ] || { echo "(no job id)"; return; }
        journalctl --namespace='*' -q --no-pager -o json SYSLOG_IDENTIFIER=kw KW_SUMMARY=1 "KW_JOB_ID=$1" |
                jq -rs 'map(.KW_ROLE // "(no KW_ROLE)") | group_by(.) | map("\(.[0])=\(length)") | join(" ")'
}
# roles_are NAME ROLES: job NAME's summaries are ROLES, once they are all there (a summary may land
# just after the answer); a wrong count waits 10 s and fails.
roles_are() {
        local id
        id=$(id_of "$1")
        [ -n "$id" ] && wait_for "[ \"\$(roles_of $id)\" = \"$2\" ]" 10
}
# verdicts_of NAME ROLE: the KW_VERDICTs of job NAME's summaries of ROLE, counted, on one line.
verdicts_of() {
        journalctl --namespace='*' -q --no-pager -o json SYSLOG_IDENTIFIER=kw KW_SUMMARY=1 "KW_JOB_ID=$(id_of "$1")" "KW_ROLE=$2" |
                jq -rs 'map(.KW_VERDICT) | group_by(.) | map("\(.[0])=\(length)") | join(" ")'
}
# chunks_of NAME ROLE STREAM: what job NAME's runs of ROLE wrote to STREAM, from the journal.
chunks_of() {
        journalctl --namespace='*' -q --no-pager -o cat SYSLOG_IDENTIFIER=kw-run "KW_JOB_ID=$(id_of "$1")" "KW_ROLE=$2" "KW_STREAM=$3"
}
# units_started_since CURSOR: the kw units PID 1 started since CURSOR, one a line, but kwd's cells
# (in kw.slice; kwctl --direct starts its own without a slice). Filtered by jq, not by journalctl:
# systemd 252's journalctl --after-cursor with a match can skip the first entry that matches.
units_started_since() {
        local u
        journalctl --after-cursor="$1" -q --no-pager -o json |
                jq -r 'select(._PID == "1" and .JOB_TYPE == "start" and ((.UNIT // "") | startswith("kw-")) and
                              (.MESSAGE | tostring | startswith("Started"))) | .UNIT' | sort -u |
                while read -r u; do [ "$(systemctl show -P Slice "$u" 2>/dev/null)" = kw.slice ] || echo "$u"; done
}

# ==== 1. bad input: refused (exit 2, the field named), and nothing started ====
# Before anything else runs (kwd's cells are all started), so that every kw unit PID 1 starts
# meanwhile is one of these jobs'.
# A Python job after them, which starts exactly one cell, shows that a start would be seen.
bad_fields=(
        checker.type '{"type": "fuzzy"}'
        checker.abs_tol '{"type": "float", "abs_tol": -1e-6}'
        checker.abs_tol '{"type": "float", "abs_tol": "0.1"}'
        checker.rel_tol '{"type": "float", "rel_tol": -1}'
        checker.code '{"type": "custom", "language": "python"}'
        checker.code '{"type": "custom", "language": "python", "code": ""}'
        checker.language '{"type": "custom", "language": "cobol", "code": "print(1)"}'
        checker.abs_tol '{"type": "tokens", "abs_tol": 1e-6}'
        checker.rel_tol '{"type": "exact", "rel_tol": 0}'
        checker '"exact"'
)
bad_cursor=$(cursor)
for ((i = 0; i < ${#bad_fields[@]}; i += 2)); do
        field=${bad_fields[i]} value=${bad_fields[i + 1]}
        mkjob "bad-$i" c hello.c "$(with "$(cases '' $'Hello, world\n')" "{\"checker\": $value}")"
        direct "bad-$i"
        check "bad input: checker $value is refused (exit 2), naming $field" \
                '[ "$(rc_of bad-$i)" = 2 ] && [ ! -s "$work/bad-$i.out" ] && [ "$(wc -l <"$work/bad-$i.err")" = 1 ] &&
                 grep -q "^kwctl: $field: " "$work/bad-$i.err"' 'show bad-$i'
done
job "print(1)" python >"$work/control.json"
direct control
control_unit=$(journalctl -q --no-pager -o json SYSLOG_IDENTIFIER=kw KW_SUMMARY=1 "KW_JOB_ID=$(id_of control)" | jq -r .KW_UNIT | head -1)
check "bad input: no kw unit started for the refused jobs (the job after them: its one cell, $control_unit, seen)" \
        '[ "$(rc_of control)" = 0 ] && [[ $control_unit == kw-* ]] &&
         wait_for "units_started_since \"\$bad_cursor\" | grep -qxF \"\$control_unit\"" 10 &&
         [ "$(units_started_since "$bad_cursor")" = "$control_unit" ]' \
        'echo "control job: exit $(rc_of control), unit $control_unit; started since: $(units_started_since "$bad_cursor" | tr "\n" " ")"'

# ==== 2. compiler bombs, stopped by the [compile] limits ====
# kw's reasons, the limit named. A compiler's process stopped by its RLIMIT_CPU fails the driver, which
# exits by itself: kw counts a failure with no program within a tenth of the limit as the limit.
cpu_limit="^compilation error: the compiler (used more than|reached) its CPU time limit of"
memory_limit="^compilation error: the compiler used more than its memory limit of"
one_case=$(cases '' '')
mkjob bomb-cpu cpp cpu-bomb.cpp "$one_case"
mkjob bomb-zero c dev-zero.c "$one_case"
mkjob bomb-passwd c etc-passwd.c "$one_case"
mkjob bomb-data c big-data.c "$one_case"
mkjob bomb-flood c error-flood.c "$one_case"
# The CPU bomb alone: beside the other bombs (two of them CPU-bound too) on two cores, it got less than
# half a core and its wall-clock limit (twice its CPU limit) came first, once in CI.
in_parallel bomb-zero bomb-passwd bomb-data bomb-flood
direct bomb-cpu
# Every bomb: a compilation error, no case run, and the error is its reason, then the messages.
read -r -d '' compile_failed <<'EOF'
.status == "error" and .verdict == "compilation_error" and .compile.verdict == "compilation_error" and
(.test_results | length) == 1 and all(.test_results[]; .actual == "" and .passed == false and .verdict == "compilation_error") and
((.error | split("\n")[0]) as $why | .error == $why or .error == $why + "\n" + .compile.output)
EOF
# Its wall-clock limit comes first only where the machine gave it less CPU than its CPU limit in that time.
expect "bomb: a C++ constexpr loop is stopped at the compile's CPU limit ($cpp_time_ms ms), memory limit ($((cpp_memory_bytes >> 20)) MB), or wall-clock limit ($cpp_wall_time_ms ms) with less CPU than its limit" \
        bomb-cpu 1 "$compile_failed"' and ((.error | test("\($cpu) \($ms) ms(\n|$)")) and .compile.time_ms >= $ms * 9 / 10 or
                (.error | test("\($mem) \($mb) MB(\n|$)")) or
                (.error | startswith("compilation error: the compiler ran longer than its wall-clock limit of \($wall) ms")) and
                .compile.wall_time_ms >= $wall and .compile.time_ms < $ms)' \
        --arg cpu "$cpu_limit" --arg mem "$memory_limit" --argjson ms "$cpp_time_ms" --argjson mb $((cpp_memory_bytes >> 20)) \
        --argjson wall "$cpp_wall_time_ms"
expect "bomb: #include \"/dev/zero\" is stopped at the compile's CPU ($c_time_ms ms), wall-clock ($c_wall_time_ms ms) or memory limit ($((c_memory_bytes >> 20)) MB)" \
        bomb-zero 1 "$compile_failed"' and ((.error | test("\($cpu) \($ms) ms(\n|$)")) or (.error | test("\($mem) \($mb) MB(\n|$)")) or
                (.error | startswith("compilation error: the compiler ran longer than its wall-clock limit of \($wall) ms")))' \
        --arg cpu "$cpu_limit" --arg mem "$memory_limit" --argjson ms "$c_time_ms" --argjson mb $((c_memory_bytes >> 20)) --argjson wall "$c_wall_time_ms"
for n in bomb-cpu bomb-zero bomb-data; do
        echo "     ($n: $(jq -r '.error // "" | split("\n")[0:2] | join(" / ") | .[0:200]' "$work/$n.out" 2>/dev/null); compile time_ms $(jq -r .compile.time_ms "$work/$n.out" 2>/dev/null), wall_time_ms $(jq -r .compile.wall_time_ms "$work/$n.out" 2>/dev/null))"
done
expect "bomb: #include \"/etc/passwd\" finds no such file: the compile's root is minimal" \
        bomb-passwd 1 "$compile_failed"' and (.error | startswith("compilation error: the compiler exited with code 1\n")) and
                (.compile.output | contains("/etc/passwd: No such file or directory")) and .compile.exit_code == 1'
expect "bomb: 1 GiB of initialised data is stopped at the file size limit (SIGXFSZ) or the tmpfs's size" \
        bomb-data 1 "$compile_failed"' and ((.error | test("SIGXFSZ|File size limit exceeded|No space left on device")))'
expect "bomb: an error flood's messages are cut at message_bytes ($c_message_bytes), output_truncated" \
        bomb-flood 1 "$compile_failed"' and .compile.output_truncated == true and .compile.exit_code == 1 and
                (.compile.output | utf8bytelength) <= $max and (.compile.output | utf8bytelength) > $max - 8 and
                (.error | startswith("compilation error: the compiler exited with code 1\n")) and
                (.error | utf8bytelength) <= $max + 64 and (.compile.output | contains("main.c:"))' --argjson max "$c_message_bytes"
for n in bomb-cpu bomb-zero bomb-passwd bomb-data bomb-flood; do
        check "bomb $n: compiled (once), no test run (the journal)" 'roles_are $n compile=1' 'echo "roles: $(roles_of "$(id_of $n)")"'
done
# A program whose file does not fit in its memory limit: copied into its root, it OOM-kills the run's
# init before the program starts. The code's doing: memory_limit_exceeded, not kw's internal_error.
mkjob fat c fat.c "$(with "$(cases '' $'1\n' '' $'1\n')" '{"limits": {"memory_bytes": 33554432}}')"
direct fat
expect "a 40 MiB program under a 32 MiB limit: memory_limit_exceeded (its file is in its memory), not internal_error" fat 1 \
        '.compile.verdict == "accepted" and .verdict == "memory_limit_exceeded" and
         all(.test_results[]; .verdict == "memory_limit_exceeded" and .passed == false)'
check "after the bombs: no cell, unit or process left" 'wait_for "[ \"\$(leftovers)\" = 0 ]" 10' leftovers_list
mkjob after-bombs c hello.c
direct after-bombs
expect "after the bombs: the next job is judged normally" after-bombs 0 \
        '.status == "success" and .verdict == "accepted" and .output == "Hello, world\n" and .compile.verdict == "accepted"'

# ==== 3. a hostile checker, in the background (its fork bomb runs to the wall-clock limit) ====
# The contestant prints what it finds of its checker's files; the checker tries to escape (probe),
# or forks forever (forkbomb). Its cell's tasks are sampled while it runs: the bomb must fill the
# process limit and never pass it.
no_peek=$'/run/kw/answer: ENOENT\n/run/kw/output: ENOENT\n/run/kw/input: ENOENT\n/run/kw: '"$c_product"$'\n'
mkjob escape c no-peek.c "$(with "$(cases probe "$no_peek" forkbomb "$no_peek")" "$(custom python escape.py)")"
direct escape &
escape_pid=$!
# bomb_sampler: while the job runs, the cells of Python checkers (a process running the checker's
# argv) and their tasks (systemd's TasksCurrent); the most any one held, "UNIT MAX", in
# $work/bomb.tasks. Other jobs' Python checkers run meanwhile, a few tasks each: the most is the bomb's.
checker_argv='/run/kw/main.py /run/kw/input /run/kw/output /run/kw/answer'
bomb_sampler() {
        local max=0 best=none unit n pid
        echo "$best $max" >"$work/bomb.tasks"
        while kill -0 "$escape_pid" 2>/dev/null; do
                for unit in $(ps -eo pid=,args= | awk -v argv="$checker_argv" 'index($0, argv) { print $1 }' | while read -r pid; do
                                sed -n 's|^0::.*/\(kw-[^/]*\.service\).*|\1|p' "/proc/$pid/cgroup" 2>/dev/null
                        done | sort -u); do
                        n=$(systemctl show -P TasksCurrent "$unit" 2>/dev/null)
                        [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt "$max" ] && max=$n best=$unit
                done
                echo "$best $max" >"$work/bomb.tasks"
                sleep 0.5
        done
}
bomb_sampler &
sampler_pid=$!

# ==== 4. hello and sums in C, C++, Java and Rust (a language that is data alone); a compile error in each ====
declare -A ext_of=([c]=c [cpp]=cpp [java]=java [rust]=rs)
for l in c cpp java rust; do
        mkjob "hello-$l" "$l" "hello.${ext_of[$l]}"
        mkjob "sum-$l" "$l" "sum.${ext_of[$l]}" "$(cases $'1 2\n' $'3\n' $'10 20 30\n' 60 $'-5\n5\n' $'0\n' $'5 5\n' $'11\n')"
        mkjob "error-$l" "$l" "error.${ext_of[$l]}" "$(cases $'1 2\n' $'3\n' $'4 4\n' $'8\n')"
done
in_parallel hello-java sum-java error-java hello-c sum-c error-c hello-cpp sum-cpp error-cpp hello-rust sum-rust error-rust
declare -A source_of=([c]=main.c [cpp]=main.cpp [java]=Main.java [rust]=main.rs)
declare -A time_limit_of=([c]=$c_time_ms [cpp]=$cpp_time_ms [java]=$java_time_ms [rust]=$rust_time_ms)
for l in c cpp java rust; do
        # Compiled within half the CPU limit: a hello is nowhere near it.
        expect "$l hello: accepted, exit 0, compiled (exit 0, 0 < time_ms < $((time_limit_of[$l] / 2)), no messages)" "hello-$l" 0 \
                '.status == "success" and .verdict == "accepted" and .output == "Hello, world\n" and .error == null and .exit_code == 0 and
                 .compile.verdict == "accepted" and .compile.exit_code == 0 and .compile.time_ms > 0 and .compile.time_ms < $half and
                 .compile.wall_time_ms > 0 and .compile.memory_bytes > 0 and .compile.output == "" and (.compile | has("output_truncated") | not)' \
                --argjson half $((time_limit_of[$l] / 2))
        check "$l hello: compiled once, run once (the journal)" 'roles_are hello-$l "compile=1 test=1"' 'echo "roles: $(roles_of "$(id_of hello-$l)")"'
        expect "$l sum: three cases accepted, a wrong answer (passed false, verdict wrong_answer, status success, exit 0)" "sum-$l" 0 \
                '.status == "success" and .error == null and .verdict == "wrong_answer" and .compile.verdict == "accepted" and
                 [.test_results[].passed] == [true, true, true, false] and [.test_results[].verdict] == ["accepted", "accepted", "accepted", "wrong_answer"] and
                 [.test_results[].actual] == ["3\n", "60\n", "0\n", "10\n"] and .output == "3\n" and all(.test_results[]; .exit_code == 0)'
        check "$l sum: compiled once for its 4 cases (the journal)" 'roles_are sum-$l "compile=1 test=4"' 'echo "roles: $(roles_of "$(id_of sum-$l)")"'
        expect "$l compile error: compilation_error, status error, exit 1, the error names ${source_of[$l]} and then the messages" "error-$l" 1 \
                '.status == "error" and .verdict == "compilation_error" and .compile.verdict == "compilation_error" and .compile.exit_code == 1 and
                 (.error | startswith("compilation error: the compiler exited with code 1\n")) and
                 (.error | contains($src + ":")) and (.error | split("\n")[1:] | join("\n")) == .compile.output' --arg src "${source_of[$l]}"
        # Paths of the host (the checkout, root's home, the suite's scratch) or of the sandbox's source
        # directory; a system header (/usr/include) is fine.
        expect "$l compile error: no host path in the error or the messages" "error-$l" 1 \
                '[.error, .compile.output] | all(test("/work|/root|/tmp/kw|/run/kw/") | not)'
        expect "$l compile error: every case listed, actual \"\", passed false, verdict compilation_error" "error-$l" 1 \
                '(.test_results | length) == 2 and all(.test_results[]; .actual == "" and .passed == false and .verdict == "compilation_error") and
                 [.test_results[].input] == ["1 2\n", "4 4\n"] and [.test_results[].expected] == ["3\n", "8\n"]'
        check "$l compile error: compiled once, no test run (the journal)" 'roles_are error-$l compile=1' 'echo "roles: $(roles_of "$(id_of error-$l)")"'
done

# ==== 5. the built-in checkers, each passing and failing ====
mkjob chk-exact c cat.c "$(with "$(cases $'x\n' $'x\n' $'x\n' x $'a b\n' $'a  b\n')" '{"checker": {"type": "exact"}}')"
lines_cases=$(cases $'x\n' x $'x \t\n\n\n' x $'1 2\n' '1  2' $' x\n' x $'a\n\nb\n' $'a\nb\n')
mkjob chk-lines c cat.c "$(with "$lines_cases" '{"checker": {"type": "lines"}}')"
mkjob chk-default c cat.c "$lines_cases"
mkjob chk-tokens c cat.c "$(with "$(cases $'1 2\n' '1  2' $'1\n2\n' ' 1 2 ' $'1 2\n' '1 3' $'12\n' '1 2')" '{"checker": {"type": "tokens"}}')"
mkjob chk-float c float.c "$(with "$(cases '' 0.3 $'nan\n' '0.3 nan' $'inf\n' '0.3 -inf' $'inf\n' '0.3 inf' $'1.0000001\n' '0.3 1' \
        $'0x10\n' '0.3 16' $'1e3 x\n' '0.3 1000 x' $'y\n' '0.3 x')" '{"checker": {"type": "float", "abs_tol": 1e-9, "rel_tol": 0}}')"
mkjob chk-float0 c float.c "$(with "$(cases '' 0.3 '' 0.30000000000000004)" '{"checker": {"type": "float", "abs_tol": 0, "rel_tol": 0}}')"
mkjob chk-floatrel c float.c "$(with "$(cases $'1000.0001\n' '0.3 1000' $'1000.01\n' '0.3 1000')" '{"checker": {"type": "float", "abs_tol": 0, "rel_tol": 1e-6}}')"
# ==== 6. a custom checker in Python, a Java heap, and 20 cases compiled once (kwctl --direct) ====
# contestant.cpp: A B [MODE]; checker.py: accepted, wrong answer, presentation error, partial 0.5,
# its own failure (exit 3: the answer is no number), then a crash and a timeout, never checked.
custom_cases=$(cases $'1 2\n' 3 $'2 2\n' 9 $'1 1 words\n' 2 $'3 3\n' 7 $'1 1\n' two $'0 0 crash\n' 0 $'0 0 loop\n' 0)
mkjob custom-py cpp contestant.cpp "$(with "$custom_cases" "$(custom python checker.py)" '{"limits": {"time_ms": 1000}}')"
memory=$((512 << 20))
mkjob java-memory java memory.java "$(with "$(cases $'300\n' $'allocated 300 MB true\n' $'700\n' $'allocated 700 MB true\n' grow '')" \
        "{\"limits\": {\"memory_bytes\": $memory}}")"
twenty=()
for i in $(seq 1 20); do twenty+=("$i $i"$'\n' "$((2 * i))"$'\n'); done
mkjob twenty-direct c sum.c "$(cases "${twenty[@]}")"
in_parallel java-memory custom-py twenty-direct chk-exact chk-lines chk-default chk-tokens chk-float chk-float0 chk-floatrel

expect "checker exact: byte for byte (x\\n = x\\n; x\\n != x; a b != a  b), with its messages" chk-exact 0 \
        '.verdict == "wrong_answer" and [.test_results[].passed] == [true, false, false] and
         [.test_results[].verdict] == ["accepted", "wrong_answer", "wrong_answer"] and (.score * 3 | . > 0.999999 and . < 1.000001) and
         [.test_results[].checker_message] == ["ok: 2 bytes", "wrong answer: expected 1 byte, found 2", "wrong answer: byte 3 differs (line 1)"]'
read -r -d '' lines_judged <<'EOF'
[.test_results[].passed] == [true, true, false, false, false] and
[.test_results[].verdict] == ["accepted", "accepted", "wrong_answer", "wrong_answer", "wrong_answer"]
EOF
expect "checker lines: trailing blanks and empty lines ignored, not inner or leading ones" chk-lines 0 \
        "$lines_judged"' and .test_results[1].checker_message == "ok: 1 line" and
         .test_results[2].checker_message == "wrong answer: line 1 differs: expected '"'1  2'"', found '"'1 2'"'"'
expect "checker: none given is the lines rule" chk-default 0 "$lines_judged"
expect "checker tokens: whitespace-separated tokens (1 2 = 1  2 = 1\\n2; 1 2 != 1 3 or 12)" chk-tokens 0 \
        '[.test_results[].passed] == [true, true, false, false] and .test_results[0].checker_message == "ok: 2 tokens" and
         .test_results[2].checker_message == "wrong answer: token 2 differs: expected '"'3'"', found '"'2'"'"'
expect "checker float (abs 1e-9, rel 0): 0.1+0.2 = 0.3, nan = nan, inf = inf != -inf, 1.0000001 != 1, no hex, text exact" chk-float 0 \
        '.test_results[0].actual == "0.30000000000000004\n" and [.test_results[].passed] == [true, true, false, true, false, false, true, false] and
         .test_results[2].checker_message == "wrong answer: token 2 differs: expected '"'-inf'"', found '"'inf'"'"' 
expect "checker float (abs 0, rel 0): 0.30000000000000004 is not 0.3, only itself" chk-float0 0 \
        '[.test_results[].passed] == [false, true] and .test_results[0].verdict == "wrong_answer"'
expect "checker float (abs 0, rel 1e-6): 1000.0001 = 1000, 1000.01 != 1000" chk-floatrel 0 '[.test_results[].passed] == [true, false]'

# The custom checkers' verdicts, messages (the first line of their stderr) and scores, for the cases
# of custom_cases; no job score, since case 5 is the checker's failure (kw's side, not the contestant's).
read -r -d '' custom_judged <<'EOF'
[.test_results[].verdict] == ["accepted", "wrong_answer", "presentation_error", "wrong_answer", "internal_error", "killed_by_signal", "time_limit_exceeded"] and
[.test_results[].passed] == [true, false, false, false, false, false, false] and
[.test_results[].actual] == ["3\n", "4\n", "two\n", "6\n", "2\n", "", ""] and
[.test_results[0:4][].checker_message] == ["ok: the sum is 3", "wrong answer: expected 9, found 4",
        "presentation error: expected one integer, found 'two'", "partial: off by one (expected 7, found 6)"] and
(.test_results[4].checker_message | startswith("checker failed (exit 3)") and endswith("bad answer file: 'two' is not a number")) and
.test_results[5].checker_message == null and .test_results[6].checker_message == null and
[.test_results[0:4][].score] == [1, 0, 0, 0.5] and
.score == null and .verdict == "internal_error" and
all(.test_results[]; .checker_message // "" | contains("second line") | not)
EOF
expect "custom checker, Python: accepted, wrong answer, presentation error, partial 0.5, its failure (internal_error, exit 3); no job score (a case is kw's failure)" \
        custom-py 3 "$custom_judged"
check "custom checker, Python: run for the 5 cases that ended normally, not the crash or the timeout (the journal)" \
        'roles_are custom-py "checker=5 compile=1 test=7"' 'echo "roles: $(roles_of "$(id_of custom-py)")"'
check "custom checker, Python: its output chunks carry KW_ROLE=checker (all of its stderr, 5 runs)" \
        '[ "$(chunks_of custom-py checker stderr | grep -c "this second line is never reported")" = 5 ] &&
         [ "$(chunks_of custom-py test stdout | grep . | sort | tr "\n" " ")" = "2 3 4 6 two " ]' \
        'echo "checker stderr: $(chunks_of custom-py checker stderr | head -c 300); test stdout: $(chunks_of custom-py test stdout | head -c 100)"'

expect "java: an int[] of 300 MB within a $((memory >> 20)) MB limit (the heap) is accepted" java-memory 1 \
        '.test_results[0].verdict == "accepted" and .test_results[0].actual == "allocated 300 MB true\n" and
         .test_results[0].memory_bytes >= 300 * 1048576'
# The JVM ends with heap_exit_code (3) when its heap, the memory limit, is full: memory_limit_exceeded.
expect "java: an int[] of 700 MB, or 8 MB arrays until the heap is full, over a $((memory >> 20)) MB limit: memory_limit_exceeded (the heap's limit)" java-memory 1 \
        'all(.test_results[1:][]; .passed == false and .verdict == "memory_limit_exceeded" and .exit_code == 3) and
         .verdict == "memory_limit_exceeded" and (.error | test("its heap reached the limit of 512 MB"))'

expect "20 cases (kwctl --direct): all accepted" twenty-direct 0 \
        '.verdict == "accepted" and (.test_results | length) == 20 and all(.test_results[]; .verdict == "accepted" and .passed)'
check "20 cases (kwctl --direct): compiled once, 20 test runs, all accepted (the journal)" \
        'roles_are twenty-direct "compile=1 test=20" && [ "$(verdicts_of twenty-direct test)" = accepted=20 ]' \
        'echo "roles: $(roles_of "$(id_of twenty-direct)"); test verdicts: $(verdicts_of twenty-direct test)"'

# ==== 7. through kwd: a C++ job with a C++ checker, 20 cases compiled once ====
mkjob custom-cpp cpp contestant.cpp "$(with "$custom_cases" "$(custom cpp checker.cpp)" '{"limits": {"time_ms": 1000}}')"
mkjob twenty-kwd c sum.c "$(cases "${twenty[@]}")"
via_kwd custom-cpp & p1=$!
via_kwd twenty-kwd & p2=$!
wait "$p1" "$p2"
check "kwd: the jobs went through kwd (their output in its namespace, kw)" \
        'id=$(id_of twenty-kwd); [ -n "$id" ] && wait_for "journalctl --namespace=kw -q --no-pager SYSLOG_IDENTIFIER=kw-run KW_JOB_ID=$id KW_STREAM=stdout | grep -q ." 10' \
        'echo "job id $(id_of twenty-kwd); kwd: $(systemctl is-active kwd.service)"; show twenty-kwd'
expect "custom checker, C++ through kwd: accepted, wrong answer, presentation error, partial 0.5, its failure (internal_error, exit 3); no job score (a case is kw's failure)" \
        custom-cpp 3 "$custom_judged"
check "custom checker, C++ through kwd: compiled once, run for the 5 cases that ended normally (the journal)" \
        'roles_are custom-cpp "checker=5 checker-compile=1 compile=1 test=7"' 'echo "roles: $(roles_of "$(id_of custom-cpp)")"'
expect "20 cases through kwd: all accepted" twenty-kwd 0 \
        '.verdict == "accepted" and (.test_results | length) == 20 and all(.test_results[]; .verdict == "accepted" and .passed)'
check "20 cases through kwd: compiled once, 20 test runs, all accepted (the journal)" \
        'roles_are twenty-kwd "compile=1 test=20" && [ "$(verdicts_of twenty-kwd test)" = accepted=20 ]' \
        'echo "roles: $(roles_of "$(id_of twenty-kwd)"); test verdicts: $(verdicts_of twenty-kwd test)"'

# ==== 8. the hostile checker's results ====
wait "$escape_pid"
wait "$sampler_pid"
read -r bomb_unit bomb_tasks <"$work/bomb.tasks"
read -r -d '' contained <<'EOF'
.test_results[0].verdict == "accepted" and .test_results[0].passed and .test_results[0].checker_message == "contained: 16 attempts blocked"
EOF
expect "hostile checker: cannot write, truncate, chmod, unlink or rename the output or the answer, create a file, read /etc/shadow, /root or /work, connect anywhere, kill -1" \
        escape 3 "$contained"
# Its growth stopped by the process limit, its run by the clock (CPU or wall): a limit, not kw failing.
expect "hostile checker: its fork bomb, ended by a time limit, is that case's internal_error (not the contestant's verdict); kwctl exit 3" escape 3 \
        '.test_results[1].verdict == "internal_error" and .test_results[1].passed == false and
         (.test_results[1].checker_message | startswith("checker failed: time limit exceeded")) and .verdict == "internal_error"'
expect "hostile checker: each case's actual is exactly what the contestant printed" escape 3 \
        '[.test_results[].actual] == [$out, $out]' --arg out "$no_peek"
echo "     (the fork bomb's cell, $bomb_unit: at most $bomb_tasks tasks seen; its case: $(jq -r '.test_results[1].checker_message' "$work/escape.out" 2>/dev/null))"
check "hostile checker: its fork bomb filled the process limit ($run_processes, +2 for kw-exec and init) and never passed it" \
        '[[ $bomb_unit == kw-* ]] && [ "$bomb_tasks" -ge "$run_processes" ] && [ "$bomb_tasks" -le $((run_processes + 2)) ]' \
        'echo "most tasks seen in $bomb_unit: $bomb_tasks"'
expect "hostile checker: the contestant saw none of its checker's files (/run/kw holds $c_product alone)" escape 3 \
        'all(.test_results[]; .actual | split("\n") | .[0:3] == ["/run/kw/answer: ENOENT", "/run/kw/output: ENOENT", "/run/kw/input: ENOENT"] and
                .[3] == "/run/kw: \($product)")' --arg product "$c_product"
check "hostile checker: run twice (one per case), the contestant compiled once (the journal)" \
        'roles_are escape "checker=2 compile=1 test=2"' 'echo "roles: $(roles_of "$(id_of escape)")"'

# ---- the end: nothing left, and the machine as the suite found it ----
check "nothing left: no unit but kwd's idle cells, no run, no process" 'wait_for "[ \"\$(leftovers)\" = 0 ]" 10' leftovers_list
# A sanitized kwd (test.sh runs this suite with build-asan too) reports into its journal, leaks as it stops.
systemctl stop kwd.service
check "no sanitizer report from kwd" '! journalctl -q --no-pager -u kwd.service | grep -qE "AddressSanitizer|LeakSanitizer|runtime error:"' \
        'journalctl -q --no-pager -u kwd.service | grep -E -m3 "AddressSanitizer|LeakSanitizer|runtime error:"'
"$top/scripts/kwd-dev.sh" uninstall
check "uninstalled: no unit, cell, drop-in, socket or run directory of the suite's left" '[ "$(kw_state)" = "$state_before" ]' \
        'diff <(echo "$state_before") <(kw_state)'
echo "compiled: the suite took $((SECONDS - suite_start)) s; its slowest jobs (ms): $(for f in "$work"/*.ms; do
        echo "$(basename "$f" .ms)=$(cat "$f")"; done | sort -t= -k2 -rn | head -6 | tr '\n' ' ')"
summary compiled
