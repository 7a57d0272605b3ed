# Killing kw and everything else: kill(-1), every pid visible in /proc, blindly every pid number
# up to 65536, PID 1 (the run's init, its parent), pidfds.
# Expected: the run is in a pid namespace of its own: kwctl, kwd, kw-exec, journald, dbus and
# systemd have no pid there (ESRCH); its init, pid 1, ignores every signal from inside (the kernel
# drops them), and kw still judges the run (a result comes back at all; the script then checks the
# host's systemd is fine).
import ctypes, errno, os, signal, time

child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
try:
    os.kill(-1, signal.SIGKILL)      # returns 0 even when every target refused (EPERM)
    print("kill(-1, SIGKILL): returned 0")
except OSError as e:
    print("kill(-1, SIGKILL): %s" % errno.errorcode[e.errno])
_, status = os.waitpid(child, 0)
print("own child killed by kill(-1):", os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL)

me = os.getpid()
visible = [int(p) for p in os.listdir("/proc") if p.isdigit()]
print("pids visible in /proc:", "only its own" if visible == [me] or set(visible) <= {me} else sorted(visible))

others = 0
results = {}
for pid in range(2, 65537):
    if pid == me:
        continue
    try:
        os.kill(pid, signal.SIGKILL)
        others += 1
    except OSError as e:
        results[errno.errorcode[e.errno]] = results.get(errno.errorcode[e.errno], 0) + 1
print("blind SIGKILL to pids 2..65536: %d delivered; refused: %s" % (others, ", ".join(sorted(results))))

print("parent:", os.getppid())
for f in (lambda: os.kill(1, signal.SIGTERM), lambda: os.kill(1, signal.SIGKILL),
          lambda: signal.pidfd_send_signal(os.pidfd_open(1), signal.SIGKILL)):
    try:
        f()
    except OSError as e:
        print("a signal to PID 1: blocked %s" % errno.errorcode[e.errno])
time.sleep(0.1)
os.kill(1, 0)   # ESRCH, were it gone
print("PID 1, the run's init: SIGTERM, SIGKILL and a pidfd SIGKILL ignored, still there: True")
