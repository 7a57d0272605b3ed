#!/usr/bin/env bash
# Tests of cells (issue 12): one hardened unit, kw-exec its main process, serves many runs one after
# another, each in fresh namespaces with a root of only what its language needs. kwd is installed
# with a policy that makes one cell serve every job in turn (max_jobs = 1, cells = 1, cell_runs =
# 1000, parallel_runs = 1), and pairs of jobs run back to back in it: job A plants or tries
# something, job B observes and must find nothing of it — files, processes, SysV and POSIX IPC, unix
# sockets, environment and rlimits, timers; A cannot see, signal or ptrace kw-exec (nor reach it
# through its process group), make a namespace or remount anything. Every pair is checked to have run in one cell, B the run right after A
# (kwd's summary of each run: KW_UNIT, KW_CELL_RUN), or it would prove nothing. Then: a run's root
# is what its language's policy names and no more; kill -9 of kw-exec mid-run and of kwd leave
# nothing behind. The probes are tests/cells/*. Prints "N passed, M failed".
# Needs a real systemd: scripts/systemd.sh tests/cells.sh build
#   tests/cells.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"
probes=$top/tests/cells

# jq helpers for the filters: the output's lines, the attempts a probe says succeeded or were
# blocked, and a run that ended normally.
PRELUDE='
def lines: (.output // "") | split("\n") | map(select(length > 0));
def succeeded: [lines[] | select(test("SUCCEEDED"))];
def blocked: [lines[] | select(test(": blocked "))];
def ran: .status == "success" and .verdict == "accepted";
'

# ---- the suite's policy: one cell, one job at a time, one run at a time ----
state_before=$(kw_state)
kwd_install
policy_set() { # policy_set SECTION KEY VALUE: in the suite's copy, added to SECTION where it has no KEY
        if grep -q "^$2 = " "$policy_dir/limits.conf"; then set_policy "$2" "$3"
        else sed -i "/^\[$1\]/a $2 = $3" "$policy_dir/limits.conf"; fi
}
policy_set daemon max_jobs 1
policy_set daemon cells 1
policy_set daemon cell_runs 1000
policy_set job parallel_runs 1
check "policy: one cell serves one job at a time, one run at a time" \
        '[ "$(policy_value max_jobs)/$(policy_value cells)/$(policy_value cell_runs)/$(policy_value parallel_runs)" = 1/1/1000/1 ]' \
        'grep -E "^(max_jobs|cells|cell_runs|parallel_runs) =" "$policy_dir/limits.conf"'
systemctl start kwd.socket

# ---- jobs, the cell each ran in, and what is left of them ----
# submit NAME PROBE [FIRST-LINE]: tests/cells/PROBE (python or javascript, by its suffix) as a job
# without test cases, FIRST-LINE of code before it; kwctl's answer in $work/NAME.out, its exit status
# in NAME.rc, and the cell its run ran in, "UNIT RUN", in NAME.cell.
submit() {
        local lang=python
        [[ $2 == *.js ]] && lang=javascript
        jq -n --rawfile code "$probes/$2" --arg first "${3:-}" --arg lang "$lang" \
                '{code: (if $first == "" then $code else $first + "\n" + $code end), language: $lang}' >"$work/$1.json"
        "$kwctl" submit "$work/$1.json" >"$work/$1.out" 2>"$work/$1.err"
        echo $? >"$work/$1.rc"
        cell_of "$(jq -r '.job_id // empty' "$work/$1.out" 2>/dev/null)" >"$work/$1.cell"
}
summary_of() { # summary_of JOB_ID: "UNIT RUN" from kwd's summary entry of the job's run
        journalctl --namespace='*' -q --no-pager -o json KW_SUMMARY=1 "KW_JOB_ID=$1" |
                jq -r '"\(.KW_UNIT) \(.KW_CELL_RUN)"' | head -1
}
cell_of() { # cell_of JOB_ID: summary_of, once the entry is there (it may land just after the answer)
        [ -n "$1" ] || { echo "(no job id)"; return; }
        wait_for "[ -n \"\$(summary_of $1)\" ]" 10
        summary_of "$1"
}
unit_of() { local unit _; read -r unit _ <"$work/$1.cell"; echo "$unit"; } # unit_of NAME: its run's cell
# same_cell NAME: jobs NAME-a and NAME-b ran in one cell, B's run the one after A's.
same_cell() {
        local ua ra ub rb
        read -r ua ra <"$work/$1-a.cell"
        read -r ub rb <"$work/$1-b.cell"
        [[ $ua == kw-*.service ]] && [ "$ua" = "$ub" ] && [[ $ra =~ ^[0-9]+$ ]] && [[ $rb =~ ^[0-9]+$ ]] && [ "$rb" = $((ra + 1)) ]
}
# jqo NAME FILTER [JQ-ARG...]: FILTER (with PRELUDE) holds for job NAME's answer
jqo() { local f=$work/$1.out filter=$2; shift 2; jq -e "$@" "$PRELUDE $filter" "$f" >/dev/null 2>&1; }
# ran_ok NAME: kwctl judged job NAME's run to have ended normally
ran_ok() { [ "$(cat "$work/$1.rc")" = 0 ] && jqo "$1" ran; }
show() { # show NAME...: the jobs, in a line each, for a failure's message
        local n
        for n; do
                printf '%s: exit %s, cell %s: %s\n' "$n" "$(cat "$work/$n.rc" 2>/dev/null)" "$(cat "$work/$n.cell" 2>/dev/null)" \
                        "$(jq -c '{verdict, signal, output: (.output // "" | .[0:300]), error: (.error // "" | .[0:200])}' "$work/$n.out" 2>/dev/null ||
                           head -c 300 "$work/$n.out" "$work/$n.err")"
        done
}
# check_jobs NAME CONDITION JOB...: check, and after a failure the jobs' whole outputs, indented.
check_jobs() {
        local before=$failed n
        check "$1" "$2" "show ${*:3}"
        [ "$failed" = "$before" ] && return
        for n in "${@:3}"; do
                echo "     $n, cell $(cat "$work/$n.cell" 2>/dev/null), exit $(cat "$work/$n.rc" 2>/dev/null):"
                jq -r '(.output // "" | split("\n")[] | "       | " + .), "       error: \(.error // "" | .[0:300])",
                        "       stderr: \(.stderr // "" | .[-300:] | @json)"' "$work/$n.out" 2>/dev/null | head -60
        done
}

# The processes in UNIT's cgroup but its main process, kw-exec, one line each (and a line if the main
# process is not kw-exec). Between runs a cell holds kw-exec alone.
cell_others() {
        local cg main d pid
        cg=$(systemctl show -P ControlGroup "$1" 2>/dev/null)
        main=$(systemctl show -P MainPID "$1" 2>/dev/null)
        [ -n "$cg" ] && [ "${main:-0}" != 0 ] || { echo "no cgroup or main process for unit '$1'"; return; }
        [ "$(cat "/proc/$main/comm" 2>/dev/null)" = kw-exec ] || echo "main process $main is $(cat "/proc/$main/comm" 2>/dev/null)"
        for d in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
                [ -d "$d$cg" ] && find "$d$cg" -name cgroup.procs -exec cat {} +
        done | sort -un | while read -r pid; do
                [ "$pid" = "$main" ] || echo "process $pid in the cell: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | head -c 100)"
        done
}
# between NAME: right after job NAME-a's answer, what is left of it — processes in its cell other
# than kw-exec, and host processes named as a probe names them (kw-cells-...) — in $work/NAME.between,
# and the cell's main process in NAME.main.
between() {
        local unit
        unit=$(unit_of "$1-a")
        { cell_others "$unit"; ps -eo pid=,args= | awk '$2 ~ /^kw-cells-/ { print "host process:", $0 }'; } >"$work/$1.between"
        systemctl show -P MainPID "$unit" >"$work/$1.main" 2>/dev/null
}
# pair NAME PROBE: job A (ROLE = "A"), then job B (ROLE = "B") of PROBE, and what A left between.
pair() {
        submit "$1-a" "$2" 'ROLE = "A"'
        between "$1"
        submit "$1-b" "$2" 'ROLE = "B"'
}
check_between() { # check_between NAME: nothing of job A was left when its answer came
        local pair_name=$1 # for check's eval, where $1 is check's own
        check "$1: when A's answer came, its cell held kw-exec alone and no process of A was left" \
                '[ -s "$work/$pair_name-a.cell" ] && [ ! -s "$work/$pair_name.between" ]' 'cat "$work/$pair_name.between"'
}

# ---- 1. files in every writable place; writes anywhere else ----
pair files files.py
files_a='([lines[] | select(startswith("planted ") and contains("kw-planted") and contains("kw-dir"))] | length) == 3 and
        (succeeded | length) == 0 and (blocked | length) == 15 and
        all(blocked[]; test(": blocked (EROFS|EACCES|EPERM)$") or (test("^(create|write) /proc/") and endswith(": blocked ENOENT")))'
check_jobs "files: A planted in /tmp, /var/tmp and /dev/shm, and could write nowhere else (EROFS, EACCES)" \
        'ran_ok files-a && jqo files-a "$files_a"' files-a
files_b='[lines[] | select(startswith("state "))] as $b | ($a[0] | [lines[] | select(startswith("state "))]) as $init |
        ($b | length) == 3 and $b == $init and all($b[]; contains("entries []"))'
check_jobs "files: B, next in the same cell, finds /tmp, /var/tmp and /dev/shm as A found them: empty" \
        'same_cell files && ran_ok files-b && jqo files-b "$files_b" --slurpfile a "$work/files-a.out"' files-a files-b
check_between files

# ---- 2. processes: a daemon, a stopped one, one immune to SIGTERM and SIGHUP ----
pair procs procs.py
procs_a='(lines | map(select(test("^daemon [0-9]+: [RSD] in session [0-9]+$"))) | length) == 1 and
        (lines | map(select(test("^stopped [0-9]+: T$"))) | length) == 1 and
        (lines | map(select(test("^immune [0-9]+: survived SIGTERM and SIGHUP$"))) | length) == 1 and
        (lines | map(select(test("^left behind, with itself: \\[(1, )?2(, [0-9]+){3}\\]$"))) | length) == 1'
check_jobs "procs: A left a daemon (double fork, setsid), a stopped process and one immune to SIGTERM and SIGHUP" \
        'ran_ok procs-a && jqo procs-a "$procs_a"' procs-a
want_procs_b="pid 2, parent 1
itself in /proc: yes
others in /proc: none
its child in /proc: yes
others then: none
"
check_jobs "procs: B, next in the same cell, sees in /proc itself (pid 2) and its own child, none else but init (pid 1)" \
        'same_cell procs && ran_ok procs-b && jqo procs-b ".output == \$want" --arg want "$want_procs_b"' procs-a procs-b
check_between procs

# ---- 3. SysV shared memory, semaphores, message queues; a POSIX message queue ----
pair ipc ipc.py
want_ipc_a="objects: shm 0, sem 0, msg 0
shmget(key): created
shmget(IPC_PRIVATE): created
semget(key): created
msgget(key): created
msgsnd: sent
mq_open(/kw-cells): created
mq_send: sent
objects: shm 2, sem 1, msg 1
"
check_jobs "ipc: A created SysV shm (keyed and private), sem and msg objects and a POSIX mqueue, and left them" \
        'ran_ok ipc-a && jqo ipc-a ".output == \$want" --arg want "$want_ipc_a"' ipc-a
want_ipc_b="objects: shm 0, sem 0, msg 0
shmget(key): ENOENT
semget(key): ENOENT
msgget(key): ENOENT
mq_open(/kw-cells): ENOENT
"
check_jobs "ipc: B, next in the same cell, has no object in its IPC namespace (SHM_INFO, SEM_INFO, MSG_INFO) and none of A's names (ENOENT)" \
        'same_cell ipc && ran_ok ipc-b && jqo ipc-b ".output == \$want" --arg want "$want_ipc_b"' ipc-a ipc-b
check_between ipc

# ---- 4. unix sockets: abstract and path, left listening ----
pair sockets sockets.py
want_sockets_a="bound @kw-cells-abstract, /tmp/kw-cells.sock and @kw-cells-dgram
connect @kw-cells-abstract: ok
connect /tmp/kw-cells.sock: ok
send @kw-cells-dgram: ok
left listening in a daemon
"
check_jobs "sockets: A bound an abstract, a path (/tmp) and an abstract datagram socket, and left them to a daemon" \
        'ran_ok sockets-a && jqo sockets-a ".output == \$want" --arg want "$want_sockets_a"' sockets-a
want_sockets_b="connect @kw-cells-abstract: ECONNREFUSED
connect /tmp/kw-cells.sock: ENOENT
send @kw-cells-dgram: ECONNREFUSED
bind @kw-cells-abstract: ok
"
check_jobs "sockets: B, next in the same cell, can reach none of them, and the abstract name is free" \
        'same_cell sockets && ran_ok sockets-b && jqo sockets-b ".output == \$want" --arg want "$want_sockets_b"' sockets-a sockets-b
check_between sockets

# ---- 5. environment, rlimits, nice, umask ----
pair env env.py
# A run's rlimits are the policy's (kw-exec's set_limits): open files, file size, no core, no locked
# memory, and CPU time at least the limit.
env_policy='def rlimit($n): [lines[] | select(startswith("state rlimit " + $n + " ")) | split(" ")[3:5]][0];
        rlimit("NOFILE") == [$nofile, $nofile] and rlimit("FSIZE") == [$fsize, $fsize] and rlimit("CORE") == ["0", "0"] and
        rlimit("MEMLOCK") == ["0", "0"] and (rlimit("CPU")[0] | tonumber) >= ($cpu_ms | tonumber) / 1000 and
        (lines | index("state environ {}") != null) and (lines | index("state /proc/self/environ b'"''"'") != null)'
env_args=(--arg nofile "$(policy_value open_files)" --arg fsize "$(policy_value file_size_bytes)" --arg cpu_ms "$(policy_value time_ms)")
env_a='(lines | index("tampered: environ: KW_CELLS_LEAK set") != null) and
        (lines | index("tampered: own rlimits: NOFILE now (64, 64)") != null) and
        (lines | index("tampered: nice of itself: now 10") != null)'
check_jobs "env: A started with the policy's rlimits and an empty environment, then changed both, its nice and umask" \
        'ran_ok env-a && jqo env-a "$env_policy and $env_a" "${env_args[@]}"' env-a
env_b='[lines[] | select(startswith("state "))] as $b | ($a[0] | [lines[] | select(startswith("state "))]) as $init |
        ($b | length) >= 18 and $b == $init'
check_jobs "env: B, next in the same cell, starts as A started: empty environment, the policy's rlimits, nice, umask" \
        'same_cell env && ran_ok env-b && jqo env-b "$env_policy and ($env_b)" "${env_args[@]}" --slurpfile a "$work/env-a.out"' env-a env-b
check_between env

# ---- 6. timers: itimers, a POSIX timer, an alarm in a daemon, due just after A's end ----
submit timers-a timers.py 'ROLE = "A"'
between timers
due=$(jq -r '.output // ""' "$work/timers-a.out" | sed -n 's/^due \([0-9.]*\)$/\1/p')
submit timers-b timers.py "ROLE, DUE = \"B\", ${due:-0}"
want_timers_a="ITIMER_REAL: armed, 0.8 s left
ITIMER_VIRTUAL: armed, 0.8 s left
ITIMER_PROF: armed, 0.8 s left
timer_create: armed
"
check_jobs "timers: A armed ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF and a POSIX timer to go off after its end" \
        'ran_ok timers-a && [ -n "$due" ] && jqo timers-a ".output | startswith(\$want)" --arg want "$want_timers_a"' timers-a
want_timers_b="itimers: real 0.0, virtual 0.0, prof 0.0
alarm pending: 0
signals pending: []
waited past A's timers: yes
signals caught: []
"
check_jobs "timers: B, next in the same cell, has no timer armed or signal pending, and catches none past A's" \
        'same_cell timers && ran_ok timers-b && jqo timers-b ".output == \$want" --arg want "$want_timers_b"' timers-a timers-b
check_between timers

# ---- 7. kw-exec: not visible, not to be signalled or ptraced ----
pair init init.py
init_a='lines[0] == "pid 2, parent 1" and (lines[1] | test("^init in /proc: (kw-exec|hidden)$")) and lines[2] == "others in /proc: none" and
        ([lines[] | select(startswith("kill(1, "))] | length == 11 and all(.[]; test(": (returned 0|blocked EPERM)$"))) and
        ([lines[] | select(startswith("pidfd_send_signal("))] | length == 1 and all(.[]; test(": (returned 0|blocked EPERM)$"))) and
        (lines | map(select(test("^init after the signals: alive(, state S)?$"))) | length) == 1 and
        ([lines[] | select(test("^(read|list|readlink) /proc/1/"))] | length == 5 and all(.[]; test(": blocked (EACCES|EPERM|ENOENT)$"))) and
        ([lines[] | select(test("^(ptrace|process_vm_readv)\\("))] | length == 4 and all(.[]; endswith(": killed by SIGSYS"))) and
        (lines | last | test("^init at the end: alive(, state S)?$")) and (succeeded | length) == 0'
check_jobs "kw-exec: A sees no process but itself (and init), kill(1, SIGKILL) and the like do nothing, ptrace is SIGSYS, A ends normally" \
        'ran_ok init-a && jqo init-a "$init_a"' init-a
init_b='lines[0:3] == ($a[0] | lines[0:3]) and (lines[3:] | length == 1 and (.[0] | test("^init: alive(, state S)?$")))'
check_jobs "kw-exec: B, next in the same cell (its kw-exec the same process), finds init as A did" \
        'same_cell init && ran_ok init-b && [ "$(systemctl show -P MainPID "$(unit_of init-b)")" = "$(cat "$work/init.main")" ] &&
         jqo init-b "$init_b" --slurpfile a "$work/init-a.out"' init-a init-b
check_between init

# The run's process group and session: kill(0, ...) and setpriority(PRIO_PGRP, 0, ...) from A reach
# every member of its group, in whatever namespace; kw-exec must not be one.
pair pgrp pgrp.py
check_jobs "kw-exec: A's process group and session are its run's own, and A ends normally after kill(0, SIGTERM), kill(0, SIGHUP)" \
        'ran_ok pgrp-a && jqo pgrp-a "lines[0] | test(\"^process group [1-9][0-9]*, session [1-9][0-9]*, nice -?[0-9]+\$\")"' pgrp-a
check_jobs "kw-exec: B, next in the same cell (its kw-exec the same process), starts with A's nice, not the 19 A set for its group" \
        'same_cell pgrp && ran_ok pgrp-b && [ "$(systemctl show -P MainPID "$(unit_of pgrp-b)")" = "$(cat "$work/pgrp.main")" ] &&
         jqo pgrp-b "lines == (\$a[0] | lines[0:1])" --slurpfile a "$work/pgrp-a.out"' pgrp-a pgrp-b
check_between pgrp

# ---- 8. no namespace of any kind, no mount ----
pair ns ns.py
# What kw's seccomp policy does to CALL, in the probes' words: an errno rule's errno, else the kill.
seccomp_outcome() {
        local errno
        errno=$(sed -nE "s/^errno ([A-Z0-9]+) ([a-z0-9_]+ )*$1( .*)?\$/\1/p" "$policy_dir/seccomp.conf" | head -1)
        if [ -n "$errno" ]; then echo "blocked $errno"; else echo "killed by SIGSYS"; fi
}
ns_a='def with_prefix($p): [lines[] | select(test($p))];
        (succeeded | length) == 0 and
        (with_prefix("^unshare\\(") | length == 8 and all(.[]; endswith(": " + $unshare))) and
        (with_prefix("^setns\\(") | length >= 7 and all(.[]; endswith(": " + $setns))) and
        (with_prefix("^clone3?\\(") | length == 8 and all(.[]; test(": (killed by SIGSYS|blocked E[A-Z]+)$"))) and
        (with_prefix("^(mount|umount2|pivot_root|chroot|open_tree|move_mount|fsopen|fspick|mount_setattr)\\(") |
                length == 12 and all(.[]; test(": (killed by SIGSYS|blocked E[A-Z]+)$"))) and
        (lines | last) == "mounts afterwards: unchanged"'
check_jobs "namespaces: A can make none (unshare: $(seccomp_outcome unshare), setns: $(seccomp_outcome setns), clone: no) nor mount, unmount, pivot or chroot" \
        'ran_ok ns-a && jqo ns-a "$ns_a" --arg unshare "$(seccomp_outcome unshare)" --arg setns "$(seccomp_outcome setns)"' ns-a
# B's namespaces, none of them its cell's (kw-exec's, read from the host while the cell waits): the
# six kw-exec makes for each run. The network namespace is the cell's (PrivateNetwork=): a run can
# change nothing in it and leave nothing there (a socket ends with its last process, as 4. checks).
run_ns="cgroup ipc mnt pid user uts"
cell_ns=$(main=$(systemctl show -P MainPID "$(unit_of ns-b)"); for ns in $run_ns; do readlink "/proc/$main/ns/$ns"; done)
ns_b='($cell | split("\n")) as $c | [lines[] | select(startswith("mount "))] as $b |
        ($a[0] | [lines[] | select(startswith("mount "))]) as $init |
        ($b | length) > 0 and $b == $init and
        ([lines[] | select(startswith("ns ") and (startswith("ns net:") | not)) | ltrimstr("ns ")] |
                length == 6 and all(.[]; . as $x | $c | all(.[]; . != $x)))'
check_jobs "namespaces: B, next in the same cell, has A's mounts as A found them, and $run_ns namespaces none of which is the cell's" \
        'same_cell ns && ran_ok ns-b && [ "$(wc -l <<<"$cell_ns")" = 6 ] && jqo ns-b "$ns_b" --slurpfile a "$work/ns-a.out" --arg cell "$cell_ns"' ns-a ns-b
check_between ns

# ---- 9. the root: what the language's policy names, and nothing else of the host ----
# language_key LANGUAGE KEY: KEY's value in the suite's policy of LANGUAGE, comment cut off.
language_key() {
        sed -n "s/^$2 *= *//p" "$(grep -lx "name = $1" "$policy_dir"/languages/*.conf | head -1)" | sed 's/ *#.*//' | head -1
}
root_expect='def firsts: [.[] | ltrimstr("/") | split("/")[0]];
        def under($d): [$roots[] | select(startswith($d + "/")) | ltrimstr($d + "/") | split("/")[0]];
        def covered($p): any($roots[]; . == $p or ($p | startswith(. + "/")));
        .output | fromjson |
        .listings["/"] == ($roots | firsts + ["dev", "proc", "run", "tmp", "var"] | unique) and
        (covered("/etc") or .listings["/etc"] == (under("/etc") | unique)) and
        (covered("/var") or .listings["/var"] == (under("/var") + ["tmp"] | unique)) and
        .listings["/run"] == (under("/run") + ["kw"] | unique) and .listings["/run/kw"] == [$source] and
        .listings["/dev"] == ["fd", "full", "null", "random", "shm", "stderr", "stdin", "stdout", "urandom", "zero"] and
        ([.exists[] | select(covered(.) | not)] == []) and
        .pid == 2 and .ppid == 1 and .uid == 1000 and .gid == 1000 and .cwd == "/tmp" and .environ == {} and
        .status == {CapInh: "0000000000000000", CapPrm: "0000000000000000", CapEff: "0000000000000000",
                    CapBnd: "0000000000000000", CapAmb: "0000000000000000", NoNewPrivs: "1", Seccomp: "2"}'
# root_paths LANGUAGE: the host paths its root holds, one a line: its policy's root key, where a path
# with "-" first counts only if the host has it.
root_paths() {
        local p
        for p in $(language_key "$1" root); do
                [[ $p == -* ]] && { p=${p#-}; [ -e "$p" ] || [ -L "$p" ] || continue; }
                echo "$p"
        done
}
for probe in root.py root.js; do
        lang=python
        [[ $probe == *.js ]] && lang=javascript
        roots=$(root_paths "$lang" | paste -sd ' ')
        submit "root-$lang" "$probe"
        check_jobs "root ($lang): / holds only its policy's root (${roots:-none given}) and dev, proc, run, tmp, var; uid 1000, no capability, empty environment" \
                '[ -n "$roots" ] && ran_ok root-$lang && jqo root-$lang "$root_expect" --argjson roots "$(printf "%s\n" $roots | jq -R . | jq -sc .)" --arg source "$(language_key "$lang" source_file)"' \
                "root-$lang"
done

# ---- 10. kill -9 of kw-exec mid-run ----
# The unit of the program running now (a python3 of a run, in a kw-* unit's cgroup), if any.
running_unit() {
        local pid args
        while read -r pid args; do
                [[ $args == *python3*' /run/kw/main.py' ]] || continue
                sed -n 's|^0::.*/\(kw-[^/]*\.service\).*|\1|p' "/proc/$pid/cgroup" 2>/dev/null
        done < <(ps -eo pid=,args=) | head -1
}
now_usec() { echo "${EPOCHREALTIME/[.,]/}"; }
job 'import time; time.sleep(30)' python >"$work/sleeper.json"
timeout 50 "$kwctl" submit "$work/sleeper.json" >"$work/killed-exec.out" 2>"$work/killed-exec.err" &
cpid=$!
wait_for '[ -n "$(running_unit)" ]' 20
unit=$(running_unit)
main=$(systemctl show -P MainPID "$unit" 2>/dev/null)
comm=$(cat "/proc/$main/comm" 2>/dev/null)
t0=$(now_usec)
[ "$comm" = kw-exec ] && kill -9 "$main"
wait "$cpid"; echo $? >"$work/killed-exec.rc"
elapsed_ms=$((($(now_usec) - t0) / 1000))
check_jobs "kill -9 of kw-exec ($comm, pid $main of ${unit:-no unit}) mid-run: the job ends at once, its run internal_error (exit 3)" \
        '[ "$comm" = kw-exec ] && [ "$(cat "$work/killed-exec.rc")" = 3 ] && [ "$elapsed_ms" -lt 20000 ] && jqo killed-exec ".verdict == \"internal_error\""' \
        killed-exec
check "kill -9 of kw-exec: the cell's unit is gone, nothing is left behind" \
        '[ -n "$unit" ] && wait_for "! systemctl list-units --all --plain --no-legend $unit | grep -q ." 10 && wait_for "[ \"\$(leftovers)\" = 0 ]" 10' \
        'systemctl list-units --all --plain --no-legend "$unit"; leftovers_list'
submit after-exec root.py
check_jobs "kill -9 of kw-exec: the next job succeeds, in a new cell" \
        'ran_ok after-exec && [ "$(unit_of after-exec)" != "$unit" ] && [[ "$(unit_of after-exec)" == kw-*.service ]]' after-exec

# ---- 11. kill -9 of kwd with cells alive ----
# Each cell's kw-exec is stopped (SIGSTOP) before kwd is killed, so that no cell can end by itself
# when kwd's end closes its socket: it is kwd's next start that must stop them.
timeout 50 "$kwctl" submit "$work/sleeper.json" >"$work/killed-kwd.out" 2>"$work/killed-kwd.err" &
cpid=$!
wait_for '[ -n "$(running_unit)" ]' 20
old_cells=$(systemctl list-units --plain --no-legend 'kw-*.service' | awk '{ print $1 }')
stopped=()
for u in $old_cells; do
        p=$(systemctl show -P MainPID "$u")
        [ "${p:-0}" != 0 ] && kill -STOP "$p" && stopped+=("$p")
done
on_exit 'kill -CONT "${stopped[@]}" 2>/dev/null'
oldpid=$(systemctl show -P MainPID kwd.service)
systemctl kill -s KILL kwd.service
wait "$cpid"; rc=$?
check "kill -9 of kwd: its client is told (exit 3)" '[ "$rc" = 3 ] && grep -q "kwd closed the connection" "$work/killed-kwd.err"' \
        'echo "exit $rc: $(cat "$work/killed-kwd.err")"'
# The client can see the hang-up before PID 1 has reaped kwd.
wait_for '[ "$(systemctl show -P MainPID kwd.service)" != "$oldpid" ]'
submit after-kwd root.py
check_jobs "kill -9 of kwd: the next job (kwd started again) succeeds, in a new cell" \
        'ran_ok after-kwd && [[ "$(unit_of after-kwd)" == kw-*.service ]] && ! grep -qxF "$(unit_of after-kwd)" <<<"$old_cells"' after-kwd
check "kill -9 of kwd: none of its cells (${old_cells//$'\n'/ }) is left, nor anything else" \
        '[ -n "$old_cells" ] && wait_for "! systemctl list-units --all --plain --no-legend $(echo $old_cells) | grep -q ." 10 &&
         wait_for "[ \"\$(leftovers)\" = 0 ]" 10' \
        'systemctl list-units --all --plain --no-legend $old_cells; leftovers_list'

# ---- uninstalled: the machine as the suite found it ----
"$top/scripts/kwd-dev.sh" uninstall
check "uninstalled: no unit, cell, drop-in, socket or run directory of the suite's left" '[ "$(kw_state)" = "$state_before" ]' \
        'diff <(echo "$state_before") <(kw_state)'

summary cells
