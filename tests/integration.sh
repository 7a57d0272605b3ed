#!/usr/bin/env bash
# Integration tests of kwctl against the real systemd, journald and dbus of this machine (or of the
# box scripts/systemd.sh starts). Each test submits a job and asserts on the JSON, the exit status,
# and that nothing is left behind. Prints "N passed, M failed" and exits non-zero on any failure.
#   tests/integration.sh [BUILD_DIR]       (KW_IT_QUICK=1 skips the 1000-run burst)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
KWCTL=("$build/orchestrator/kwctl" submit --policy "$top/policy")
work=$(mktemp -d /tmp/kw-it.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
OUT= ERR= RC=

say() { printf '%s\n' "$*"; }
ok() { passed=$((passed + 1)); say "ok   $1"; }
fail() {
        failed=$((failed + 1))
        say "FAIL $1: $2"
        say "     exit $RC; stdout: ${OUT:0:600}"
        say "     stderr: ${ERR:0:600}"
}

# job CODE LANGUAGE [EXTRA-JSON]: a job as JSON on stdout.
job() {
        jq -cn --arg code "$1" --arg lang "$2" --argjson extra "${3:-{\}}" '{code: $code, language: $lang} + $extra'
}

# submit JSON: run kwctl on it; sets OUT, ERR, RC.
submit() {
        printf '%s' "$1" >"$work/job.json"
        OUT=$("${KWCTL[@]}" "$work/job.json" 2>"$work/err")
        RC=$?
        ERR=$(cat "$work/err")
}

# expect NAME RC JQ-FILTER: the last submit exited RC and the filter is true of its output.
expect() {
        local name=$1 rc=$2 filter=$3
        if [ "$RC" != "$rc" ]; then fail "$name" "exit status $RC, expected $rc"; return; fi
        if ! printf '%s' "$OUT" | jq -e "$filter" >/dev/null 2>&1; then fail "$name" "jq: $filter"; return; fi
        ok "$name"
}

leftovers() {
        local units dirs
        units=$(systemctl list-units --all --plain --no-legend 'kw-*.service' 2>/dev/null | wc -l)
        dirs=$(find /run/kw -mindepth 1 -maxdepth 1 ! -name .seccomp 2>/dev/null | wc -l)
        echo "$((units + dirs))"
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

submit "$(job 'import ctypes; ctypes.CDLL(None).syscall(165, 0, 0, 0, 0, 0)' python)"
expect "forbidden system call (mount) is SIGSYS" 1 '.verdict == "killed_by_signal" and .signal == "SIGSYS" and (.error | contains("forbidden system call"))'

# ---- limits ----
submit "$(job 'while True: pass' python '{"limits":{"time_ms":1000}}')"
expect "CPU loop: time limit" 1 '.verdict == "time_limit_exceeded" and .time_ms >= 900 and (.error | contains("CPU time limit of 1000 ms"))'

submit "$(job 'while(true){}' javascript '{"limits":{"time_ms":1000}}')"
expect "javascript CPU loop: time limit" 1 '.verdict == "time_limit_exceeded"'

submit "$(job 'import time; time.sleep(60)' python '{"limits":{"wall_time_ms":1000}}')"
expect "sleeping: wall-clock limit" 1 '.verdict == "time_limit_exceeded" and (.error | contains("wall-clock limit of 1000 ms"))'

submit "$(job 'input(); input()' python '{"limits":{"wall_time_ms":1000},"test_cases":[{"input":"one line\n","expected":""}]}')"
expect "waiting on stdin ends at EOF, not a hang" 1 '.test_results[0].verdict == "runtime_error" and (.error | contains("EOFError"))'

submit "$(job 'x = []
while True: x.append(bytearray(10**7))' python '{"limits":{"memory_bytes":134217728}}')"
expect "python memory bomb: memory limit" 1 '.verdict == "memory_limit_exceeded" and .memory_bytes >= 120000000 and (.error | contains("128 MB"))'

submit "$(job 'const a = []; while (true) a.push(new Array(1e6).fill(1));' javascript '{"limits":{"memory_bytes":268435456}}')"
expect "javascript memory bomb: memory limit" 1 '.verdict == "memory_limit_exceeded"'

submit "$(job 'import sys
while True: sys.stdout.write("x" * 4096)' python '{"limits":{"output_bytes":65536}}')"
expect "output flood: output limit" 1 '.verdict == "output_limit_exceeded" and (.output | length) == 65536'

submit "$(job 'import os
n = 0
try:
    while True:
        if os.fork() == 0:
            import time; time.sleep(30)
        n += 1
except OSError as e:
    print("fork stopped after", n, type(e).__name__)' python '{"limits":{"processes":16,"wall_time_ms":5000}}')"
expect "fork bomb: bounded processes" 0 '.status == "success" and (.output | test("fork stopped after 1[0-9] "))'

submit "$(job 'open("/tmp/big", "wb").write(b"x" * (20 << 20))' python)"
expect "file size limit" 1 '.verdict != "accepted" and .status == "error"'

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

submit "$(job 'import os
print(os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize)
try:
    for i in range(4):
        open("/tmp/fill%d" % i, "wb").write(b"x" * (6 << 20))
except OSError as e:
    print("full", e.errno)' python '{"limits":{"tmp_bytes":16777216}}')"
expect "/tmp is a bounded tmpfs" 0 '.output == "16777216\nfull 28\n"'

submit "$(job 'import os
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    seen = os.listdir(d)
    open(d + "/mark", "w").write("x")
    print(d, "fresh" if not seen else "shared %s" % seen)' python '{"test_cases":[{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"},{"input":"","expected":"/tmp fresh\n/var/tmp fresh\n/dev/shm fresh"}]}')"
expect "cases never share /tmp, /var/tmp or /dev/shm" 0 '.verdict == "accepted"'

marker="kw-daemon-$RANDOM$RANDOM"
submit "$(job "import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        sys.argv[0] = '$marker'
        os.execv('/usr/bin/sleep', ['/usr/bin/sleep', '300'])
    os._exit(0)
print('parent done')" python)"
if [ "$RC" = 0 ] && ! pgrep -f "sleep 300" >/dev/null && [ "$(leftovers)" = 0 ]; then ok "daemonised child killed, no unit left"
else fail "daemonised child killed, no unit left" "a process or unit remains"; fi

# systemd's own verdict on a live run unit: exposure at most 1.5.
job 'import time; time.sleep(30)' python >"$work/live.json"
"${KWCTL[@]}" "$work/live.json" >/dev/null 2>&1 &
kpid=$!
for _ in $(seq 100); do unit=$(systemctl list-units --plain --no-legend 'kw-*.service' | awk '{print $1; exit}'); [ -n "$unit" ] && break; sleep 0.05; done
score=$(systemd-analyze security --no-pager "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
kill -TERM "$kpid"; wait "$kpid"
echo "     systemd-analyze security $unit: exposure $score"
if [ -n "$score" ] && awk "BEGIN { exit !($score <= 1.5) }"; then ok "systemd-analyze security: exposure $score <= 1.5"
else fail "systemd-analyze security: exposure ${score:-?} <= 1.5" "too exposed"; fi

# kwctl stopped mid-job: it stops its units, says so, and leaves nothing behind.
job 'import time; time.sleep(60)' python '{"test_cases":[{"input":"","expected":""},{"input":"","expected":""},{"input":"","expected":""},{"input":"","expected":""},{"input":"","expected":""},{"input":"","expected":""}]}' >"$work/long.json"
"${KWCTL[@]}" "$work/long.json" >"$work/long.out" 2>"$work/err" &
kpid=$!
for _ in $(seq 100); do [ "$(systemctl list-units --plain --no-legend 'kw-*.service' | wc -l)" -ge 4 ] && break; sleep 0.05; done
kill -TERM "$kpid"; wait "$kpid"; RC=$?; OUT=$(cat "$work/long.out"); ERR=$(cat "$work/err")
if [ "$RC" = 3 ] && printf '%s' "$OUT" | jq -e '.verdict == "internal_error" and (.error | contains("kw was stopped"))' >/dev/null &&
   [ "$(leftovers)" = 0 ]; then ok "kwctl stopped mid-job: units stopped, nothing left"
else fail "kwctl stopped mid-job: units stopped, nothing left" "leftovers $(leftovers)"; fi

# ---- the journal: audit entries and the byte-exact barrier ----
submit "$(job 'print("audited")' python '{"test_cases":[{"input":"","expected":"audited"},{"input":"","expected":"x"}]}')"
id=$(printf '%s' "$OUT" | jq -r .job_id)
n=$(journalctl -q --no-pager -o json "KW_JOB_ID=$id" KW_SUMMARY=1 | jq -s '[.[] | select((.KW_INVOCATION_ID | length) == 32 and (.KW_UNIT | startswith("kw-")))] | length')
chunks=$(journalctl -q --no-pager -o json "KW_JOB_ID=$id" KW_STREAM=stdout | jq -s 'map(.MESSAGE) == ["audited\n", "audited\n"]')
if [ "$n" = 2 ] && [ "$chunks" = true ]; then ok "journal: output and a summary per run, by job id"
else fail "journal: output and a summary per run, by job id" "summaries $n, chunks $chunks"; fi

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
ls "$work"/burst-*.json | xargs -P 4 -I{} sh -c '"$0" submit --policy "$1" "$2" > "$2.out"' "${KWCTL[0]}" "$top/policy" {}
read -r runs bad < <(/usr/bin/python3 -c "$python_expect" "$work"/burst-*.json.out)
if [ "$runs" = 1016 ] && [ "$bad" = 0 ]; then ok "1016 runs: every byte read back exactly"
else fail "1016 runs: every byte read back exactly" "runs $runs, wrong $bad"; fi
fi

# ---- bad input: exit 2, one message naming the field, nothing started ----
bad() {
        local name=$1 input=$2 pattern=$3
        printf '%s' "$input" >"$work/bad.json"
        OUT=$("${KWCTL[@]}" "$work/bad.json" 2>"$work/err")
        RC=$?
        ERR=$(cat "$work/err")
        if [ "$RC" != 2 ]; then fail "bad input: $name" "exit $RC"; return; fi
        if [ -n "$OUT" ] || [ "$(printf '%s\n' "$ERR" | wc -l)" != 1 ] || ! grep -qE -- "$pattern" "$work/err"; then
                fail "bad input: $name" "expected one line matching /$pattern/"; return
        fi
        ok "bad input: $name"
}
big=$(head -c 70000 /dev/zero | tr '\0' 'x')
bad "malformed JSON" '{"code": "print(1)", "language": "python"' '^kwctl: job: not valid JSON'
bad "not an object" '["print(1)"]' '^kwctl: job: must be a JSON object$'
bad "empty file" '' '^kwctl: job: not valid JSON'
bad "missing code" '{"language":"python"}' '^kwctl: code: missing$'
bad "empty code" '{"code":"  \n","language":"python"}' '^kwctl: code: must not be empty$'
bad "code not a string" '{"code":42,"language":"python"}' '^kwctl: code: must be a string$'
bad "missing language" '{"code":"print(1)"}' '^kwctl: language: missing$'
bad "unknown language" '{"code":"x","language":"cobol"}' "^kwctl: language: unknown language 'cobol' \(known: javascript, python\)$"
bad "language not a string" '{"code":"x","language":["python"]}' '^kwctl: language: must be a string$'
bad "test_cases not an array" '{"code":"x","language":"python","test_cases":{}}' '^kwctl: test_cases: must be an array$'
bad "case not an object" '{"code":"x","language":"python","test_cases":["1"]}' '^kwctl: test_cases\[0\]: must be an object$'
bad "input not a string" '{"code":"x","language":"python","test_cases":[{"input":1,"expected":"1"}]}' '^kwctl: test_cases\[0\]\.input: must be a string$'
bad "expected missing" '{"code":"x","language":"python","test_cases":[{"input":"1"}]}' '^kwctl: test_cases\[0\]\.expected: missing$'
bad "too many cases" "$(jq -cn '{code:"x",language:"python",test_cases:[range(65)|{input:"",expected:""}]}')" '^kwctl: test_cases: 65 cases is over the limit of 64$'
bad "code too large" "{\"code\":\"$big\",\"language\":\"python\"}" '^kwctl: code: 70000 bytes is over the limit of 65536 bytes$'
head -c 1100000 /dev/zero | tr '\0' 'y' >"$work/big-input"
bad "input too large" "$(jq -cn --rawfile s "$work/big-input" '{code:"x",language:"python",test_cases:[{input:$s,expected:""}]}')" '^kwctl: test_cases\[0\]\.input: 1100000 bytes is over the limit'
bad "unknown field" '{"code":"x","language":"python","tests":[]}' '^kwctl: tests: unknown field'
bad "duplicate field" '{"code":"x","code":"y","language":"python"}' '^kwctl: code: given more than once$'
bad "limit above the policy" '{"code":"x","language":"python","limits":{"time_ms":999999}}' '^kwctl: limits\.time_ms: 999999 is above the maximum of 30000$'
bad "limit not positive" '{"code":"x","language":"python","limits":{"memory_bytes":-1}}' '^kwctl: limits\.memory_bytes: must be a positive integer$'
bad "unknown limit" '{"code":"x","language":"python","limits":{"disk":1}}' '^kwctl: limits\.disk: unknown limit$'
bad "escaped NUL" '{"code":"print(1)\u0000","language":"python"}' 'must not contain \\u0000'

OUT=$("${KWCTL[@]}" /nonexistent/job.json 2>"$work/err"); RC=$?
if [ "$RC" = 2 ] && grep -q "cannot read /nonexistent/job.json" "$work/err"; then ok "bad input: missing file"; else fail "bad input: missing file" "exit $RC"; fi
OUT=$("$build/orchestrator/kwctl" 2>"$work/err"); RC=$?
if [ "$RC" = 2 ]; then ok "usage: no command"; else fail "usage: no command" "exit $RC"; fi
OUT=$(printf '%s' "$(job 'print(7)' python)" | "${KWCTL[@]}" - 2>"$work/err"); RC=$?
if [ "$RC" = 0 ] && [ "$(printf '%s' "$OUT" | jq -r .output)" = 7 ]; then ok "job from stdin"; else fail "job from stdin" "exit $RC"; fi

# ---- nothing left behind ----
if [ "$(leftovers)" = 0 ] && ! grep -q " /run/kw/" /proc/self/mountinfo; then ok "no kw unit, job directory or mount left"
else fail "no kw unit, job directory or mount left" "$(systemctl list-units --all --plain --no-legend 'kw-*'; ls /run/kw)"; fi

echo "integration: $passed passed, $failed failed"
[ "$failed" = 0 ]
