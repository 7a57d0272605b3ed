#!/usr/bin/env bash
# A throwaway systemd for machines whose PID 1 is not systemd: systemd 252 as PID 1 of fresh
# pid+mount+cgroup+uts namespaces, journald and dbus only, nothing that touches the host.
#
#   box.sh start DIR     boot a box; DIR/pid holds its PID 1 (as seen from here)
#   box.sh exec DIR CMD  run CMD inside it
#   box.sh stop DIR      SIGRTMIN+3 to its PID 1, wait, remove its cgroups
set -euo pipefail

die() { echo "box: $*" >&2; exit 1; }

# Units that reach outside the box: they rewrite the host's /tmp, sysctls, binfmt, modules, clock,
# terminals or start host services. The box's /etc/systemd/system is a tmpfs, so masks land there.
MASK=(
        systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service
        systemd-tmpfiles-clean.timer systemd-sysctl.service systemd-binfmt.service
        proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount systemd-modules-load.service
        kmod-static-nodes.service systemd-remount-fs.service systemd-udevd.service
        systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service
        systemd-udev-settle.service systemd-timesyncd.service systemd-hwdb-update.service
        getty@.service serial-getty@.service console-getty.service getty.target
        postgresql.service redis-server.service redis.service cron.service ssh.service
        systemd-random-seed.service systemd-journal-flush.service systemd-update-utmp.service
        systemd-machine-id-commit.service systemd-firstboot.service ldconfig.service
        systemd-logind.service systemd-networkd.service systemd-resolved.service
        e2scrub_reap.service e2scrub_all.timer fstrim.timer apt-daily.timer apt-daily-upgrade.timer
        dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount
        sys-kernel-config.mount sys-fs-fuse-connections.mount tmp.mount swap.target
        systemd-pstore.service systemd-boot-system-token.service systemd-ask-password-wall.path
        systemd-ask-password-console.path systemd-quotacheck.service systemd-fsck-root.service
        systemd-sysusers.service modprobe@.service systemd-journald-audit.socket
        systemd-journal-catalog-update.service systemd-update-done.service systemd-pcrphase.service
        systemd-pcrphase-sysinit.service systemd-repart.service systemd-growfs-root.service
)

# Inside the new namespaces, before exec'ing systemd: private mounts, its own /run and unit
# directory, and cgroup hierarchies whose root is the box's own cgroup. /tmp stays the host's, so
# a checkout below /tmp is visible inside.
inner() {
        mount --make-rprivate /
        mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
        mount -t tmpfs -o mode=755 tmpfs /etc/systemd/system
        local u
        for u in "${MASK[@]}"; do ln -sf /dev/null "/etc/systemd/system/$u"; done
        cat >/etc/systemd/system/kw-box.target <<'UNIT'
[Unit]
Description=kw test box
Requires=systemd-journald.socket systemd-journald.service dbus.socket
After=systemd-journald.service dbus.socket
AllowIsolate=yes
UNIT
        mkdir -p /run/systemd/journald.conf.d
        printf '[Journal]\nStorage=volatile\nRateLimitBurst=0\nRuntimeMaxUse=512M\n' \
                >/run/systemd/journald.conf.d/kw-box.conf

        umount -R /sys/fs/cgroup
        mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup
        local line ctrl dir opts
        while IFS=: read -r _ ctrl _; do
                if [ -z "$ctrl" ]; then
                        mkdir -p /sys/fs/cgroup/unified
                        mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup/unified
                        continue
                fi
                dir=${ctrl#name=}
                opts=$ctrl
                [ "$ctrl" = name=systemd ] && opts="none,name=systemd"
                mkdir -p "/sys/fs/cgroup/$dir"
                mount -t cgroup -o "nosuid,nodev,noexec,$opts" cgroup "/sys/fs/cgroup/$dir"
                # systemd expects the comounted aliases (cpu,cpuacct) to exist as names.
        done </proc/self/cgroup
        hostname kw-box
        export container=kw-box
        exec /lib/systemd/systemd --unit=kw-box.target
}

# The box's own cgroup beneath ours in every hierarchy, so two boxes (or a box and whatever runs
# us) never manage the same cgroups. cpuset needs cpus/mems before a task can join.
make_cgroups() {
        local name=$1 id ctrl path base dir
        : >"$STATE/cgroups"
        while IFS=: read -r id ctrl path; do
                if [ -z "$ctrl" ]; then base=/sys/fs/cgroup/unified; else base=/sys/fs/cgroup/${ctrl#name=}; fi
                [ -d "$base" ] || continue
                dir="$base${path%/}/$name"
                mkdir -p "$dir"
                if [ "$ctrl" = cpuset ]; then
                        cat "$base${path%/}/cpuset.cpus" >"$dir/cpuset.cpus"
                        cat "$base${path%/}/cpuset.mems" >"$dir/cpuset.mems"
                fi
                echo "$dir" >>"$STATE/cgroups"
        done </proc/self/cgroup
}

join_cgroups() {
        local dir
        while read -r dir; do echo "$BASHPID" >"$dir/cgroup.procs"; done <"$STATE/cgroups"
}

# Remove the box's cgroups bottom-up once nothing is left in them.
remove_cgroups() {
        local dir
        [ -f "$STATE/cgroups" ] || return 0
        while read -r dir; do
                [ -d "$dir" ] || continue
                find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done <"$STATE/cgroups"
}

box_pid() { [ -f "$STATE/pid" ] && cat "$STATE/pid"; }

wait_ready() {
        local pid=$1 i
        for ((i = 0; i < 300; i++)); do
                kill -0 "$pid" 2>/dev/null || die "systemd exited during boot; see $STATE/console.log"
                if nsenter -t "$pid" -m -p -C -u -- systemctl is-system-running --wait >/dev/null 2>&1 ||
                   nsenter -t "$pid" -m -p -C -u -- systemctl is-active -q kw-box.target 2>/dev/null; then
                        return 0
                fi
                sleep 0.1
        done
        die "systemd did not come up in 30 s; see $STATE/console.log"
}

cmd_start() {
        [ "$(id -u)" = 0 ] || die "must run as root"
        mkdir -p "$STATE"
        if pid=$(box_pid) && kill -0 "$pid" 2>/dev/null; then die "already running as $pid"; fi
        local name="kw-box-$$-$RANDOM"
        make_cgroups "$name"
        (
                join_cgroups
                exec unshare --pid --mount --cgroup --uts --fork --mount-proc \
                        "$SELF" __inner </dev/null >"$STATE/console.log" 2>&1
        ) &
        local upid=$! pid="" i
        for ((i = 0; i < 100; i++)); do
                pid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | awk '{print $1}')
                [ -n "$pid" ] && break
                sleep 0.05
        done
        [ -n "$pid" ] || die "unshare did not start"
        echo "$pid" >"$STATE/pid"
        wait_ready "$pid"
}

cmd_stop() {
        local pid i
        pid=$(box_pid) || { remove_cgroups; return 0; }
        if kill -0 "$pid" 2>/dev/null; then
                kill -s RTMIN+3 "$pid"
                for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
                for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$STATE/pid"
        remove_cgroups
}

cmd_exec() {
        local pid
        pid=$(box_pid) || die "no box in $STATE"
        exec nsenter -t "$pid" -m -p -C -u --wd="$PWD" -- "$@"
}

SELF=$(readlink -f "$0")
case "${1:-}" in
        __inner) inner ;;
        start) STATE=$(readlink -f "${2:?state dir}"); cmd_start ;;
        stop) STATE=$(readlink -f "${2:?state dir}"); cmd_stop ;;
        exec) STATE=$(readlink -f "${2:?state dir}"); shift 2; cmd_exec "$@" ;;
        *) echo "usage: box.sh start|stop DIR | box.sh exec DIR CMD..." >&2; exit 2 ;;
esac
