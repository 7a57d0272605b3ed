#!/usr/bin/env bash
# README's first command: install, build, and judge one example job end to end.
#   scripts/example.sh [JOB.json]      (default examples/hello-python.json)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
job=$(readlink -f "${1:-examples/hello-python.json}")
exec scripts/systemd.sh "$PWD/build/orchestrator/kwctl" submit --policy "$PWD/policy" "$job"
