"""kw's benchmark (scripts/bench.sh runs it inside a systemd). Figures, not tests: it never fails on
a number, it says how far each one is from its target."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP, RUNS = sys.argv[1], int(sys.argv[2])
BUILD = os.path.join(TOP, "build")
KWCTL = os.path.join(BUILD, "orchestrator", "kwctl")
POLICY = os.path.join(TOP, "policy")
WORK = tempfile.mkdtemp(prefix="kw-bench.")
LANGS = {
    "python": (["/usr/bin/python3", "-I", "-B", "-c", "pass"], "pass"),
    "javascript": (["/usr/bin/node", "-e", "0"], "0"),
}


def cpu_jiffies():
    """Busy CPU time of the whole machine (every process: PID 1, journald, dbus, kwd, runs)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]  # minus idle and iowait


def timed(fn, n, gap=0.0):
    """Milliseconds of @n calls of @fn, each after @gap seconds of quiet (gap > 0: a job arriving at
    an idle kwd, its warm units ready and the last run's unit gone)."""
    out = []
    for _ in range(n):
        time.sleep(gap)
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def job_file(lang, code, cases=None, name="job"):
    path = os.path.join(WORK, f"{name}-{lang}.json")
    job = {"code": code, "language": lang}
    if cases:
        job["test_cases"] = cases
    with open(path, "w") as f:
        json.dump(job, f)
    return path


def run(argv, **kw):
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    if r.returncode not in (0,):
        raise SystemExit(f"bench: {argv[:3]} failed ({r.returncode}): {r.stderr.decode()[-300:]}")


def bare(argv):
    # An empty environment, as kw and bubblewrap give: NODE_EXTRA_CA_CERTS alone makes node load the
    # CA bundle, 50 ms of every start.
    return lambda: run(argv, stdin=subprocess.DEVNULL, env={})


def bwrap(argv):
    return lambda: run(["bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64",
                        "/lib64", "--symlink", "usr/bin", "/bin", "--ro-bind", "/etc", "/etc", "--proc", "/proc",
                        "--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--die-with-parent", "--new-session",
                        "--clearenv", *argv], stdin=subprocess.DEVNULL)


def kw(path, direct):
    argv = [KWCTL, "submit"] + (["--direct", "--policy", POLICY] if direct else []) + [path]
    return lambda: run(argv)


def parallel(fn, total, width):
    """Throughput: @total calls of @fn, @width at a time; returns (runs/s, busy CPU ms per run)."""
    import concurrent.futures as cf
    j0, t0 = cpu_jiffies(), time.perf_counter()
    with cf.ThreadPoolExecutor(width) as ex:
        list(ex.map(lambda _: fn(), range(total)))
    dt = time.perf_counter() - t0
    cpu_ms = (cpu_jiffies() - j0) * 1000 / os.sysconf("SC_CLK_TCK")
    return total / dt, cpu_ms / total


def kwd_pid():
    out = subprocess.run(["systemctl", "show", "-P", "MainPID", "kwd.service"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    policy_copy = os.path.join(WORK, "policy")
    shutil.copytree(POLICY, policy_copy)
    subprocess.run([os.path.join(TOP, "scripts", "kwd-dev.sh"), "install", BUILD, policy_copy], check=True)
    subprocess.run(["systemctl", "start", "kwd.socket"], check=True)
    rows, notes = [], []
    try:
        for lang, (argv, code) in LANGS.items():
            one = job_file(lang, code)
            series = {
                "bare exec": bare(argv),
                "bubblewrap": bwrap(argv),
                "kw via kwd": kw(one, direct=False),
                "kw direct": kw(one, direct=True),
            }
            lat = {}
            for name, fn in series.items():
                fn()  # warm caches and the daemon
                lat[name] = timed(fn, RUNS)
            lat["kw via kwd, idle kwd"] = timed(series["kw via kwd"], RUNS, gap=0.3)
            base = statistics.median(lat["bare exec"])
            for name, s in lat.items():
                rows.append((lang, f"latency {name}", f"p50 {pct(s, 50):7.1f} ms  p95 {pct(s, 95):7.1f} ms",
                             f"{pct(s, 50) / base:5.2f}x"))
            for name, label in (("kw via kwd", "back to back"), ("kw via kwd, idle kwd", "idle kwd")):
                over = pct(lat[name], 50) - base
                rows.append((lang, f"overhead over bare (p50, {label})", f"{over:7.1f} ms",
                             "target <= 5 ms" + ("" if over <= 5 else f": missed by {over - 5:.1f} ms")))

            for width in (2, 8):
                rate, cpu = parallel(series["kw via kwd"], RUNS * 2, width)
                brate, bcpu = parallel(series["bare exec"], RUNS * 2, width)
                target = ""
                if lang == "python" and width == 2:
                    target = "target >= 120/s" + ("" if rate >= 120 else f": missed by {120 - rate:.0f}/s")
                rows.append((lang, f"throughput, {width} at once", f"kw {rate:6.1f} runs/s  bare {brate:6.1f} runs/s",
                             target))
                rows.append((lang, f"machine CPU per run, {width} at once", f"kw {cpu:6.1f} ms  bare {bcpu:6.1f} ms",
                             f"{cpu / bcpu:5.2f}x" if bcpu else ""))

            cases = [{"input": "", "expected": ""} for _ in range(10)]
            ten = job_file(lang, code, cases, name="ten")
            kw10 = statistics.median(timed(kw(ten, direct=False), max(5, RUNS // 10)))

            def bare10():
                import concurrent.futures as cf
                with cf.ThreadPoolExecutor(4) as ex:
                    list(ex.map(lambda _: bare(argv)(), range(10)))
            b10 = statistics.median(timed(bare10, max(5, RUNS // 10)))
            r = kw10 / b10
            rows.append((lang, "10-case job (4 at once) vs bare", f"kw {kw10:7.1f} ms  bare {b10:7.1f} ms",
                         f"{r:5.2f}x, target <= 1.5x" + ("" if r <= 1.5 else f": missed by {r - 1.5:.2f}x")))

        # kwd's memory with 1000 jobs queued behind one that sleeps.
        sleeper = job_file("python", "import time; time.sleep(120)", name="sleeper")
        subprocess.run(["sed", "-i", "s/^max_jobs = .*/max_jobs = 1/", os.path.join(policy_copy, "limits.conf")], check=True)
        subprocess.run(["systemctl", "reload", "kwd"], check=True)
        quick = job_file("python", "pass", name="quick")
        clients = [subprocess.Popen([KWCTL, "submit", sleeper], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        time.sleep(0.5)
        clients += [subprocess.Popen([KWCTL, "submit", quick], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for _ in range(1000)]
        deadline = time.time() + 60
        stats = {}
        while time.time() < deadline:
            out = subprocess.run([KWCTL, "stats"], capture_output=True, text=True)
            stats = json.loads(out.stdout or "{}")
            if stats.get("queued", 0) >= 1000:
                break
            time.sleep(0.2)
        rss = rss_kb(kwd_pid()) / 1024
        rows.append(("kwd", f"RSS with {stats.get('queued', '?')} jobs queued", f"{rss:7.1f} MB",
                     "target <= 20 MB" + ("" if rss <= 20 else f": missed by {rss - 20:.1f} MB")))
        subprocess.run(["systemctl", "stop", "kwd.service"], check=False)
        for c in clients:
            c.wait()
    finally:
        subprocess.run([os.path.join(TOP, "scripts", "kwd-dev.sh"), "uninstall"], check=False)
        shutil.rmtree(WORK, ignore_errors=True)

    width = max(len(r[1]) for r in rows)
    print(f"\nkw benchmark: {RUNS} runs per latency figure, {os.cpu_count()} cores\n")
    for lang, name, figure, ratio in rows:
        print(f"{lang:<11} {name:<{width}}  {figure:<44} {ratio}")


main()
