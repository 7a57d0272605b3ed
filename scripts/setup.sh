#!/usr/bin/env bash
# Install what kw needs from Debian's packages and build it. Safe to run again: it installs only
# what is missing and rebuilds incrementally. Usage: scripts/setup.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

# Build: meson, a compiler, the five libraries (libmicrohttpd: kwd's GET /metrics). Run: systemd (as the box's PID 1 where the host's is
# not systemd), dbus, the interpreters, and jobs' compilers: gcc (the build's too) and g++ for c and
# cpp, OpenJDK 17's javac, jar and java for java, rustc for rust. Tests: jq, valgrind, clang for the
# sanitizers and fuzzers, redis-server and python3-redis for the queue tests and the example
# backend, bubblewrap for the benchmark, curl to scrape kwd's metrics. Docs: bash-completion (its .pc says where kwctl's completion
# goes; tests/docs.sh runs it), groff-base and mandoc to check the man pages. dpkg-dev, debhelper,
# fakeroot and lintian for the Debian package (tests/package.sh), and libmicrohttpd-dev (kwd's
# metrics) for the build.
packages=(
        meson ninja-build pkg-config gcc
        libsystemd-dev libcjson-dev libseccomp-dev libhiredis-dev libmicrohttpd-dev
        systemd dbus libnss-systemd util-linux
        python3 nodejs g++ openjdk-17-jdk-headless rustc
        jq valgrind clang libclang-rt-14-dev
        redis-server redis-tools python3-redis bubblewrap curl
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

# promtool, which tests/metrics.sh lints kwd's metrics with: Debian's prometheus package has it, but
# installing that package would start a Prometheus server here. Its files are only unpacked, into
# /var/cache/kw-test/prometheus (KW_PROMTOOL in the tests); nothing of it runs but promtool.
promtool_dir=/var/cache/kw-test/prometheus
if [ ! -x "$promtool_dir/usr/bin/promtool" ]; then
        [ "$(id -u)" = 0 ] || { echo "setup: run as root to fetch promtool into $promtool_dir" >&2; exit 1; }
        echo "setup: unpacking Debian's prometheus package (for promtool) into $promtool_dir" >&2
        mkdir -p "$(dirname "$promtool_dir")"
        deb_dir=$(mktemp -d)
        (cd "$deb_dir" && apt-get download -q=2 -o APT::Sandbox::User=root prometheus) &&
                dpkg-deb -x "$deb_dir"/prometheus_*.deb "$promtool_dir.new" &&
                rm -rf "$promtool_dir" && mv "$promtool_dir.new" "$promtool_dir"
        rm -rf "$deb_dir" "$promtool_dir.new"
        [ -x "$promtool_dir/usr/bin/promtool" ] || { echo "setup: could not fetch promtool" >&2; exit 1; }
fi

# Quiet when all is well; a failure shows what meson or ninja said (ninja prints errors on stdout).
quiet() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "setup: $* failed" >&2; return 1; }; }
[ -f "$build/build.ninja" ] || quiet meson setup "$build"
quiet ninja -C "$build"
