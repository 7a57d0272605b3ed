#!/usr/bin/env bash
# README's second command: every test kw has, from a clean clone.
#   1. install and build (scripts/setup.sh)
#   2. unit tests, no systemd needed; the man pages, the completion and --help against the code
#   3. the same under valgrind, and under AddressSanitizer + UBSan
#   4. a short fuzz run of the job and policy parsers (libFuzzer)
#   5. integration tests against a real systemd: this machine's, or a box booted for them
#   6. kwd installed as a service into that systemd, and its tests; its metrics scraped over HTTP;
#      then the same while journald comes and goes (idle exits, restarts, kills); kwctl audit and
#      show over the jobs' journal (and with the sanitized build)
#   7. the adversarial suite: hostile programs, and the host and the next run checked after each
#   8. cells: one cell serving job after job, each run leaving nothing the next can see; a run's
#      minimal root; kill -9 of kw-exec and of kwd
#   9. two kwd workers (two boxes) sharing a real redis-server
#  10. the integration tests again with the sanitized kwctl (without the 1000-run burst)
#  11. the kwd tests again with the sanitized kwd (a shorter soak)
#  12. the Debian package: built, lintian, installed, a job judged, purged with nothing left
set -uo pipefail
cd "$(dirname "$0")/.."

# Every step runs, even after one fails, so one run shows every failure.
steps_passed=0
steps_failed=0
failed_steps=()
# Every step's output, also kept here: the failed checks are told again at the end, where CI's
# shortened log still shows them.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Each step's time, told at the end: the whole must stay well inside CI's limit.
times=()
step() { printf '\n==== %s\n' "$*"; current=$*; step_start=$SECONDS; }
result() {
        if [ "$1" = 0 ]; then steps_passed=$((steps_passed + 1))
        else steps_failed=$((steps_failed + 1)); failed_steps+=("$current"); fi
        times+=("$(printf '%5d s  %s' $((SECONDS - step_start)) "$current")")
}

step "setup and build"
scripts/setup.sh build || { echo "test.sh: setup failed; nothing else can run"; echo "test.sh: 0 passed, 1 failed"; exit 1; }

step "unit tests"
{
        meson test -C build --suite unit --print-errorlogs
} 2>&1 | tee -a "$log"; result $?

step "man pages, bash completion and --help against the code"
{
        tests/docs.sh build
} 2>&1 | tee -a "$log"; result $?

step "unit tests under valgrind"
{
        meson test -C build --suite unit --print-errorlogs --wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q'
} 2>&1 | tee -a "$log"; result $?

step "AddressSanitizer and UBSan build, unit tests"
{
        { [ -f build-asan/build.ninja ] || CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null; } &&
        ninja -C build-asan >/dev/null &&
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --suite unit --print-errorlogs
} 2>&1 | tee -a "$log"; result $?

step "fuzzing the parsers (short run)"
{
        scripts/fuzz.sh "${KW_FUZZ_SECONDS:-12}"
} 2>&1 | tee -a "$log"; result $?

step "integration tests against systemd"
{
        scripts/systemd.sh tests/integration.sh build
} 2>&1 | tee -a "$log"; result $?

step "kwd as a systemd service"
{
        scripts/systemd.sh tests/daemon.sh build
} 2>&1 | tee -a "$log"; result $?

step "kwd's metrics: GET /metrics on kwd-metrics.socket, kwctl stats --format=openmetrics"
{
        scripts/systemd.sh tests/metrics.sh build
} 2>&1 | tee -a "$log"; result $?

step "kwd while journald comes and goes"
{
        scripts/systemd.sh tests/journald.sh build
} 2>&1 | tee -a "$log"; result $?

step "kwctl audit and kwctl show, and the same sanitized"
{
        scripts/systemd.sh tests/audit.sh build; audit_rc=$?
        KW_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 scripts/systemd.sh tests/audit.sh build-asan &&
                [ "$audit_rc" = 0 ]
} 2>&1 | tee -a "$log"; result $?

step "the adversarial suite"
{
        scripts/systemd.sh tests/adversarial.sh build
} 2>&1 | tee -a "$log"; result $?

step "cells: runs one after another in one cell"
{
        scripts/systemd.sh tests/cells.sh build
} 2>&1 | tee -a "$log"; result $?

step "compiled languages and checkers"
{
        scripts/systemd.sh tests/compiled.sh build
} 2>&1 | tee -a "$log"; result $?

step "workers on two hosts sharing a Redis queue"
{
        tests/redis.sh build
} 2>&1 | tee -a "$log"; result $?

step "integration tests with the sanitized kwctl"
{
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 KW_IT_QUICK=1 scripts/systemd.sh tests/integration.sh build-asan
} 2>&1 | tee -a "$log"; result $?

step "compiled languages and checkers with the sanitized kwctl and kwd"
{
        KW_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 scripts/systemd.sh tests/compiled.sh build-asan
} 2>&1 | tee -a "$log"; result $?

step "kwd tests with the sanitized kwd"
{
        KW_SANITIZED=1 scripts/systemd.sh tests/daemon.sh build-asan; daemon_rc=$?
        KW_SANITIZED=1 KW_SOAK_SECONDS=60 scripts/systemd.sh tests/journald.sh build-asan && [ "$daemon_rc" = 0 ]
} 2>&1 | tee -a "$log"; result $?

step "the Debian package: build, lintian, install, judge, purge"
{
        scripts/systemd.sh tests/package.sh build
} 2>&1 | tee -a "$log"; result $?

echo
printf '%s\n' "${times[@]}"
if [ "$steps_failed" -gt 0 ]; then
        printf 'failed: %s\n' "${failed_steps[@]}"
        # Each failed check with the lines under it (what was found), a failed meson test.
        awk '/^(FAIL|not ok) |^ *[0-9]+\/[0-9]+ .* (FAIL|TIMEOUT) / { n = 3; print; next }
             n > 0 && /^[ \t]/ { n--; print; next } { n = 0 }' "$log" | cut -c1-1000 | head -60
fi
echo "test.sh: $steps_passed passed, $steps_failed failed, in $SECONDS s"
[ "$steps_failed" = 0 ]
