#!/usr/bin/env bash
# The side-by-side benchmark: bare exec, bubblewrap and kw (direct and through kwd), python and
# javascript. Prints figures and a table with ratios to bare and the targets; never fails on a
# figure. Runs where a systemd is (scripts/systemd.sh boots a box where PID 1 is not systemd).
#   scripts/bench.sh [RUNS]        (default 100 runs per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
command -v bwrap >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }
exec scripts/systemd.sh /usr/bin/python3 "$PWD/scripts/bench.py" "$PWD" "${1:-100}"
