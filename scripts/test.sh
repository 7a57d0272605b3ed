#!/usr/bin/env bash
# README's second command: every test kw has, from a clean clone.
#   1. install and build (scripts/setup.sh)
#   2. unit tests, no systemd needed
#   3. the same under valgrind, and under AddressSanitizer + UBSan
#   4. a short fuzz run of the job and policy parsers (libFuzzer)
#   5. integration tests against a real systemd: this machine's, or a box booted for them
#   6. kwd installed as a service into that systemd, and its tests
#   7. the integration tests again with the sanitized kwctl (without the 1000-run burst)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==== %s\n' "$*"; }

step "setup and build"
scripts/setup.sh build

step "unit tests"
meson test -C build --suite unit --print-errorlogs

step "unit tests under valgrind"
meson test -C build --suite unit --print-errorlogs --wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q'

step "AddressSanitizer and UBSan build, unit tests"
[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build-asan >/dev/null
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --suite unit --print-errorlogs

step "fuzzing the parsers (short run)"
scripts/fuzz.sh "${KW_FUZZ_SECONDS:-20}"

step "integration tests against systemd"
scripts/systemd.sh tests/integration.sh build

step "kwd as a systemd service"
scripts/systemd.sh tests/daemon.sh build

step "integration tests with the sanitized kwctl"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 KW_IT_QUICK=1 scripts/systemd.sh tests/integration.sh build-asan

step "all tests passed"
