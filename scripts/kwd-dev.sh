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
        mkdir -p "$units" /run/systemd/journald@kw.conf.d /run/kw
        sed -e "s|@KWD@|$build/orchestrator/kwd|" -e "s|@POLICY_DIR@|$policy|" "$top/units/kwd.service.in" >"$units/kwd.service"
        cp "$top/units/kwd.socket" "$top/units/kw.slice" "$units/"
        cp "$top/units/journald-kw.conf" /run/systemd/journald@kw.conf.d/kw.conf
        systemctl daemon-reload
        ;;
uninstall)
        systemctl stop kwd.service kwd.socket 2>/dev/null || true
        rm -f "$units/kwd.service" "$units/kwd.socket" "$units/kw.slice"
        rm -rf "$units/kwd.service.d"
        rm -rf /run/systemd/journald@kw.conf.d
        systemctl daemon-reload
        ;;
*)
        echo "usage: kwd-dev.sh install BUILD_DIR POLICY_DIR | uninstall" >&2
        exit 2
        ;;
esac
