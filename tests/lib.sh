# The shell suites' harness: checks and their count, jobs, waiting on conditions, and kwd installed
# into the running systemd for a suite and removed after it. Source it after setting `top` (the
# checkout) and `build` (the build tree); it sets `kwctl` and `work` (a scratch directory).
#   . "$top/tests/lib.sh"

kwctl=$build/orchestrator/kwctl
work=$(mktemp -d /tmp/kw-test.XXXXXX)
unit_dir=/run/systemd/system
passed=0
failed=0
cleanups=()

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
# check NAME CONDITION [DETAIL]: CONDITION is eval'd; on failure so is DETAIL, a command whose output
# says what was found instead, so the message tells the state at the failure, not before it.
check() {
        if eval "$2"; then ok "$1"; else fail "$1" "$(eval "${3:-true}" 2>&1 | head -c 600)"; fi
}
# summary NAME: the closing line, and the suite's exit status.
summary() {
        echo "$1: $passed passed, $failed failed"
        [ "$failed" = 0 ]
}

# on_exit CMD: run CMD when the suite ends, however it ends (last registered, first run).
on_exit() { cleanups=("$1" "${cleanups[@]}"); }
run_cleanups() {
        local c
        for c in "${cleanups[@]}"; do eval "$c"; done
        rm -rf "$work"
}
trap run_cleanups EXIT

# job CODE LANGUAGE [EXTRA-JSON]: a job's JSON on stdout.
job() {
        jq -cn --arg code "$1" --arg lang "$2" --argjson extra "${3:-{\}}" '{code: $code, language: $lang} + $extra'
}
# doubling_job N WRONG: a Python job of N cases doubling their input, those in WRONG (numbers, by
# spaces, from 1) expecting a wrong answer.
doubling_job() {
        job 'print(int(input()) * 2)' python "$(jq -cn --argjson n "$1" --arg wrong "$2" '
                ($wrong | split(" ") | map(tonumber)) as $w |
                {test_cases: [range(1; $n + 1) | {input: "\(.)\n", expected: (if (. as $i | $w | index($i)) then "no\n" else "\(. * 2)\n" end)}]}')"
}
# on_tty FILE COMMAND...: COMMAND at a terminal (script(1)'s), its stdout to FILE.out; what the
# terminal showed (so its stderr only) to FILE.tty, and the lines drawn there, one per \r, to FILE.lines.
# Return: COMMAND's exit status.
on_tty() {
        local file=$1 rc
        shift
        script -qec "$(printf '%q ' "$@") >$(printf '%q' "$file.out")" /dev/null >"$file.tty" 2>&1
        rc=$?
        tr '\r' '\n' <"$file.tty" | sed 's/\x1b\[K//g' | grep -v '^$' >"$file.lines"
        return $rc
}
# wait_for CONDITION [SECONDS]: until CONDITION holds (default 30 s), for what happens after a command
# returns. Return: 1 if it never did.
wait_for() {
        local i
        for i in $(seq $((${2:-30} * 10))); do eval "$1" && return 0; sleep 0.1; done
        return 1
}

# cursor [JOURNALCTL-MATCH...]: the journal's cursor now, of the entries that match. Take it with the
# matches the later --after-cursor query uses: systemd 252's journalctl skips the first entry after a
# cursor whose own entry does not match the query.
cursor() { journalctl "$@" -n 0 --show-cursor -q --no-pager | sed -n 's/^-- cursor: //p'; }

# ---- kwd as a service of the running systemd ----

# kwd_install: the build's kwd with a copy of the policy ($work/policy, for set_policy) under
# /run/systemd/system; with KW_SANITIZED set, a drop-in that lets LeakSanitizer ptrace kwd. Removed
# when the suite ends.
kwd_install() {
        cp -r "$top/policy" "$work/policy"
        policy_dir=$work/policy
        "$top/scripts/kwd-dev.sh" install "$build" "$work/policy"
        on_exit '"$top/scripts/kwd-dev.sh" uninstall'
        if [ -n "${KW_SANITIZED:-}" ]; then
                mkdir -p "$unit_dir/kwd.service.d"
                printf '[Service]\nSystemCallFilter=@debug\nEnvironment=ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1\n' \
                        >"$unit_dir/kwd.service.d/sanitizer.conf"
                systemctl daemon-reload
        fi
}
# reload_kwd: systemctl reload, then wait until kwd says it has the new policy (the reload is a
# signal, handled after systemctl returns).
reload_kwd() {
        local cursor
        cursor=$(cursor -u kwd.service)
        systemctl reload kwd
        wait_for 'journalctl -u kwd.service --after-cursor="$cursor" -q --no-pager | grep -q "Policy reloaded"'
}
set_policy() { # set_policy KEY VALUE: in the suite's copy of the policy
        sed -i "s/^$1 = .*/$1 = $2/" "$work/policy/limits.conf"
}
# policy_value KEY: KEY's value in the policy under test ($policy_dir, which kwd_install points at the
# suite's copy; else the checkout's), comment cut off, sizes in bytes (K, M, G are powers of 1024, as
# the policy reads them).
policy_value() { sed -n "s/^$1 = *\([^ #]*\).*/\1/p" "${policy_dir:-$top/policy}/limits.conf" | numfmt --from=iec; }

# Cells: kw-exec as each one's main process; a run's init is a kw-exec whose parent is one too.
cells() { systemctl list-units --plain --no-legend 'kw-*.service' | grep -c ' kw cell'; }
# Runs in flight: the inits of runs in cells, a kw-exec child of a cell's kw-exec (not the program's
# process before its exec, a kw-exec child of an init).
runs() {
        ps -eo ppid=,pid=,comm= | awk '$3 == "kw-exec" { comm[$2] = 1; parent[$2] = $1 }
                END { n = 0; for (p in parent) { q = parent[p]; if (comm[q] && !comm[parent[q]]) n++ } print n }'
}
# Cells with a run in them: their main process (kw-exec) has a child (the run's init).
busy_cells() {
        local u pid
        for u in $(systemctl list-units --plain --no-legend 'kw-*.service' | awk '/ kw cell$/ { print $1 }'); do
                pid=$(systemctl show -P MainPID "$u")
                [ "${pid:-0}" != 0 ] && pgrep -P "$pid" >/dev/null && echo "$u"
        done
}
# Idle warm cells: cells without a run.
warm() { echo $(($(cells) - $(runs))); }
# Warm cells kwd keeps with the suite's policy.
warm_max() { policy_value cells; }
# systemd's DynamicUser= range: every run's uid.
DYN_MIN=61184 DYN_MAX=65519
is_dynamic() { [ "$1" -ge "$DYN_MIN" ] && [ "$1" -le "$DYN_MAX" ]; }

# The one definition of "something was left behind", once nothing runs; one line per thing: a kw
# unit (but the running kwd's idle cells, started since it started, at most warm_max), anything
# below /run/kw (kw writes nothing there since cells), a process of a dynamic user outside every
# loaded kw unit. A run's mounts and namespaces are its own: they end with its last process.
leftovers_list() {
        local max=0 since=-1 units uid pid args unit u
        if systemctl is-active -q kwd.service; then
                max=$(warm_max)
                since=$(systemctl show -P ExecMainStartTimestampMonotonic kwd.service)
        fi
        units=$(systemctl list-units --all --plain --no-legend 'kw-*.service')
        printf '%s\n' "$units" | grep . | grep -Ev ' (active +running|activating +start( +start)?) +kw cell$' | sed 's/^/unit left: /'
        for u in $(printf '%s\n' "$units" | awk '/ kw cell$/ { print $1 }'); do
                # Started before this kwd: a predecessor's, which it should have stopped.
                [ "$(systemctl show -P InactiveExitTimestampMonotonic "$u")" -ge "$since" ] 2>/dev/null && continue
                echo "cell of an earlier kwd: $u"
        done
        printf '%s\n' "$units" | grep ' kw cell$' | tail -n +$((max + 1)) | sed 's/^/cell beyond the warm count: /'
        [ "$(runs)" = 0 ] || echo "runs still going: $(runs)"
        find /run/kw -mindepth 0 2>/dev/null | sed 's/^/left below \/run\/kw: /'
        while read -r uid pid args; do
                is_dynamic "$uid" || continue
                unit=$(sed -n 's|^0::.*/\(kw-[^/]*\.service\).*|\1|p' "/proc/$pid/cgroup" 2>/dev/null)
                [ -n "$unit" ] && systemctl list-units --all --plain --no-legend "$unit" | grep -q . && continue
                # Gone meanwhile: it ended, it was not left.
                [ -d "/proc/$pid" ] && echo "process left: $pid of uid $uid outside any kw unit: ${args:0:100}"
        done < <(ps -eo uid=,pid=,args= 2>/dev/null)
}
# How many things were left behind (0: none).
leftovers() { leftovers_list | grep -c .; }

# ---- the machine as a suite found it ----
# What kw installs, starts or writes outside $work, one line each: unit files and drop-ins under
# /run/systemd, kw's transient units, the loaded units of kwd, its runs and the output namespace,
# and /run/kw, /run/kw-private, /run/kwd.sock. Taken before kwd_install and after the uninstall,
# the two must be the same.
kw_state() {
        find /run/systemd/system /run/systemd/journald@kw.conf.d /run/systemd/journal.kw /run/kw /run/kw-private \
                /run/kwd.sock 2>/dev/null
        find /run/systemd/transient -name 'kw*' 2>/dev/null
        systemctl list-units --all --plain --no-legend 'kw*' '*@kw.*' 'system-systemd\x2djournald*.slice' |
                awk '{ print "unit", $1, $2, $3, $4 }'
}
