#!/usr/bin/env bash
# Adversarial tests: hostile programs (tests/adversarial/*.py, *.js), each submitted as a job with
# small limits, each with the outcome a secure sandbox gives it (the table below). After every case
# the host and the next run are checked: nothing left behind (lib.sh's leftovers_list: kw units,
# runs still going, anything below /run/kw, processes of DynamicUser uids), no file of a DynamicUser uid,
# /etc/passwd, /etc/shadow and /root unchanged, no SysV IPC object of a dynamic uid and no key of the
# run's uid left in the kernel, the honeypots never reached, systemd and journald alive, and a canary
# run that finds a fresh sandbox. Prints "N passed, M failed" and exits non-zero on any failure.
# Needs a real systemd: scripts/systemd.sh tests/adversarial.sh build
#   tests/adversarial.sh [BUILD_DIR]        (KW_ADV_ONLY=REGEX runs the matching cases only)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"
cases_dir=$top/tests/adversarial
# The policy, with the result's caps in proportion to the cases' 64 KiB output budget (BASE).
cp -r "$top/policy" "$work/policy"
policy_dir=$work/policy
sed -i -e 's/^result_case_bytes = .*/result_case_bytes = 128K/' -e 's/^result_bytes = .*/result_bytes = 1M/' "$work/policy/limits.conf"
KWCTL=("$kwctl" submit --direct --policy "$work/policy")

# Every case runs with these limits, merged with its own extra JSON (which may lower them further).
BASE='{"limits": {"time_ms": 1000, "wall_time_ms": 2000, "memory_bytes": 134217728, "output_bytes": 65536}}'

# jq helpers for the filters: the output's lines, and the "NAME: blocked ERRNO" / "NAME: SUCCEEDED"
# lines the programs print for each attempt.
PRELUDE='
def lines: (.output // "") | split("\n") | map(select(length > 0));
def succeeded: [lines[] | select(test("SUCCEEDED"))];
def blocked: [lines[] | select(test(": blocked "))];
def all_blocked($n): (succeeded | length) == 0 and (blocked | length) == $n;
def all_blocked_with($n; $errno): all_blocked($n) and ([blocked[] | select(endswith(" blocked " + $errno))] | length) == $n;
def sig($s): .verdict == "killed_by_signal" and .signal == $s;
def tle($kind): .verdict == "time_limit_exceeded" and (.error | contains($kind));
'

# The table: case file | extra job JSON ("-" for none) | kwctl's exit status | jq filter on its
# JSON that must be true. Fields are separated by " | "; the filter is the rest of the line; lines
# starting with # are comments. Every expectation is the secure outcome: a case that fails is a
# weakness to fix in the sandbox, not in the table.
read -r -d '' TABLE <<'EOF'
# -- processes, memory, output
fork-bomb.py               | {"limits":{"processes":32}}          | 1 | .verdict == "time_limit_exceeded" and (.output | test("^fork refused after [0-9]+ forks: Resource temporarily unavailable\n$"))
fork-bomb.js               | {"limits":{"processes":32}}          | 1 | .verdict == "time_limit_exceeded" and (.output | test("^shell bomb started, sh exit status 0 \nspawn (refused|threw) after [0-9]+ spawns: EAGAIN\n$"))
prlimit-init.py            | -                                    | 0 | .verdict == "accepted" and all_blocked_with(2; "EPERM") and (.output | endswith("its own RLIMIT_CPU readable: True\ndone\n"))
memory-children.py         | {"limits":{"time_ms":5000,"wall_time_ms":6000}} | 1 | .verdict == "memory_limit_exceeded" and (.output | test("^children killed by a signal: [1-8] of 8\n$"))
memory-workers.js          | {"limits":{"time_ms":5000,"wall_time_ms":6000}} | 1 | .verdict == "memory_limit_exceeded" and (.output | contains("still alive") | not)
output-flood.js            | -                                    | 1 | .verdict == "output_limit_exceeded" and (.output | length) == 65536 and (.output | startswith("flood flood"))
huge-line.py               | -                                    | 1 | .verdict == "output_limit_exceeded" and .output == ("L" * 65536)
stderr-flood.py            | -                                    | 1 | .verdict == "output_limit_exceeded" and .output == "only line on stdout\n" and (.stderr | length) <= 65536 and (.stderr | test("^E+$"))
binary-output.py           | -                                    | 0 | .verdict == "accepted" and .output == ("begin\u0000\n" + ([range(0; 128)] | implode) + ("\ufffd" * 128) + "\noverlong:\ufffd\ufffd surrogate:\ufffd\ufffd\ufffd cut:\ufffd\ufffd\nvalid: \u00e9\u4e2d\ud83d\ude00\nend\ufffd\ufffd") and .stderr == "stderr \ufffd\ufffd\u0000\n"
invalid-utf8.js            | -                                    | 0 | .verdict == "accepted" and .output == "a\u0000b\n\ufffd\ufffd\ufffd\n\ufffd\ufffd\ufffd(\n\"},{\"status\":\"success\"}\\u0000\u2028\u2029\u001b[31m\nz\ufffd\ufffd\ufffd\ufffd\n" and .stderr == "\u0000\ufffd\ufffd\n"
# -- the file system: scratch tmpfs bounds, LimitFSIZE, links into and out of the sandbox
disk-fill.py               | {"limits":{"tmp_bytes":8388608}}     | 0 | .verdict == "accepted" and (.output | test("^/tmp: ENOSPC after [78] MiB in all\n/var/tmp: ENOSPC after [78] MiB in all\n/dev/shm: ENOSPC after [78] MiB in all\ntmpfs size 8 MiB\n$"))
inode-exhaustion.py        | -                                    | 0 | .verdict == "accepted" and (.output | test("^ENOSPC after 163[0-9][0-9] files\ninodes total 16384, free 0\n$"))
sparse-pib.py              | -                                    | 0 | .verdict == "accepted" and .output == "SIGXFSZ handler: ignored\npwrite at 1 PiB: blocked EFBIG\nftruncate to 1 PiB: blocked EFBIG\nposix_fallocate 1 PiB: blocked EFBIG\npwrite at 17 MiB: blocked EFBIG\n"
sparse-pib.js              | -                                    | 0 | .verdict == "accepted" and .output == "pwrite at 1 PiB: blocked EFBIG\nftruncate to 1 PiB: blocked EFBIG\n"
deep-dirs.py               | -                                    | 0 | .verdict == "accepted" and (.output | test("\nENOSPC at depth 163[0-9][0-9]\n"))
memfd-fill.py              | {"limits":{"tmp_bytes":8388608}}     | 1 | .verdict == "memory_limit_exceeded" and (.output | startswith("/dev/shm: ENOSPC\none memfd: EFBIG after 16 MiB\n")) and (succeeded | length) == 0
symlink-tricks.py          | -                                    | 0 | .verdict == "accepted" and all_blocked(18) and (.output | contains("planted 10 symlinks")) and (.output | contains("anything but the source in /run/kw: none"))
symlink-tricks.js          | -                                    | 0 | .verdict == "accepted" and all_blocked(8)
hardlink-tricks.py         | -                                    | 0 | .verdict == "accepted" and all_blocked(9) and ([blocked[] | select(test("-> /tmp/.*EXDEV$"))] | length) == 2 and ([blocked[] | select(test("^link /etc/(shadow|passwd) .*ENOENT$"))] | length) == 2
# -- time: wall clock (RuntimeMaxSec), CPU time (LimitCPU, cgroup CPU time), the stack
sleep.py                   | -                                    | 1 | tle("wall-clock") and .output == "sleeping with SIGTERM ignored\n"
stdin-block.py             | {"test_cases":[{"input":"some input\n","expected":""}]} | 1 | .verdict == "time_limit_exceeded" and .test_results[0].verdict == "time_limit_exceeded" and .test_results[0].actual == "stdin gave 11 bytes, then EOF; now blocking on a pipe\n"
stdin-block.js             | -                                    | 1 | tle("wall-clock") and .output == "stdin gave 0 bytes; now blocking in Atomics.wait\n"
cpu-threads.js             | -                                    | 1 | tle("CPU time") and .output == "4 workers spinning\n"
cpu-threads.py             | -                                    | 1 | tle("CPU time") and .output == "4 threads and a child spinning\n"
deep-recursion.py          | -                                    | 1 | sig("SIGSEGV") and (.output | startswith("depth 1000\n"))
deep-recursion.js          | -                                    | 1 | .verdict == "runtime_error" and .exit_code == 1 and (.output | test("^caught at depth [0-9]+ RangeError\n$")) and (.stderr | contains("RangeError: Maximum call stack size exceeded"))
# -- network and host sockets (the suite runs honeypots on @kw-adversarial-host and 127.0.0.1:47470)
network-metadata.py        | -                                    | 0 | .verdict == "accepted" and all_blocked(10) and ([blocked[] | select(endswith("EAFNOSUPPORT"))] | length) == 9 and (.output | endswith("dns lookup: blocked gaierror\n"))
raw-sockets.py             | -                                    | 0 | .verdict == "accepted" and all_blocked_with(13; "EAFNOSUPPORT")
network.js                 | -                                    | 0 | .verdict == "accepted" and all_blocked_with(6; "EAFNOSUPPORT")
unix-sockets.py            | -                                    | 0 | .verdict == "accepted" and all_blocked(12) and ([blocked[] | select(startswith("abstract") and endswith("ECONNREFUSED"))] | length) == 2 and ([blocked[] | select(endswith("ENOENT"))] | length) == 10
# -- other processes: kw, PID 1, other runs, set-uid programs, leftovers, leaks
kill-everything.py         | -                                    | 0 | .verdict == "accepted" and (succeeded | length) == 0 and (.output | contains("own child killed by kill(-1): True\npids visible in /proc: only its own\nblind SIGKILL to pids 2..65536: 0 delivered; refused: ESRCH\nparent: 1\nPID 1, the run's init: SIGTERM, SIGKILL and a pidfd SIGKILL ignored, still there: True\n"))
kill-everything.js         | {"limits":{"time_ms":3000,"wall_time_ms":4000}} | 0 | .verdict == "accepted" and .output == "pids visible in /proc: only its own\nkill(-1, SIGKILL): ESRCH\nblind SIGKILL to pids 2..65536: 0 delivered; refused: ESRCH\nparent: 1\nPID 1, the run's init: SIGTERM and SIGKILL ignored, still there: true\n"
setuid-binaries.py         | -                                    | 0 | .verdict == "accepted" and (succeeded | length) == 0 and ([lines[] | select(test("^/usr/bin/.*: failed"))] | length) == 8 and (.output | contains("NoNewPrivs: 1\n")) and (.output | contains("su ran a command as root: False\nchmod 4755 /tmp/id: blocked EPERM\nchmod 2755 /tmp/id: blocked EPERM\n/tmp/id -u says root: False\nstill unprivileged: True\n"))
leftover-daemon.py         | -                                    | 0 | .verdict == "accepted" and all_blocked(4) and (.output | endswith("main process exits now\n"))
leftover-daemon.js         | -                                    | 0 | .verdict == "accepted" and .output == "detached child started\nnohup'd background sleep started\n"
proc-other-runs.py         | {"limits":{"wall_time_ms":4000},"test_cases":[{"input":"A","expected":"run A: found nothing"},{"input":"B","expected":"run B: found nothing"}]} | 0 | .verdict == "accepted" and ([.test_results[].actual] == ["run A: found nothing\n", "run B: found nothing\n"])
cgroup-other-runs.py       | {"limits":{"wall_time_ms":4000},"test_cases":[{"input":"A","expected":"run A: saw nothing"},{"input":"B","expected":"run B: saw nothing"}]} | 0 | .verdict == "accepted" and ([.test_results[].actual] == ["run A: saw nothing\n", "run B: saw nothing\n"])
environment.py             | -                                    | 0 | .verdict == "accepted" and (.output | startswith("environ: {}\n/proc/self/environ: b''\nfds beyond 0-2: []\n")) and (.output | contains("uid, gid, groups: 1000 dynamic True"))
environment.js             | -                                    | 0 | .verdict == "accepted" and .output == "env: {}\nforeign fds: []\n"
sysv-ipc.py                | -                                    | 0 | .verdict == "accepted" and ([lines[] | select(test(": created"))] | length) == 4
# -- system calls: other ABIs, and kernel interfaces a program has no use for
syscall-int80.py           | -                                    | 1 | sig($int80_signal) and .output == "calling int 0x80 getpid\n"
syscall-x32.py             | -                                    | 1 | sig("SIGSYS") and .output == "calling x32 getpid\n"
syscall-io-uring.py        | -                                    | 0 | .verdict == "accepted" and .output == "io_uring_setup: blocked ENOSYS\n"
syscall-keyctl.py          | -                                    | 1 | sig("SIGSYS") and (.output | test("^uid [0-9]+\ncalling add_key\n$"))
syscall-bpf.py             | -                                    | 1 | sig("SIGSYS") and .output == "calling bpf(BPF_MAP_CREATE)\n"
syscall-perf-event-open.py | -                                    | 1 | sig("SIGSYS") and .output == "calling perf_event_open\n"
syscall-userfaultfd.py     | -                                    | 0 | .verdict == "accepted" and all_blocked_with(2; "EPERM")
syscall-ptrace.py          | -                                    | 1 | sig("SIGSYS") and .output == "calling ptrace(PTRACE_ATTACH, child)\n"
syscall-process-vm.py      | -                                    | 1 | sig("SIGSYS") and .output == "calling process_vm_readv(1)\n"
syscall-mount.py           | -                                    | 1 | sig("SIGSYS") and .output == "calling mount(tmpfs, /tmp)\n"
syscall-fsopen.py          | -                                    | 1 | sig("SIGSYS") and .output == "calling fsopen(tmpfs)\n"
syscall-unshare.py         | -                                    | 1 | sig("SIGSYS") and .output == "unshare(CLONE_NEWUSER): blocked EPERM\nunshare(CLONE_NEWNS|CLONE_NEWNET): blocked EPERM\nsetns(own netns fd, 0): blocked EPERM\nclone3(CLONE_NEWUSER): blocked ENOSYS\n"
syscall-chown.py           | -                                    | 1 | sig("SIGSYS") and .output == "calling chown(/tmp/f, 0, 0)\n"
syscall-personality.py     | -                                    | 1 | sig("SIGSYS") and (.output | test("^personality query: [^\n]*\n$"))
fake-fault.py              | -                                    | 1 | .verdict == "runtime_error" and .exit_code == 241 and .output == "exiting with 241\n" and (.error | contains("exited with code 241"))
self-sigsys.py             | -                                    | 0 | .verdict == "accepted" and all_blocked_with(7; "EPERM") and (.output | endswith("still alive\n"))
tiocsti.py                 | -                                    | 0 | .verdict == "accepted" and (all_blocked_with(2; "EPERM") or .output == "openpty: blocked ENOENT\ntyped into the pty: nothing\n") and (.output | endswith("typed into the pty: nothing\n"))
map-locked.py              | -                                    | 0 | .verdict == "accepted" and all_blocked_with(2; "EPERM") and (.output | startswith("RLIMIT_MEMLOCK: 0 0\n")) and (.output | test("VmLck:\\s+0 kB\n$"))
# -- the host's disk and journal (the suite adds .host_flushes, the host's disk flushes during the
#    case, and .journal_entries, the job's output entries; run.c forwards at least 16 KiB an entry,
#    or one entry per 50 ms slice)
disk-flush.py              | -                                    | 0 | .verdict == "accepted" and .output == "fsync, fdatasync, syncfs, sync_file_range, msync, sync: many rounds, every call returned 0\non a pipe: fsync 0, fdatasync 0, syncfs 0, sync_file_range 0\nio_setup: blocked ENOSYS\n" and .host_flushes < 100
byte-writes.py             | -                                    | 0 | .verdict == "accepted" and .output == ("x" * 65536) and .journal_entries <= (65536 / 16384) + (.wall_time_ms / 50 | floor) + 2
# -- the result itself (the suite adds .result_size and .job_size, in bytes; its policy has
#    result_case_bytes = 128K, result_bytes = 1M)
result-amplification.py    | jq:{limits: {wall_time_ms: 4000}, test_cases: [range(16)|{input: "", expected: (([1]|implode) * 65536)}]} | 0 | .verdict == "accepted" and ([.test_results[] | select(.passed)] | length) == 16 and .result_size <= .job_size + 1048576 + 65536 and .output_truncated and .test_results[0].actual_truncated and .test_results[0].stderr_truncated and .test_results[15].actual == "" and .test_results[15].actual_truncated
EOF

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

# Cache flushes the host's disks have done (field 16 of /sys/block/*/stat; 0 where the kernel has no
# such field).
host_flushes() { cat /sys/block/*/stat 2>/dev/null | awk '{ n += $16 } END { print n + 0 }'; }

# ---- the state of the host that no run may change ----
host_state() {
        local f
        for f in /etc/passwd /etc/shadow /etc/group /etc/gshadow; do
                printf '%s %s %s\n' "$f" "$(stat -c '%a %u %g %s %Y' "$f")" "$(sha256sum <"$f" | cut -c1-64)"
        done
        # /root itself and its top level (names, modes, owners); the tree is too big to hash per case.
        stat -c '/root %a %u %g' /root
        find /root -mindepth 1 -maxdepth 1 -printf '/root/%f %m %U %G\n' 2>/dev/null | sort
        # SysV IPC objects of dynamic uids in the host's IPC namespace.
        for f in shm sem msg; do
                awk -v lo="$DYN_MIN" -v hi="$DYN_MAX" -v t="$f" '
                        NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^c?[ug]id$/) col[i] = 1; next }
                        { for (i in col) if ($i + 0 >= lo && $i + 0 <= hi) { print "ipc " t " " $0; break } }' \
                        "/proc/sysvipc/$f" 2>/dev/null
        done
}

# What was left behind (lib.sh's leftovers_list) and the files of dynamic uids (a run's).
left_behind() {
        leftovers_list
        find /tmp /var/tmp /dev/shm /run /root /etc -xdev -maxdepth 3 \( -uid +$((DYN_MIN - 1)) -uid -$((DYN_MAX + 1)) \) \
                -printf 'file %p owned by a dynamic uid\n' 2>/dev/null
}
# The lines of stdin not reported before: a leftover is the fault of the case that left it, not of
# every case after it (aftermath runs in a subshell, so what was reported is kept in a file).
: >"$work/reported"
once() {
        local line
        while IFS= read -r line; do
                grep -qxF -- "$line" "$work/reported" && continue
                printf '%s\n' "$line" | tee -a "$work/reported"
        done
}

# The canary: the run after each case must find a fresh sandbox.
CANARY='import os
bad = []
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    if os.listdir(d):
        bad.append("%s holds %s" % (d, sorted(os.listdir(d))[:5]))
# Its own pid namespace: only itself in /proc (pid 1, the init of the run, is not its to see).
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
if others:
    bad.append("sees processes %s" % others[:10])
if os.getpid() != 2:
    bad.append("is pid %d, not the first after init" % os.getpid())
if open("/proc/self/environ", "rb").read():
    bad.append("has an environment")
# uid 1000 in its user namespace, a dynamic user outside it.
outer = int(open("/proc/self/uid_map").read().split()[1])
if os.getuid() != 1000 or not 61184 <= outer <= 65519:
    bad.append("runs as uid %d (%d outside)" % (os.getuid(), outer))
st = os.statvfs("/tmp")
if st.f_bfree != st.f_blocks or st.f_ffree < st.f_files - 8:
    bad.append("tmpfs not empty: %d/%d blocks, %d/%d inodes free" % (st.f_bfree, st.f_blocks, st.f_ffree, st.f_files))
print("canary: " + ("; ".join(bad) if bad else "clean"))'
jq -cn --arg code "$CANARY" --argjson base "$BASE" '{code: $code, language: "python"} + $base' >"$work/canary.json"

# Everything a case must leave as it found it; prints one line per problem.
aftermath() {
        local before=$1 uids=$2
        left_behind | once
        diff <(printf '%s\n' "$before") <(host_state) | sed -n 's/^[<>] /host changed: /p'
        # Keys outlive every process of their uid, in the host's kernel. /proc/key-users is shared
        # with every other box and host on this kernel, so only the uid a case printed ("uid N") is
        # checked: systemd's own session keyring and invocation_id key (KeyringMode=private) are
        # freed by the key GC within moments of the run's end; anything the program linked into
        # its user keyring would stay.
        local uid
        for uid in $uids; do
                wait_for "! grep -q '^ *$uid:' /proc/key-users" 3
                grep "^ *$uid:" /proc/key-users | sed 's/^/keys left in the kernel: /'
        done

        [ -s "$work/honeypot.log" ] && { sed 's/^/honeypot reached: /' "$work/honeypot.log"; : >"$work/honeypot.log"; }
        systemctl is-active --quiet systemd-journald.service || echo "journald is not active"
        systemctl is-active --quiet dbus.socket || echo "dbus.socket is not active"
        local out rc
        out=$("${KWCTL[@]}" "$work/canary.json" 2>&1)
        rc=$?
        if [ "$rc" != 0 ] || [ "$(printf '%s' "$out" | jq -r .output 2>/dev/null)" != "canary: clean" ]; then
                echo "next run not clean: exit $rc: ${out:0:300}"
        fi
}

# ---- honeypots on the host: an abstract unix socket and a loopback TCP port ----
: >"$work/honeypot.log"
/usr/bin/python3 - "$work/honeypot.log" "$work/honeypot.ready" <<'PY' &
import select, socket, sys
log = open(sys.argv[1], "a", buffering=1)
a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
a.bind("\0kw-adversarial-host")
a.listen(16)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", 47470))
t.listen(16)
open(sys.argv[2], "w").close()
while True:
    for s in select.select([a, t], [], [])[0]:
        c, _ = s.accept()
        log.write("connection to %r\n" % (s.getsockname(),))
        c.close()
PY
honeypot_pid=$!
on_exit 'kill "$honeypot_pid" 2>/dev/null'
if wait_for '[ -e "$work/honeypot.ready" ]' 5; then ok "honeypots listening (@kw-adversarial-host, 127.0.0.1:47470)"
else fail "honeypots listening" "could not bind @kw-adversarial-host or 127.0.0.1:47470"; fi

# int 0x80 from a 64-bit process: a kernel without IA32 emulation faults it (SIGSEGV) before any
# filter sees it; one with it hands it to seccomp, which must kill it (SIGSYS). Asked of the host.
int80_signal=SIGSYS
python3 "$cases_dir/syscall-int80.py" >/dev/null 2>&1
[ $? = $((128 + 11)) ] && int80_signal=SIGSEGV
echo "     int 0x80 on this kernel, unsandboxed: $([ $int80_signal = SIGSEGV ] && echo faults || echo runs); expected in a run: $int80_signal"

# ---- the cases ----
suite_start=$(date +%s.%N)
state=$(host_state)
left_behind | once >/dev/null      # anything from before the suite is not a case's fault
n_cases=0
while IFS= read -r row; do
        [ -z "$(trim "$row")" ] || [[ $row == '#'* ]] && continue
        file=$(trim "${row%% | *}"); rest=${row#* | }
        extra=$(trim "${rest%% | *}"); rest=${rest#* | }
        want_rc=$(trim "${rest%% | *}"); filter=$(trim "${rest#* | }")
        if [ -n "${KW_ADV_ONLY:-}" ] && ! [[ $file =~ $KW_ADV_ONLY ]]; then continue; fi
        n_cases=$((n_cases + 1))
        case $file in *.py) lang=python ;; *.js) lang=javascript ;; *) fail "$file" "unknown language"; continue ;; esac
        [ "$extra" = - ] && extra='{}'
        # "jq:PROGRAM": the extra JSON is what PROGRAM makes (for cases too big to write out).
        [[ $extra == jq:* ]] && extra=$(jq -cn "${extra#jq:}")
        printf '%s' "$extra" >"$work/extra.json"
        if ! jq -n --rawfile code "$cases_dir/$file" --arg lang "$lang" --argjson base "$BASE" --slurpfile extra "$work/extra.json" \
                '{code: $code, language: $lang} + ($base * $extra[0])' >"$work/job.json"; then
                fail "$file" "cannot build the job (extra JSON: ${extra:0:200})"; continue
        fi
        t0=$(date +%s.%N)
        flushes=$(host_flushes)
        out=$("${KWCTL[@]}" "$work/job.json" 2>"$work/err")
        rc=$?
        secs=$(echo "$(date +%s.%N) - $t0" | bc)
        flushes=$(($(host_flushes) - flushes))
        if id=$(printf '%s' "$out" | jq -er .job_id 2>/dev/null); then
                entries=$(journalctl -q --no-pager -o json "KW_JOB_ID=$id" KW_STREAM=stdout KW_STREAM=stderr | wc -l)
                out=$(printf '%s' "$out" | jq -c --argjson f "$flushes" --argjson e "$entries" --argjson r "${#out}" \
                        --argjson j "$(stat -c %s "$work/job.json")" '. + {host_flushes: $f, journal_entries: $e, result_size: $r, job_size: $j}')
        fi
        got=$(printf '%s' "$out" | jq -r '[.verdict, .signal // empty] | join(" ")' 2>/dev/null)
        if ! printf '%s' "$out" | jq -e . >/dev/null 2>&1; then
                fail "$file" "kwctl's output is not valid JSON (exit $rc): ${out:0:300} $(head -c 300 "$work/err")"
        elif [ "$rc" != "$want_rc" ]; then
                fail "$file" "exit status $rc, expected $want_rc ($got)"
        elif ! printf '%s' "$out" | jq -e --arg int80_signal "$int80_signal" "$PRELUDE $filter" >/dev/null 2>"$work/jqerr"; then
                fail "$file" "got $got, expected: $filter $(head -c 200 "$work/jqerr")"
        else
                ok "$file ($got, $(printf '%.1f' "$secs") s)"
        fi
        if [ "$rc" != "$want_rc" ] || ! printf '%s' "$out" | jq -e --arg int80_signal "$int80_signal" "$PRELUDE $filter" >/dev/null 2>&1; then
                printf '%s' "$out" | jq -r '"     output: \(.output // "" | .[0:700] | @json)\n     stderr: \(.stderr // "" | .[0:300] | @json)\n     error:  \(.error // "" | .[0:300] | @json)\n     host disk flushes: \(.host_flushes), journal entries: \(.journal_entries)",
                        (.test_results // [] | to_entries[] | "     test \(.key): \(.value.verdict) \(.value.actual | .[0:300] | @json)")' 2>/dev/null
        fi
        problems=$(aftermath "$state" "$(printf '%s' "$out" | jq -r '.output // "", .test_results[]?.actual' 2>/dev/null |
                                         sed -n 's/^uid \([0-9]*\)$/\1/p')")
        if [ -z "$problems" ]; then ok "$file: host and next run untouched"
        else
                fail "$file: host and next run untouched" "$(printf '%s' "$problems" | head -1)"
                printf '%s\n' "$problems" | sed 's/^/     /' | head -20
        fi
        state=$(host_state)
done <<<"$TABLE"

echo "adversarial: $n_cases cases in $(printf '%.0f' "$(echo "$(date +%s.%N) - $suite_start" | bc)") s"
summary adversarial
