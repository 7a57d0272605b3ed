#!/usr/bin/env bash
# Integration tests of kwctl against the real systemd, journald and dbus of this machine (or of the
# box scripts/systemd.sh starts). Each test submits a job and asserts on the JSON, the exit status,
# and that nothing is left behind. Figures expected come from the job submitted or from the policy
# kwctl runs with. Prints "integration.sh: N passed, M failed" and exits non-zero on any failure.
#   tests/integration.sh [BUILD_DIR]       (KW_IT_QUICK=1 skips the 1000-run burst)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

# No kwd in this suite: kwctl runs each job itself, with the checkout's policy.
KWCTL=("$kwctl" submit --policy "$top/policy")
OUT= ERR= RC=

# submit JSON: run kwctl on it; sets OUT, ERR, RC.
submit() {
        printf '%s' "$1" >"$work/job.json"
        OUT=$("${KWCTL[@]}" "$work/job.json" 2>"$work/err")
        RC=$?
        ERR=$(cat "$work/err")
}
# submitted: what the last kwctl run gave, a failure's detail.
submitted() { printf 'exit %s; stdout: %s\n     stderr: %s' "$RC" "${OUT:0:600}" "${ERR:0:600}"; }

# expect NAME RC JQ-FILTER [JQ-ARGS...]: the last submit exited RC and the filter (given JQ-ARGS,
# such as --argjson for the figures submitted) is true of its output.
expect() {
        local name=$1 rc=$2 filter=$3
        shift 3
        if [ "$RC" != "$rc" ]; then fail "$name" "exit status $RC, expected $rc
     $(submitted)"; return; fi
        if ! printf '%s' "$OUT" | jq -e "$@" "$filter" >/dev/null 2>&1; then fail "$name" "jq: $filter
     $(submitted)"; return; fi
        ok "$name"
}

# ---- languages, stdin, judging ----
submit "$(job 'print("Hello from Python")' python)"
expect "python hello" 0 '.status == "success" and .output == "Hello from Python\n" and .error == null and .test_results == [] and .verdict == "accepted" and .exit_code == 0'

submit "$(job 'console.log("Hello from JavaScript")' javascript)"
expect "javascript hello" 0 '.status == "success" and .output == "Hello from JavaScript\n"'

submit "$(job 'a, b = map(int, input().split())
print(a + b)' python '{"test_cases":[{"input":"1 2\n","expected":"3\n"},{"input":"5 5\n","expected":"11\n"},{"input":"-1 1","expected":"0"}]}')"
expect "stdin cases, one failing" 0 '.status == "success" and .error == null and .verdict == "wrong_answer" and
        ([.test_results[].passed] == [true, false, true]) and .test_results[1].actual == "10\n" and
        .test_results[1].verdict == "wrong_answer" and .output == "3\n"'

submit "$(job 'const lines = require("fs").readFileSync(0, "utf8").trim().split("\n");
console.log(lines.map(Number).reduce((a, b) => a + b, 0));' javascript '{"test_cases":[{"input":"1\n2\n3\n","expected":"6"},{"input":"10\n","expected":"10\n"}]}')"
expect "javascript stdin cases" 0 '[.test_results[].passed] == [true, true] and .verdict == "accepted"'

submit "$(job 'import sys; sys.stdout.write("no newline")' python '{"test_cases":[{"input":"","expected":"no newline\n"}]}')"
expect "missing final newline: read exactly, judged equal" 0 '.test_results[0].actual == "no newline" and .test_results[0].passed'

submit "$(job 'print("1 \t"); print("2\r"); print(); print()' python '{"test_cases":[{"input":"","expected":"1\n2"},{"input":"","expected":"1\n\n2"},{"input":"","expected":" 1\n2"}]}')"
expect "comparison: trailing blanks and empty lines only" 0 '[.test_results[].passed] == [true, false, false] and .test_results[0].actual == "1 \t\n2\r\n\n\n"'

submit "$(job 'import sys; sys.stdout.buffer.write(b"\xff\xfe\x00ok\x01\n")' python)"
expect "non-UTF-8 and NUL output give valid JSON" 0 '.output == "\ufffd\ufffd\u0000ok\u0001\n"'

submit "$(job 'import sys; print("to stdout"); print("to stderr", file=sys.stderr)' python)"
expect "stdout and stderr apart" 0 '.output == "to stdout\n" and .stderr == "to stderr\n"'

# ---- failures a contestant sees ----
submit "$(job 'def f():
    raise ValueError("boom")
f()' python)"
expect "python runtime error" 1 '.status == "error" and .verdict == "runtime_error" and .exit_code == 1 and
        (.error | startswith("runtime error: exited with code 1")) and (.error | contains("ValueError: boom")) and
        (.error | contains("File \"/run/kw/main.py\", line 2"))'

submit "$(job 'null.x' javascript '{"test_cases":[{"input":"","expected":""},{"input":"","expected":""}]}')"
expect "javascript runtime error names the test" 1 '.status == "error" and (.error | startswith("Test 1: runtime error")) and
        (.error | contains("TypeError")) and (.error | contains("and 1 more test")) and .test_results[1].verdict == "runtime_error"'

submit "$(job 'print("hi"' python)"
expect "python syntax error" 1 '.verdict == "runtime_error" and (.error | contains("SyntaxError"))'

submit "$(job 'function (' javascript)"
expect "javascript syntax error" 1 '.verdict == "runtime_error" and (.error | contains("SyntaxError"))'

submit "$(job 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)' python)"
expect "killed by a named signal" 1 '.verdict == "killed_by_signal" and .signal == "SIGSEGV" and .exit_code == null and (.error | contains("SIGSEGV"))'

submit "$(job 'import ctypes; ctypes.CDLL(None).mount(b"none", b"/tmp", b"tmpfs", 0, None)' python)"
expect "forbidden system call (mount) is SIGSYS" 1 '.verdict == "killed_by_signal" and .signal == "SIGSYS" and (.error | contains("forbidden system call"))'

# ---- limits: each at the job's own figure, each named in the result ----
cpu_ms=1000
submit "$(job 'while True: pass' python "{\"limits\":{\"time_ms\":$cpu_ms}}")"
# Stopped by LimitCPU (SIGXCPU), never before it had its whole limit: LimitCPU also counts
# systemd's set-up of the unit, which the time reported (and judged) leaves out.
expect "CPU loop: time limit, all of it given" 1 '.verdict == "time_limit_exceeded" and .signal == "SIGXCPU" and
        .time_ms >= $ms and (.error | contains("CPU time limit of \($ms) ms"))' --argjson ms "$cpu_ms"

submit "$(job 'while(true){}' javascript "{\"limits\":{\"time_ms\":$cpu_ms}}")"
expect "javascript CPU loop: time limit, all of it given" 1 '.verdict == "time_limit_exceeded" and .time_ms >= $ms and
        (.error | contains("CPU time limit of \($ms) ms"))' --argjson ms "$cpu_ms"

wall_ms=1000
submit "$(job 'import time; time.sleep(60)' python "{\"limits\":{\"wall_time_ms\":$wall_ms}}")"
expect "sleeping: wall-clock limit" 1 '.verdict == "time_limit_exceeded" and (.error | contains("wall-clock limit of \($ms) ms"))' \
        --argjson ms "$wall_ms"

submit "$(job 'input(); input()' python "{\"limits\":{\"wall_time_ms\":$wall_ms},\"test_cases\":[{\"input\":\"one line\n\",\"expected\":\"\"}]}")"
expect "waiting on stdin ends at EOF, not a hang" 1 '.test_results[0].verdict == "runtime_error" and (.error | contains("EOFError"))'

mem=$((128 << 20))
submit "$(job 'x = []
while True: x.append(bytearray(10**7))' python "{\"limits\":{\"memory_bytes\":$mem}}")"
expect "python memory bomb: memory limit" 1 '.verdict == "memory_limit_exceeded" and .memory_bytes >= $mem * 0.89 and
        (.error | contains("more than \($mem / 1048576) MB"))' --argjson mem "$mem"

mem=$((256 << 20))
submit "$(job 'const a = []; while (true) a.push(new Array(1e6).fill(1));' javascript "{\"limits\":{\"memory_bytes\":$mem}}")"
expect "javascript memory bomb: memory limit" 1 '.verdict == "memory_limit_exceeded" and (.error | contains("more than \($mem / 1048576) MB"))' \
        --argjson mem "$mem"

out_bytes=65536
submit "$(job 'import sys
while True: sys.stdout.write("x" * 4096)' python "{\"limits\":{\"output_bytes\":$out_bytes}}")"
expect "output flood: output limit" 1 '.verdict == "output_limit_exceeded" and (.output | length) == $n and
        (.error | contains("more than \($n) bytes"))' --argjson n "$out_bytes"

# TasksMax counts the program itself: it can fork one fewer than the limit, then fork fails.
procs=16
submit "$(job 'import os
n = 0
try:
    while True:
        if os.fork() == 0:
            import time; time.sleep(30)
        n += 1
except OSError as e:
    print("fork stopped after", n, type(e).__name__)' python "{\"limits\":{\"processes\":$procs,\"wall_time_ms\":5000}}")"
expect "fork bomb: bounded processes" 0 '.status == "success" and .output == "fork stopped after \($n - 1) BlockingIOError\n"' \
        --argjson n "$procs"

# LimitFSIZE is the job's file_size_bytes: Python ignores SIGXFSZ, so its writes meet EFBIG exactly
# there (the limit is no multiple of the writes, so the last one is cut short at it).
fsize=1000000
submit "$(job 'import errno, os
fd = os.open("/tmp/big", os.O_WRONLY | os.O_CREAT)
n = 0
try:
    while True:
        n += os.write(fd, b"x" * 65536)
except OSError as e:
    print(errno.errorcode[e.errno], "after", n, "bytes")' python "{\"limits\":{\"file_size_bytes\":$fsize}}")"
expect "file size limit: EFBIG at the job's file_size_bytes" 0 '.verdict == "accepted" and .output == "EFBIG after \($n) bytes\n"' \
        --argjson n "$fsize"

# Without a limit of the job's own, the policy's; a program that keeps SIGXFSZ's default action is
# killed by it at the first write past the limit, after saying how far it got.
fsize=$(policy_value file_size_bytes)
submit "$(job 'import os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
fd = os.open("/tmp/big", os.O_WRONLY | os.O_CREAT)
n = 0
while True:
    n += os.write(fd, b"x" * (1 << 20))
    print(n, flush=True)' python)"
expect "file size limit: killed by SIGXFSZ at the policy's file_size_bytes" 1 '.verdict == "killed_by_signal" and .signal == "SIGXFSZ" and
        (.error | contains("SIGXFSZ")) and (.output | rtrimstr("\n") | split("\n") | last) == "\($n)"' --argjson n "$fsize"

# ---- the sandbox ----
submit "$(job 'import os
print(os.getuid() != 0, os.getgid() != 0)
st = open("/proc/self/status").read()
print([l.split()[1] for l in st.splitlines() if l.split(":")[0] in ("CapEff", "CapBnd", "NoNewPrivs", "Seccomp")])
print(repr(open("/proc/self/environ", "rb").read()))' python)"
expect "non-root, no capabilities, seccomp, empty environment" 0 \
        '.output == "True True\n['"'"'0000000000000000'"'"', '"'"'0000000000000000'"'"', '"'"'1'"'"', '"'"'2'"'"']\nb'"'"''"'"'\n"'

submit "$(job 'import socket
for fam, addr in ((socket.AF_INET, ("127.0.0.1", 80)), (socket.AF_INET, ("169.254.169.254", 80)), (socket.AF_INET6, ("::1", 80))):
    try:
        s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(1); s.connect(addr); print("connected", addr)
    except OSError as e:
        print("blocked", e.errno)
for path in ("/run/dbus/system_bus_socket", "/run/systemd/journal/socket", "/run/systemd/private"):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path); print("connected", path)
    except OSError as e:
        print("blocked", e.errno)' python)"
expect "no network, no host sockets" 0 '(.output | contains("connected") | not) and (.output | split("\n") | map(select(startswith("blocked"))) | length) == 6'

submit "$(job 'import os
for p in ("/etc/kw-test", "/usr/kw-test", "/var/lib/kw-test", "/home/kw-test", "/root/kw-test", "/run/kw-test", "/run/kw/main.py", "/tmp/ok", "/var/tmp/ok", "/dev/shm/ok"):
    try:
        open(p, "w").write("x"); print("wrote", p)
    except OSError as e:
        print("denied", p)
for p in ("/root", "/home", "/run/kw-private"):
    try:
        os.listdir(p); print("listed", p)
    except OSError:
        print("hidden", p)' python)"
expect "filesystem: read-only but for the run's tmpfs; /root hidden" 0 \
        '(.output | split("\n") | map(select(startswith("wrote"))) | sort) == ["wrote /dev/shm/ok", "wrote /tmp/ok", "wrote /var/tmp/ok"] and
         (.output | contains("listed") | not)'

# The tmpfs is the job's tmp_bytes: that size, and writing on fills it.
tmp_bytes=$((16 << 20))
submit "$(job 'import errno, os
print(os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize)
try:
    for i in range(1 << 20):
        open("/tmp/fill%d" % i, "wb").write(b"x" * (1 << 20))
except OSError as e:
    print("full", errno.errorcode[e.errno])' python "{\"limits\":{\"tmp_bytes\":$tmp_bytes}}")"
expect "/tmp is a bounded tmpfs" 0 '.output == "\($n)\nfull ENOSPC\n"' --argjson n "$tmp_bytes"

submit "$(job 'import os
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    seen = os.listdir(d)
    open(d + "/mark", "w").write("x")
    print(d, "fresh" if not seen else "shared %s" % seen)' python '{"test_cases":[{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"}]}')"
expect "cases never share /tmp, /var/tmp or /dev/shm" 0 '.verdict == "accepted"'

# A grandchild in a session of its own, outliving its parent, must die with the unit. It prints its
# pid first (proof it ran), hands it to the parent and becomes a sleep named $marker; the parent
# reads the pipe to its end (it closes on exec), says what runs under that pid, and exits.
marker="kw-daemon-$RANDOM$RANDOM"
submit "$(job "import os
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print(os.getpid(), flush=True)
        os.write(w, str(os.getpid()).encode())
        os.execv('/usr/bin/sleep', ['$marker', '300'])
    os._exit(0)
os.close(w)
pid = b''
while True:
    b = os.read(r, 64)
    if not b:
        break
    pid += b
print('alive:', open('/proc/%s/cmdline' % pid.decode(), 'rb').read().replace(b'\0', b' ').decode().strip())" python)"
pid=$(printf '%s' "$OUT" | jq -r '.output | split("\n") | .[0] // ""')
expect "daemonised child: the grandchild ran, still there when its parent ended" 0 '.output == "\($pid)\nalive: \($marker) 300\n"' \
        --arg pid "$pid" --arg marker "$marker"
# running PID: PID is a process and not a zombie (one that died, not yet reaped, is not left running).
running() { local s; s=$(sed -n 's/^State:\s*//p' "/proc/$1/status" 2>/dev/null); [ -n "$s" ] && [ "${s:0:1}" != Z ]; }
check "daemonised child killed with the job, nothing left" \
        '[[ "$pid" =~ ^[0-9]+$ ]] && ! running "$pid" && ! pgrep -f "^$marker " >/dev/null && [ "$(leftovers)" = 0 ]' \
        'echo "pid ${pid:-?}: $(tr "\0" " " 2>/dev/null <"/proc/$pid/cmdline"); $(pgrep -af "^$marker "); $(leftovers_list)"'

# systemd's own verdict on a live cell: exposure at most 2.0 (the user namespaces its runs need
# cost it; SECURITY.md says what the inner layer adds).
job 'import time; time.sleep(30)' python >"$work/live.json"
"${KWCTL[@]}" "$work/live.json" >/dev/null 2>&1 &
kpid=$!
unit=
wait_for 'unit=$(systemctl list-units --plain --no-legend "kw-*.service" | awk "{print \$1; exit}"); [ -n "$unit" ]'
score=$(systemd-analyze security --no-pager "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
kill -TERM "$kpid"; wait "$kpid"
echo "     systemd-analyze security ${unit:-(no unit)}: exposure ${score:-?}"
check "systemd-analyze security: exposure ${score:-?} <= 2.0" '[ -n "$score" ] && awk "BEGIN { exit !($score <= 2.0) }"' 'echo too exposed'

# A --direct job of twice parallel_runs cases: its first runs wait for cells started for them, the
# later ones take the cells given back, so it uses parallel_runs cells, and stops them at the end.
parallel=$(policy_value parallel_runs)
cases=$(jq -cn --argjson n $((parallel * 2)) '[range($n) | {input: "", expected: "1"}]')
submit "$(job 'print(1)' python "{\"test_cases\":$cases}")"
id=$(printf '%s' "$OUT" | jq -r '.job_id // empty')
summaries() { journalctl -q --no-pager -o json KW_SUMMARY=1 "KW_JOB_ID=$id" | jq -r .KW_UNIT; }
check "kwctl --direct: parallel_runs cells serve a job of more cases, each more than once, then are gone" \
        '[ "$RC" = 0 ] && wait_for "[ \$(summaries | wc -l) = $((parallel * 2)) ]" 10 &&
         [ "$(summaries | sort -u | wc -l)" = "$parallel" ] && [ "$(leftovers)" = 0 ]' \
        'echo "exit $RC, $(summaries | sort -u | wc -l) cells for $(summaries | wc -l) runs (parallel_runs $parallel)"; leftovers_list'

# kwctl stopped mid-job, with the policy's parallel_runs cases running and two waiting: it stops its
# units, says so, and leaves nothing behind.
parallel=$(policy_value parallel_runs)
cases=$(jq -cn --argjson n $((parallel + 2)) '[range($n) | {input: "", expected: ""}]')
job 'import time; time.sleep(60)' python "{\"test_cases\":$cases}" >"$work/long.json"
"${KWCTL[@]}" "$work/long.json" >"$work/long.out" 2>"$work/err" &
kpid=$!
wait_for '[ "$(runs)" = "$parallel" ]'; in_flight=$(runs)
kill -TERM "$kpid"; wait "$kpid"; RC=$?; OUT=$(cat "$work/long.out"); ERR=$(cat "$work/err")
stopped='.verdict == "internal_error" and (.error | contains("kw was stopped"))'
check "kwctl stopped mid-job: units stopped, nothing left" \
        '[ "$in_flight" = "$parallel" ] && [ "$RC" = 3 ] && jq -e "$stopped" <<<"$OUT" >/dev/null && [ "$(leftovers)" = 0 ]' \
        'echo "runs in flight $in_flight of $parallel; $(submitted)"; leftovers_list'

# ---- the journal: audit entries and the byte-exact barrier ----
cases='[{"input":"","expected":"audited"},{"input":"","expected":"x"}]'
submit "$(job 'print("audited")' python "{\"test_cases\":$cases}")"
id=$(printf '%s' "$OUT" | jq -r .job_id)
n_cases=$(jq length <<<"$cases")
want_chunks=$(jq -cn --argjson n "$n_cases" '[range($n) | "audited\n"]')
summaries() { journalctl -q --no-pager -o json "KW_JOB_ID=$id" KW_SUMMARY=1 | jq -s '[.[] | select((.KW_INVOCATION_ID | length) == 32 and (.KW_UNIT | startswith("kw-")))] | length'; }
chunks() { journalctl -q --no-pager -o json "KW_JOB_ID=$id" KW_STREAM=stdout | jq -sc 'map(.MESSAGE)'; }
# No waiting: kwctl reads the job's entries back before it answers (the barrier), so they are there.
check "journal: output and a summary per run, by job id" \
        '[ "$(summaries)" = "$n_cases" ] && [ "$(chunks)" = "$want_chunks" ]' \
        'echo "summaries $(summaries) of $n_cases; chunks $(chunks | head -c 300)"'

if [ -z "${KW_IT_QUICK:-}" ]; then
# 1000 runs that print and exit at once: every byte back, exactly, no final newline, sizes from 1 B
# to 200 KB, NULs included. 16 jobs of 63 cases (and one of 8), four jobs at a time.
gen_cases() {
        jq -cn --argjson first "$1" --argjson n "$2" '[range($first; $first + $n) | {input: (. | tostring), expected: (. | tostring)}]'
}
burst_code='import sys
n = int(sys.stdin.read())
size = 1 + (n * 7919) % 200000
block = (str(n) + "\x00" + "abcdefghij" * 10 + "\n") * (size // 100 + 1)
sys.stdout.write(block[:size])'
for j in $(seq 0 15); do
        job "$burst_code" python "{\"test_cases\": $(gen_cases $((j * 63)) 63)}" >"$work/burst-$j.json"
done
job "$burst_code" python "{\"test_cases\": $(gen_cases 1008 8)}" >"$work/burst-16.json"
# Every case submitted must come back.
total=$(jq -s 'map(.test_cases | length) | add' "$work"/burst-*.json)
python_expect='import json, sys
bad = 0
runs = 0
for path in sys.argv[1:]:
    r = json.load(open(path))
    for t in r["test_results"]:
        runs += 1
        n = int(t["input"])
        size = 1 + (n * 7919) % 200000
        block = (str(n) + "\x00" + "abcdefghij" * 10 + "\n") * (size // 100 + 1)
        if t["actual"] != block[:size] or t["exit_code"] != 0:
            bad += 1
print(runs, bad)'
ls "$work"/burst-*.json | xargs -P 4 -I{} sh -c '"$@" "$0" >"$0.out"' {} "${KWCTL[@]}"
read -r runs bad < <(/usr/bin/python3 -c "$python_expect" "$work"/burst-*.json.out)
check "$total runs: every byte read back exactly" '[ "$runs" = "$total" ] && [ "$bad" = 0 ]' 'echo "runs $runs of $total, wrong $bad"'
fi

# ---- bad input: exit 2, one message naming the field, nothing started ----
bad() {
        local name=$1 input=$2 pattern=$3
        printf '%s' "$input" >"$work/bad.json"
        OUT=$("${KWCTL[@]}" "$work/bad.json" 2>"$work/err")
        RC=$?
        ERR=$(cat "$work/err")
        check "bad input: $name" \
                '[ "$RC" = 2 ] && [ -z "$OUT" ] && [ "$(printf "%s\n" "$ERR" | wc -l)" = 1 ] && grep -qE -- "$pattern" "$work/err"' \
                'printf "expected exit 2 and one line matching /%s/\n     " "$pattern"; submitted'
}
max_code=$(policy_value max_code_bytes)
max_input=$(policy_value max_input_bytes)
max_cases=$(policy_value max_test_cases)
max_time=$(policy_value time_ms)
known=$(sed -n 's/^name = //p' "$top/policy/languages"/*.conf | sort | paste -sd, | sed 's/,/, /g')
big=$(head -c $((max_code + 1)) /dev/zero | tr '\0' 'x')
bad "malformed JSON" '{"code": "print(1)", "language": "python"' '^kwctl: job: not valid JSON'
bad "not an object" '["print(1)"]' '^kwctl: job: must be a JSON object$'
bad "empty file" '' '^kwctl: job: not valid JSON'
bad "missing code" '{"language":"python"}' '^kwctl: code: missing$'
bad "empty code" '{"code":"  \n","language":"python"}' '^kwctl: code: must not be empty$'
bad "code not a string" '{"code":42,"language":"python"}' '^kwctl: code: must be a string$'
bad "missing language" '{"code":"print(1)"}' '^kwctl: language: missing$'
bad "unknown language" '{"code":"x","language":"cobol"}' "^kwctl: language: unknown language 'cobol' \(known: $known\)$"
bad "language not a string" '{"code":"x","language":["python"]}' '^kwctl: language: must be a string$'
bad "test_cases not an array" '{"code":"x","language":"python","test_cases":{}}' '^kwctl: test_cases: must be an array$'
bad "case not an object" '{"code":"x","language":"python","test_cases":["1"]}' '^kwctl: test_cases\[0\]: must be an object$'
bad "input not a string" '{"code":"x","language":"python","test_cases":[{"input":1,"expected":"1"}]}' '^kwctl: test_cases\[0\]\.input: must be a string$'
bad "expected missing" '{"code":"x","language":"python","test_cases":[{"input":"1"}]}' '^kwctl: test_cases\[0\]\.expected: missing$'
bad "too many cases" "$(jq -cn --argjson n $((max_cases + 1)) '{code:"x",language:"python",test_cases:[range($n)|{input:"",expected:""}]}')" \
        "^kwctl: test_cases: $((max_cases + 1)) cases is over the limit of $max_cases\$"
bad "code too large" "{\"code\":\"$big\",\"language\":\"python\"}" "^kwctl: code: $((max_code + 1)) bytes is over the limit of $max_code bytes\$"
head -c $((max_input + 1)) /dev/zero | tr '\0' 'y' >"$work/big-input"
bad "input too large" "$(jq -cn --rawfile s "$work/big-input" '{code:"x",language:"python",test_cases:[{input:$s,expected:""}]}')" \
        "^kwctl: test_cases\[0\]\.input: $((max_input + 1)) bytes is over the limit of $max_input bytes\$"
bad "unknown field" '{"code":"x","language":"python","tests":[]}' '^kwctl: tests: unknown field'
bad "duplicate field" '{"code":"x","code":"y","language":"python"}' '^kwctl: code: given more than once$'
bad "limit above the policy" "{\"code\":\"x\",\"language\":\"python\",\"limits\":{\"time_ms\":$((max_time + 1))}}" \
        "^kwctl: limits\.time_ms: $((max_time + 1)) is above the maximum of $max_time\$"
bad "limit not positive" '{"code":"x","language":"python","limits":{"memory_bytes":-1}}' '^kwctl: limits\.memory_bytes: must be a positive integer$'
bad "unknown limit" '{"code":"x","language":"python","limits":{"disk":1}}' '^kwctl: limits\.disk: unknown limit$'
bad "escaped NUL" '{"code":"print(1)\u0000","language":"python"}' 'must not contain \\u0000'

OUT=$("${KWCTL[@]}" /nonexistent/job.json 2>"$work/err"); RC=$?; ERR=$(cat "$work/err")
check "bad input: missing file" '[ "$RC" = 2 ] && grep -q "cannot read /nonexistent/job.json" "$work/err"' submitted
OUT=$("$kwctl" 2>"$work/err"); RC=$?; ERR=$(cat "$work/err")
check "usage: no command" '[ "$RC" = 2 ]' submitted
OUT=$(printf '%s' "$(job 'print(7)' python)" | "${KWCTL[@]}" - 2>"$work/err"); RC=$?; ERR=$(cat "$work/err")
check "job from stdin" '[ "$RC" = 0 ] && [ "$(printf "%s" "$OUT" | jq -r .output)" = 7 ]' submitted

# ---- the result's layout: one line on a pipe, indented on a terminal (script(1) gives kwctl one) ----
printf '%s' "$(job 'print(7)' python)" >"$work/seven.json"
"${KWCTL[@]}" "$work/seven.json" >"$work/piped" 2>"$work/err"; piped_rc=$?
check "on a pipe: the result is one line of JSON" '[ "$piped_rc" = 0 ] && [ "$(wc -l <"$work/piped")" = 1 ] && jq -e ".output == \"7\n\"" "$work/piped" >/dev/null' \
        'echo "exit $piped_rc, $(wc -l <"$work/piped") lines"'
# stderr (where progress goes) aside: the terminal shows stdout only.
script -qec "$(printf '%q ' "${KWCTL[@]}" "$work/seven.json") 2>/dev/null" /dev/null >"$work/tty" 2>&1; tty_rc=$?
tr -d '\r' <"$work/tty" >"$work/tty.json"
# Two runs of one job: the same result but for its id and what was measured.
same='del(.job_id, .time_ms, .wall_time_ms, .memory_bytes)'
check "on a terminal: indented, the same result" '[ "$tty_rc" = 0 ] && [ "$(wc -l <"$work/tty.json")" -gt 10 ] && grep -q "^  \"status\": \"success\",$" "$work/tty.json" &&
        [ "$(jq -cS "$same" "$work/tty.json")" = "$(jq -cS "$same" "$work/piped")" ]' \
        'echo "exit $tty_rc"; head -5 "$work/tty.json"'
"${KWCTL[@]}" --json=pretty "$work/seven.json" >"$work/pretty" 2>"$work/err"; pretty_rc=$?
"${KWCTL[@]}" --json=short "$work/seven.json" >"$work/short" 2>"$work/err"; short_rc=$?
check "--json=pretty on a pipe indents, --json=short stays one line" \
        '[ "$pretty_rc" = 0 ] && [ "$(wc -l <"$work/pretty")" -gt 10 ] && [ "$short_rc" = 0 ] && [ "$(wc -l <"$work/short")" = 1 ]' \
        'echo "exit $pretty_rc/$short_rc, $(wc -l <"$work/pretty")/$(wc -l <"$work/short") lines"'
OUT=$("${KWCTL[@]}" --json=tree "$work/seven.json" 2>"$work/err"); RC=$?; ERR=$(cat "$work/err")
check "bad input: --json=tree refused, named (exit 2)" '[ "$RC" = 2 ] && [ -z "$OUT" ] && grep -q "^kwctl: --json takes pretty or short, not .tree.$" "$work/err"' submitted

# ---- progress on stderr: on a terminal only, and not with --quiet ----
# 20 cases, 3 of them expecting a wrong answer.
wrong_cases="5 10 15"
n_wrong=$(wc -w <<<"$wrong_cases")
doubling_job 20 "$wrong_cases" >"$work/twenty.json"
want_line="[20/20] $((20 - n_wrong)) accepted, $n_wrong wrong_answer"
same_cases="$same | .test_results |= map(del(.time_ms, .wall_time_ms, .memory_bytes))"
on_tty "$work/progress" "${KWCTL[@]}" "$work/twenty.json"
last=$(grep '^\[' "$work/progress.lines" | tail -1)
check "progress on a terminal: cases done, verdicts so far, elapsed time; ends at 20/20" \
        '[[ "$last" =~ ^"$want_line · "[0-9].*" s"$ ]]' 'echo "last line: $last"; head -c 300 "$work/progress.tty" | od -c | head -5'
check "progress on a terminal: counts only grow, up to 20" \
        'sed -n "s/^\[\([0-9]*\)\/20\].*/\1/p" "$work/progress.lines" | sort -nc && [ "$(grep -c "^\[" "$work/progress.lines")" -ge 2 ]' \
        'cat "$work/progress.lines"'
check "progress on a terminal: the line is erased before kwctl ends" '[ "$(tail -c 4 "$work/progress.tty" | od -An -c | tr -d " ")" = "\r033[K" ]' \
        'tail -c 20 "$work/progress.tty" | od -c'
"${KWCTL[@]}" "$work/twenty.json" >"$work/twenty.piped" 2>"$work/twenty.err"; twenty_rc=$?
check "progress: the result on stdout is the same, and JSON" \
        '[ "$(jq -c "[.test_results[].verdict] | group_by(.) | map([.[0], length])" "$work/progress.out")" = "[[\"accepted\",$((20 - n_wrong))],[\"wrong_answer\",$n_wrong]]" ] &&
        [ "$(jq -cS "$same_cases" "$work/progress.out")" = "$(jq -cS "$same_cases" "$work/twenty.piped")" ]' 'head -c 300 "$work/progress.out"'
check "progress: none when stderr is not a terminal" '[ "$twenty_rc" = 0 ] && [ ! -s "$work/twenty.err" ]' 'echo "exit $twenty_rc"; head -c 300 "$work/twenty.err"'
on_tty "$work/quiet" "${KWCTL[@]}" --quiet "$work/twenty.json"
on_tty "$work/q" "${KWCTL[@]}" -q "$work/twenty.json"
check "progress: --quiet and -q silence it on a terminal" '[ ! -s "$work/quiet.tty" ] && [ ! -s "$work/q.tty" ] && jq -e ".test_results | length == 20" "$work/quiet.out" >/dev/null' \
        'od -c "$work/quiet.tty" | head -3; od -c "$work/q.tty" | head -3'
job '#include <stdio.h>
int main(void) { int n; if (scanf("%d", &n) == 1) printf("%d\n", n * 2); return 0; }' c \
        '{"test_cases":[{"input":"1","expected":"2"},{"input":"2","expected":"4"}]}' >"$work/compiled.json"
on_tty "$work/compiled" "${KWCTL[@]}" "$work/compiled.json"
check "progress of a compiled language: compiling first, then the cases" \
        'grep -q "^compiling… · [0-9.]* s$" "$work/compiled.lines" && [ "$(grep -n "" "$work/compiled.lines" | grep -m1 "^[0-9]*:compiling" | cut -d: -f1)" = 1 ] &&
        grep "^\[" "$work/compiled.lines" | tail -1 | grep -q "^\[2/2\] 2 accepted · " && jq -e ".verdict == \"accepted\"" "$work/compiled.out" >/dev/null' \
        'cat "$work/compiled.lines"'

# kwctl against a kwd that answers each command with the file of its name in a directory (nothing if
# there is none), and logs the commands it was sent: an old kwd, a broken one.
fake_kwd() { # fake_kwd DIR: listens on DIR/sock until the suite ends
        /usr/bin/python3 -c '
import os, socket, sys
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.bind(os.path.join(d, "sock"))
s.listen(8)
while True:
    c, _ = s.accept()
    data = b""
    while chunk := c.recv(65536):
        data += chunk
    command = data.split(b"\n", 1)[0].decode()
    with open(os.path.join(d, "log"), "a") as log:
        log.write(command + "\n")
    if os.path.exists(os.path.join(d, command)):
        c.sendall(open(os.path.join(d, command), "rb").read())
    c.close()' "$1" &
        on_exit "kill $!"
        wait_for "[ -S $(printf '%q' "$1/sock") ]"
}
mkdir -p "$work/old-kwd" "$work/bad-kwd" "$work/some-kwd"
printf '2 request: unknown command\n' >"$work/old-kwd/submit-progress"
printf '0 \n{"verdict":"accepted"}\n' >"$work/old-kwd/submit"
fake_kwd "$work/old-kwd"
on_tty "$work/old" "$kwctl" submit --socket "$work/old-kwd/sock" "$work/twenty.json"; old_rc=$?
check "progress from a kwd that does not know submit-progress: asked again with submit" \
        '[ "$old_rc" = 0 ] && [ "$(cat "$work/old.out")" = "{\"verdict\":\"accepted\"}" ] && [ "$(paste -sd, "$work/old-kwd/log")" = submit-progress,submit ] && [ ! -s "$work/old.tty" ]' \
        'echo "exit $old_rc: $(cat "$work/old.out")"; cat "$work/old-kwd/log" "$work/old.tty"'
printf 'progress compiling 0 2\nprogress running 2 2 accepted=1 wrong_answer=1\n0 \n{"verdict":"wrong_answer"}\n' >"$work/some-kwd/submit-progress"
fake_kwd "$work/some-kwd"
on_tty "$work/some" "$kwctl" submit --socket "$work/some-kwd/sock" "$work/twenty.json"; some_rc=$?
check "progress records from kwd drawn, then the answer" \
        '[ "$some_rc" = 0 ] && [ "$(cat "$work/some.out")" = "{\"verdict\":\"wrong_answer\"}" ] &&
        grep -q "^compiling… · " "$work/some.lines" && grep -q "^\[2/2\] 1 accepted, 1 wrong_answer · " "$work/some.lines"' \
        'echo "exit $some_rc: $(cat "$work/some.out")"; cat "$work/some.lines"'
printf 'progress running 1 20 accepted=2\n0 \n{}\n' >"$work/bad-kwd/submit-progress"
fake_kwd "$work/bad-kwd"
on_tty "$work/bad" "$kwctl" submit --socket "$work/bad-kwd/sock" "$work/twenty.json"; bad_rc=$?
check "a malformed progress record: exit 3, named, nothing on stdout" \
        '[ "$bad_rc" = 3 ] && [ ! -s "$work/bad.out" ] && grep -q "^kwctl: kwd sent a malformed progress record.$" "$work/bad.lines"' \
        'echo "exit $bad_rc: $(cat "$work/bad.out")"; cat "$work/bad.lines"'

# ---- nothing left behind ----
check "no kw unit, run directory, mount or process left" '[ "$(leftovers)" = 0 ]' leftovers_list

summary integration.sh
