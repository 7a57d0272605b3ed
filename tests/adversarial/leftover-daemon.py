# Leftover processes: a double-forked, setsid'd daemon that ignores SIGHUP and SIGTERM, a
# process in a new process group, and an attempt to move itself out of the unit's cgroup, all
# outliving the main process, which exits 0 at once.
# Expected: accepted; the cgroup escape is refused (read-only /sys/fs/cgroup); when the main
# process exits systemd kills the whole cgroup (KillSignal=SIGKILL), so no process of the run's
# uid is left (the script checks with ps).
import errno, os, signal, sys, time

cg = open("/proc/self/cgroup").read().split("\n")[0]
for target in ("/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs",
               "/sys/fs/cgroup/systemd/cgroup.procs", "/sys/fs/cgroup/pids/cgroup.procs"):
    try:
        open(target, "w").write(str(os.getpid()))
        print("move to %s: SUCCEEDED" % target)
    except OSError as e:
        print("move to %s: blocked %s" % (target, errno.errorcode.get(e.errno, e.errno)))

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        os.chdir("/")
        devnull = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.execv("/usr/bin/sleep", ["kw-adversarial-daemon", "300"])
    os._exit(0)
if os.fork() == 0:
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(300)
    os._exit(0)
time.sleep(0.2)
print("daemon and process group started; main process exits now")
