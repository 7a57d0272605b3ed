#!/usr/bin/env bash
# Fuzz the job and policy parsers with libFuzzer (clang), each for SECONDS (default 30).
#   scripts/fuzz.sh 20       a short run, as scripts/test.sh does
#   scripts/fuzz.sh 3600     a long one, for humans
# Builds in build-fuzz (KW_FUZZ_BUILD to change). Seeds come from tests/fuzz-corpus/NAME; what the
# fuzzer finds beyond them goes to BUILD/fuzz-corpus/NAME, crashes to BUILD/fuzz-crashes/, and a
# crash fails the script: replay one with BUILD/orchestrator/fuzz-NAME FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
build=${KW_FUZZ_BUILD:-build-fuzz}
case $seconds in
        ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
[ -f "$build/build.ninja" ] || CC=clang meson setup "$build" -Db_lundef=false >/dev/null
ninja -C "$build" orchestrator/fuzz-job orchestrator/fuzz-policy orchestrator/fuzz-seccomp-policy orchestrator/fuzz-exec-protocol orchestrator/fuzz-protocol >/dev/null

for name in job policy seccomp-policy exec-protocol protocol; do
        mkdir -p "$build/fuzz-corpus/$name" "$build/fuzz-crashes"
        log=$build/fuzz-$name.log
        echo "fuzz-$name: ${seconds}s, log in $log"
        status=0
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$build/orchestrator/fuzz-$name" \
                -max_total_time="$seconds" -timeout=10 -max_len=65536 -print_final_stats=1 \
                -dict="tests/fuzz-corpus/$name.dict" \
                -artifact_prefix="$build/fuzz-crashes/$name-" \
                "$build/fuzz-corpus/$name" "tests/fuzz-corpus/$name" >"$log" 2>&1 || status=$?
        if [ "$status" -ne 0 ]; then
                tail -n 40 "$log" >&2
                echo "fuzz-$name: failed (exit $status); the input is in $build/fuzz-crashes/" >&2
                exit 1
        fi
        grep -E '^stat::number_of_executed_units|DONE' "$log" || true
done
echo "fuzz: no crash"
