#!/usr/bin/env bash
# The Debian package: built from the checkout with dpkg-buildpackage in a scratch copy (nothing is
# left in the tree), checked by lintian, installed into the running systemd with dpkg -i; kwd.socket
# enabled and listening, kwd not started until the first job, which the installed kwctl submits to
# the installed kwd; an /etc/kw override seen after a reload; then purged, and nothing of kw left:
# files, /etc/kw, units and their enablement, users, directories, processes, cgroups.
# Prints "N passed, M failed".
#   tests/package.sh [BUILD_DIR]      (in the box: scripts/systemd.sh tests/package.sh build)
# The package lands on the shared disk (/usr, /lib, /etc/kw, /var/lib/dpkg): it is purged when the
# suite ends, however it ends. A kw package, or an /etc/kw, there before the suite stops it at once,
# untouched.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"
# lib.sh's EXIT trap purges the package: a signal must end the suite through it too.
trap 'exit 130' INT
trap 'exit 143' TERM

pkg_status() { dpkg-query -W -f='${db:Status-Status}' kw 2>/dev/null; }
if [ -n "$(pkg_status)" ] && [ "$(pkg_status)" != not-installed ]; then
        echo "FAIL a kw package is already on this host ($(pkg_status)): remove it first (dpkg --purge kw); not touching it"
        exit 1
fi
# The suite writes overrides there, and checks the purge removes it.
if [ -e /etc/kw ]; then
        echo "FAIL /etc/kw is there without the package (an earlier run's?): remove it first; not touching it"
        exit 1
fi
if [ -e "$unit_dir/kwd.service" ] || [ -e "$unit_dir/kwd.socket" ]; then
        echo "FAIL a build's kwd is installed in $unit_dir (scripts/kwd-dev.sh uninstall first)"
        exit 1
fi
# dpkg's lock is the host's: another apt or dpkg may hold it a while.
dpkg_locked() { # dpkg_locked ARGS...: dpkg ARGS, again while another dpkg holds the lock
        local out i
        for i in $(seq 120); do
                out=$(dpkg "$@" 2>&1) && { printf '%s\n' "$out" >"$work/dpkg.out"; return 0; }
                printf '%s\n' "$out" >"$work/dpkg.out"
                grep -q 'lock' <<<"$out" || return 1
                sleep 1
        done
        return 1
}
state_before=$(kw_state)
# What kw makes at run time, or might: /var/log/journal/MACHINE.kw is journald@kw's LogsDirectory=,
# on the disk the box shares with the host, and may be there from another suite already.
kw_dirs() {
        ls -d /run/kw* /var/lib/kw /var/lib/private/kw* /var/cache/kw /var/log/kw /run/systemd/journal.kw \
                /run/log/journal/*.kw /var/log/journal/*.kw 2>/dev/null
}
dirs_before=$(kw_dirs)

# ---- build ----
tree_before=$(git -C "$top" status --porcelain --ignored)
mkdir -p "$work/src/kw"
git -C "$top" ls-files -z --cached --others --exclude-standard | (cd "$top" && tar -cf - --null -T -) | tar -xf - -C "$work/src/kw"
t0=$(date +%s)
(cd "$work/src/kw" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
build_rc=$?
echo "# package built in $(($(date +%s) - t0)) s"
deb=$(ls "$work"/src/kw_*_*.deb 2>/dev/null | head -1)
check "dpkg-buildpackage -us -uc -b builds kw" '[ "$build_rc" = 0 ] && [ -f "$deb" ]' 'tail -20 "$work/build.log"'
[ -f "$deb" ] || { summary package; exit 1; }
check "nothing left in the checkout" '[ "$(git -C "$top" status --porcelain --ignored)" = "$tree_before" ]' \
        'diff <(echo "$tree_before") <(git -C "$top" status --porcelain --ignored)'

# ---- lintian: errors fail, the rest is shown (README, "The Debian package", explains each) ----
lintian --allow-root --pedantic "$work"/src/kw_*.changes >"$work/lintian" 2>&1
sed 's/^/# lintian: /' "$work/lintian"
check "lintian: no errors" '! grep -q "^E: " "$work/lintian"' 'grep "^E: " "$work/lintian"'

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$work/contents"
for f in /usr/bin/kwctl /usr/sbin/kwd /usr/libexec/kw/kw-exec /usr/share/kw/policy/limits.conf \
        /usr/share/kw/policy/seccomp.conf /usr/share/kw/policy/languages/python.conf /etc/kw/ \
        /lib/systemd/system/kwd.service /lib/systemd/system/kwd.socket /lib/systemd/system/kw.slice \
        /usr/lib/systemd/journald@kw.conf.d/kw.conf; do
        check "the package has $f" 'grep -qx "$f" "$work/contents"' 'echo "not in: $(tr "\n" " " <"$work/contents")"'
done
depends=$(dpkg-deb -f "$deb" Depends)
for d in systemd libmicrohttpd12 python3 nodejs gcc g++ openjdk-17-jdk-headless rustc; do
        check "it depends on $d" 'tr , "\n" <<<"$depends" | sed "s/^ *//; s/ .*//" | grep -qxF "$d"' 'echo "Depends: $depends"'
done

# ---- install ----
# The box's disk is a Docker image's, whose /usr/sbin/policy-rc.d (exit 101) forbids maintainer
# scripts to start services, as no real host's does: in the box (its own mounts) it is hidden, so
# that the package starts kwd.socket as it would on a host. Anywhere else it is obeyed.
if [ -x /usr/sbin/policy-rc.d ] && systemctl is-active -q kw-box.target; then
        mount --bind /dev/null /usr/sbin/policy-rc.d && on_exit 'umount /usr/sbin/policy-rc.d'
fi
# Not there before the suite (checked above): whatever is there of it now is the suite's.
on_exit 'if [ -n "$(pkg_status)" ] && [ "$(pkg_status)" != not-installed ]; then dpkg_locked --purge kw || cat "$work/dpkg.out"; fi'
dpkg_locked -i "$deb"; install_rc=$?
check "dpkg -i installs it" '[ "$install_rc" = 0 ] && [ "$(pkg_status)" = installed ]' 'cat "$work/dpkg.out"'
check "kwd.socket enabled" '[ "$(systemctl is-enabled kwd.socket)" = enabled ]' 'systemctl is-enabled kwd.socket'
check "kwd.socket listening on /run/kwd.sock" 'systemctl is-active -q kwd.socket && [ -S /run/kwd.sock ]' \
        'systemctl status kwd.socket --no-pager | head -5'
check "kwd not started by the install" '! systemctl is-active -q kwd.service' 'systemctl status kwd.service --no-pager | head -5'
check "kwd.service runs the installed kwd with the overlay (no --policy)" \
        '[ "$(systemctl show -P ExecStart kwd.service | sed -n "s/.*argv\[\]=\([^;]*\);.*/\1/p")" = "/usr/sbin/kwd " ]' \
        'systemctl show -P ExecStart kwd.service'
check "kwd-metrics.socket shipped, not enabled" \
        'grep -qx /lib/systemd/system/kwd-metrics.socket "$work/contents" &&
         [ "$(systemctl is-enabled kwd-metrics.socket)" = disabled ] && ! systemctl is-active -q kwd-metrics.socket' \
        'systemctl is-enabled kwd-metrics.socket'
# An operator enables it: it must stay up across an upgrade and go with the package.
systemctl enable --now kwd-metrics.socket 2>/dev/null
metrics_listening() { ss -Htln 'sport = :9464' | grep -q .; }
check "kwd-metrics.socket enabled by the operator: listening on :9464" 'systemctl is-active -q kwd-metrics.socket && metrics_listening' \
        'systemctl status kwd-metrics.socket --no-pager | head -5'

# ---- judged through the installed kwctl and kwd ----
/usr/bin/kwctl submit "$top/examples/hello-python.json" >"$work/python" 2>"$work/python.err"; rc=$?
# kwctl would judge it itself without the socket: kwd's own audit entry tells that kwd did.
check "a Python job judged through /run/kwd.sock" \
        '[ "$rc" = 0 ] && [ "$(jq -r .verdict "$work/python")" = wrong_answer ] && [ "$(jq -r ".test_results[0].actual" "$work/python")" = "Hello, world!" ] &&
         journalctl -q --no-pager _SYSTEMD_UNIT=kwd.service KW_AUDIT=1 "KW_JOB_ID=$(jq -r .job_id "$work/python")" | grep -q .' \
        'echo "exit $rc: $(head -c 300 "$work/python") $(head -c 300 "$work/python.err")"'
check "kwd started by the socket, from /usr/sbin" \
        'systemctl is-active -q kwd.service && [ "$(readlink "/proc/$(systemctl show -P MainPID kwd.service)/exe")" = /usr/sbin/kwd ]' \
        'systemctl status kwd.service --no-pager | head -5'
# The installed kwd loads libmicrohttpd itself (dlopen(), by its soname): the package depends on it by name.
check "GET /metrics from the installed kwd: 200, the Python job counted" \
        '[ "$(curl -s --max-time 10 -o "$work/metrics" -w "%{http_code}" http://127.0.0.1:9464/metrics)" = 200 ] &&
         grep -q "^kw_jobs_total{language=\"python\",verdict=\"wrong_answer\"} 1$" "$work/metrics" && [ "$(tail -n 1 "$work/metrics")" = "# EOF" ]' \
        'head -c 300 "$work/metrics"; grep "^kw_jobs_total" "$work/metrics"'
/usr/bin/kwctl submit "$top/examples/hello-c.json" >"$work/c" 2>"$work/c.err"; rc=$?
check "a C job compiled and judged (the package's gcc)" '[ "$rc" = 0 ] && [ "$(jq -r .compile.verdict "$work/c")" = accepted ]' \
        'echo "exit $rc: $(head -c 300 "$work/c") $(head -c 300 "$work/c.err")"'

# ---- /etc/kw over /usr/share/kw/policy ----
# A job asks for just under the packaged CPU limit; /etc/kw/limits.conf then halves the limit, and
# the same job is refused as above it.
vendor_ms=$(sed -n 's/^time_ms = *\([0-9]*\).*/\1/p' /usr/share/kw/policy/limits.conf)
etc_ms=$((vendor_ms / 2))
job 'print(1)' python "{\"limits\": {\"time_ms\": $((vendor_ms - 1))}}" >"$work/limited.json"
/usr/bin/kwctl submit "$work/limited.json" >"$work/before" 2>&1; rc_before=$?
sed "s/^time_ms = .*/time_ms = $etc_ms/" /usr/share/kw/policy/limits.conf >/etc/kw/limits.conf
mkdir -p /etc/kw/languages
ln -s /dev/null /etc/kw/languages/javascript.conf
reload_kwd; reloaded=$?
/usr/bin/kwctl submit "$work/limited.json" >"$work/after" 2>&1; rc_after=$?
check "kwd reloaded from /etc/kw over /usr/share/kw/policy" \
        '[ "$reloaded" = 0 ] && journalctl -u kwd.service -q --no-pager | grep -q "Policy reloaded from /etc/kw over /usr/share/kw/policy"' \
        'journalctl -u kwd.service -q --no-pager | tail -3'
kwd_up() { [ -S /run/kwd.sock ] && systemctl is-active -q kwd.service; }
check "/etc/kw/limits.conf overrides the packaged limit" \
        'kwd_up && [ "$rc_before" = 0 ] && [ "$rc_after" = 2 ] && grep -q "limits.time_ms: $((vendor_ms - 1)) is above the maximum of $etc_ms" "$work/after"' \
        'echo "before: exit $rc_before, after: exit $rc_after: $(head -c 300 "$work/after")"'
job 'console.log(1)' javascript >"$work/js.json"
/usr/bin/kwctl submit "$work/js.json" >"$work/js" 2>&1; rc=$?
check "a language linked to /dev/null in /etc/kw is gone from kwd" \
        'kwd_up && [ "$rc" = 2 ] && grep -q "unknown language .javascript." "$work/js"' 'echo "exit $rc: $(head -c 300 "$work/js")"'
/usr/bin/kwctl submit --direct "$work/js.json" >"$work/js-direct" 2>&1; rc=$?
check "and from kwctl --direct, which reads the same overlay" \
        '[ "$rc" = 2 ] && grep -q "unknown language .javascript." "$work/js-direct"' 'echo "exit $rc: $(head -c 300 "$work/js-direct")"'

# ---- dpkg's upgrade path (the same version again): kwd stopped, the socket back, /etc/kw kept ----
dpkg_locked -i "$deb"; reinstall_rc=$?
check "reinstalled: kwd stopped, kwd.socket listening again" \
        '[ "$reinstall_rc" = 0 ] && ! systemctl is-active -q kwd.service && systemctl is-active -q kwd.socket && [ -S /run/kwd.sock ]' \
        'cat "$work/dpkg.out"; systemctl status kwd.service kwd.socket --no-pager | grep -E "^ *(Active|●|○)"'
check "reinstalled: the operator's kwd-metrics.socket enabled and listening again" \
        '[ "$(systemctl is-enabled kwd-metrics.socket)" = enabled ] && systemctl is-active -q kwd-metrics.socket && metrics_listening' \
        'systemctl status kwd-metrics.socket --no-pager | head -5'
/usr/bin/kwctl submit "$work/limited.json" >"$work/upgraded" 2>&1; rc=$?
check "the new kwd, started by a job, reads /etc/kw at its start" \
        'kwd_up && [ "$rc" = 2 ] && grep -q "above the maximum of $etc_ms" "$work/upgraded"' \
        'echo "exit $rc: $(head -c 300 "$work/upgraded")"'

# ---- purge: nothing of kw left ----
dpkg -L kw >"$work/files" 2>&1
dpkg_locked --purge kw; purge_rc=$?
check "dpkg --purge kw" '[ "$purge_rc" = 0 ] && [ -z "$(pkg_status)" -o "$(pkg_status)" = not-installed ]' 'cat "$work/dpkg.out"'
# Its files, and its own directories (those named for kw; /usr/bin and the like are shared).
files_left() {
        local f
        while read -r f; do
                [ -d "$f" ] && [[ "$f" != *kw* ]] && continue
                [ -e "$f" ] || [ -L "$f" ] && echo "$f"
        done <"$work/files"
}
check "every file of the package gone ($(grep -c . "$work/files") listed)" '[ -z "$(files_left)" ]' 'files_left'
check "kwd-metrics.socket, enabled, stopped with the package: nothing on :9464" '! metrics_listening' 'ss -Htlnp "sport = :9464"'
check "/etc/kw gone, with the operator's files" '[ ! -e /etc/kw ]' 'find /etc/kw'
check "/usr/share/kw and /usr/libexec/kw gone" '[ ! -e /usr/share/kw ] && [ ! -e /usr/libexec/kw ]' 'ls -d /usr/share/kw /usr/libexec/kw'
# kw's units: kwd's, its cells' (kw-cell-*), the output namespace's (*@kw.*); not the box's kw-box.target.
kw_units() { systemctl "$@" --no-legend "kw*" "*@kw.*" | grep -v "^ *kw-box\."; }
check "no kw unit loaded" '[ -z "$(kw_units list-units --all --plain)" ]' 'kw_units list-units --all --plain'
check "no kw unit file" '[ -z "$(kw_units list-unit-files)" ]' 'kw_units list-unit-files'
enablement() {
        find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
                -name "*kw*" ! -name "kw-box.*" 2>/dev/null
}
check "no enablement left (symlinks, deb-systemd-helper's state)" '[ -z "$(enablement)" ]' 'enablement'
check "no kw user (the cells' DynamicUser leaves none)" '! getent passwd | grep -Eq "^kw|kw-cell"' 'getent passwd | grep -E "^kw|kw-cell"'
check "no runtime or state directory left" '[ -z "$(kw_dirs | grep -vxF -f <(echo "$dirs_before"))" ]' \
        'kw_dirs | grep -vxF -f <(echo "$dirs_before")'
packaged_procs() {
        local p
        for p in $(pgrep -x kwd; pgrep -x kw-exec); do
                case "$(readlink "/proc/$p/exe" 2>/dev/null)" in /usr/sbin/kwd | /usr/libexec/kw/kw-exec) echo "$p" ;; esac
        done
}
check "no kwd or kw-exec process left" '[ -z "$(packaged_procs)" ]' 'ps -o pid,args -p "$(packaged_procs | tr "\n" ,)0"'
check "no kw cgroup left" '[ -z "$(find /sys/fs/cgroup -name "kw*" -o -name "*journald*kw*" 2>/dev/null)" ]' \
        'find /sys/fs/cgroup -name "kw*" -o -name "*journald*kw*"'
check "nothing else of kw in this systemd" '[ "$(kw_state)" = "$state_before" ]' 'diff <(echo "$state_before") <(kw_state)'

summary package
