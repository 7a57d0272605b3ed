#!/usr/bin/env bash
# Install kwd's units from a build tree into the running systemd's runtime unit directory
# (/run/systemd/system: gone at reboot, and the box's own), or remove them again.
#   scripts/kwd-dev.sh install BUILD_DIR POLICY_DIR
#   scripts/kwd-dev.sh uninstall
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
units=/run/systemd/system

case "${1:-}" in
install)
        build=$(readlink -f "$2")
        policy=$(readlink -f "$3")
        mkdir -p "$units" /run/systemd/journald@kw.conf.d
        # The build's kwd with that one policy directory, not the installed overlay.
        sed -e "s|^ExecStart=@KWD@\$|ExecStart=$build/orchestrator/kwd --policy=$policy|" "$top/units/kwd.service.in" >"$units/kwd.service"
        grep -qx "ExecStart=$build/orchestrator/kwd --policy=$policy" "$units/kwd.service" ||
                { echo "kwd-dev.sh: no ExecStart=@KWD@ line in units/kwd.service.in" >&2; exit 1; }
        cp "$top/units/kwd.socket" "$top/units/kwd-metrics.socket" "$top/units/kw.slice" "$units/"
        cp "$top/units/journald-kw.conf" /run/systemd/journald@kw.conf.d/kw.conf
        systemctl daemon-reload
        ;;
uninstall)
        # kwd and what it started: its socket, the cells' slice, the output namespace's journald and
        # its sockets; their failures forgotten too, so that none of them stays loaded.
        kw_units=(kwd.service kwd.socket kwd-metrics.socket kw.slice systemd-journald@kw.service systemd-journald@kw.socket
                  systemd-journald-varlink@kw.socket)
        systemctl stop "${kw_units[@]}" 2>/dev/null || true
        systemctl reset-failed "${kw_units[@]}" 2>/dev/null || true
        rm -f "$units/kwd.service" "$units/kwd.socket" "$units/kwd-metrics.socket" "$units/kw.slice"
        rm -rf "$units/kwd.service.d" "$units/kwd-metrics.socket.d"
        rm -rf /run/systemd/journald@kw.conf.d /run/systemd/journal.kw
        systemctl daemon-reload
        # The slices of journald's instances, unless another namespace's journald is in them.
        others=$(systemctl list-units --all --plain --no-legend 'systemd-journald@*' 'systemd-journald-varlink@*')
        if [ -z "$others" ]; then
                systemctl stop 'system-systemd\x2djournald.slice' 'system-systemd\x2djournald\x2dvarlink.slice' 2>/dev/null || true
        fi
        ;;
*)
        echo "usage: kwd-dev.sh install BUILD_DIR POLICY_DIR | uninstall" >&2
        exit 2
        ;;
esac
