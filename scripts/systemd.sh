#!/usr/bin/env bash
# Run a command where a real systemd manages the machine: directly when PID 1 is systemd, otherwise
# inside a box (scripts/box.sh) started for the command and stopped after it, whatever happens.
#   scripts/systemd.sh CMD...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
        exec "$@"
fi

state=$(mktemp -d /tmp/kw-box.XXXXXX)
cleanup() {
        "$here/box.sh" stop "$state" || true
        rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$here/box.sh" start "$state"
"$here/box.sh" exec "$state" "$@"
