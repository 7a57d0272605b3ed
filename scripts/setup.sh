#!/usr/bin/env bash
# Install what kw needs from Debian's packages and build it. Safe to run again: it installs only
# what is missing and rebuilds incrementally. Usage: scripts/setup.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

# Build: meson, a compiler, the four libraries. Run: systemd (as the box's PID 1 where the host's is
# not systemd), dbus, the interpreters, and jobs' compilers: gcc (the build's too) and g++ for c and
# cpp, OpenJDK 17's javac, jar and java for java, rustc for rust. Tests: jq, valgrind, clang for the
# sanitizers and fuzzers, redis-server and python3-redis for the queue tests and the example
# backend, bubblewrap for the benchmark. Docs: bash-completion (its .pc says where kwctl's completion
# goes; tests/docs.sh runs it), groff-base and mandoc to check the man pages. dpkg-dev, debhelper,
# fakeroot and lintian for the Debian package (tests/package.sh), and libmicrohttpd-dev (kwd's
# metrics) for the build.
packages=(
        meson ninja-build pkg-config gcc
        libsystemd-dev libcjson-dev libseccomp-dev libhiredis-dev
        systemd dbus libnss-systemd util-linux
        python3 nodejs g++ openjdk-17-jdk-headless rustc
        jq valgrind clang libclang-rt-14-dev
        redis-server redis-tools python3-redis bubblewrap
        bash-completion groff-base mandoc
        dpkg-dev debhelper fakeroot lintian libmicrohttpd-dev
)
missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
        echo "setup: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Jobs run Debian's interpreters and compilers (the paths policy/languages/*.conf name): a DynamicUser
# cannot read a pyenv or nvm install under /root.
jdk=/usr/lib/jvm/java-17-openjdk-amd64/bin
for i in /usr/bin/python3 /usr/bin/node /usr/bin/gcc /usr/bin/g++ "$jdk/javac" "$jdk/jar" "$jdk/java" /usr/bin/rustc; do
        [ -x "$i" ] || { echo "setup: $i is missing" >&2; exit 1; }
done

# Quiet when all is well; a failure shows what meson or ninja said (ninja prints errors on stdout).
quiet() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "setup: $* failed" >&2; return 1; }; }
[ -f "$build/build.ninja" ] || quiet meson setup "$build"
quiet ninja -C "$build"
