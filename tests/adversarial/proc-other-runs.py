# Reading other runs' /proc: two cases of this job run at once (parallel_runs); each puts a
# secret in its argv and environment-like memory, then looks for the other in /proc: by listing,
# by probing every pid number, and through /proc/<pid>/cmdline, environ, maps and mem.
# Expected: each sees only its own processes (ProtectProc=invisible, another uid), the host's
# /proc/1 is hidden, /proc/sys and friends are gone (ProcSubset=pid): "found nothing" twice.
import ctypes, errno, os, sys, time

me = sys.stdin.read().strip()            # "A" or "B"
secret = "kw-adversarial-secret-" + me
child = os.fork()
if child == 0:                            # the process holding the secret in its command line
    os.execv("/usr/bin/python3", ["python3", "-c", "import time; time.sleep(1.5)", secret])
time.sleep(0.4)                           # the other run is up by now
mine = {os.getpid(), child}
found = []
for p in os.listdir("/proc"):
    if p.isdigit() and int(p) not in mine:
        found.append("listed pid " + p)
existing = []
for pid in range(1, 65537):              # kill(pid, 0) tells which pids exist (EPERM vs ESRCH)
    if pid in mine:
        continue
    try:
        os.kill(pid, 0)
        existing.append(pid)
    except PermissionError:
        existing.append(pid)
    except OSError:
        pass
print("run %s: %d other pids exist (kill(pid, 0) says EPERM)" % (me, len(existing)) if existing else "", file=sys.stderr)
for pid in existing:
    for what in ("cmdline", "environ", "status", "maps", "mem"):
        try:
            data = open("/proc/%d/%s" % (pid, what), "rb").read()
            found.append("read /proc/%d/%s%s" % (pid, what, " (other run's secret)" if b"kw-adversarial-secret" in data else ""))
        except OSError:
            pass
for path in ("/proc/sys/kernel/hostname", "/proc/kcore", "/proc/sysrq-trigger", "/proc/kallsyms",
             "/proc/1/root", "/proc/self/../1/cmdline", "/proc/keys", "/proc/key-users"):
    try:
        open(path, "rb").read(16)
        found.append("read " + path)
    except OSError:
        pass
os.waitpid(child, 0)
print("run %s: %s" % (me, "found nothing" if not found else "FOUND " + "; ".join(found[:10])))
