# Processes left behind (job A, then job B in the same cell; ROLE set by the suite). A leaves three
# processes and exits at once: a daemon (double fork, setsid, SIGHUP, SIGTERM and SIGINT ignored), a
# stopped process (SIGSTOP), and one that has survived SIGTERM and SIGHUP. Each execs sleep under a
# name of its own ("kw-cells-..."), which the suite looks for on the host.
# Expected: B, pid 2 of its own namespace, sees in /proc itself and the child it starts, and nothing
# else but (where /proc shows it) its init, pid 1.
import os, signal


def pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def spawn(name, setup=lambda: None):
    """A child that runs setup() (which may fork on: then it is the last process that returns from it)
    and execs sleep as NAME. Returns the pid of that last process once it has exec'd: the pipe's
    write end is close-on-exec, so its end of file says so."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        setup()
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.write(w, str(os.getpid()).encode())
        os.execv("/usr/bin/sleep", [name, "300"])
    os.close(w)
    said = b""
    while True:
        chunk = os.read(r, 64)
        if not chunk:
            break
        said += chunk
    os.close(r)
    return child, int(said)


def daemonise():
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)


def immune():
    for s in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)


if ROLE == "A":
    middle, daemon = spawn("kw-cells-daemon", daemonise)
    os.waitpid(middle, 0)
    print("daemon %d: %s in session %d" % (daemon, proc_state(daemon), os.getsid(daemon)), flush=True)

    _, stopped = spawn("kw-cells-stopped")
    os.kill(stopped, signal.SIGSTOP)
    _, status = os.waitpid(stopped, os.WUNTRACED)
    print("stopped %d: %s" % (stopped, proc_state(stopped) if os.WIFSTOPPED(status) else "not stopped"), flush=True)

    # SIGHUP and SIGTERM, then SIGSTOP: signals are taken lowest first, so the process stops only if
    # it outlived the other two; had either killed it, waitpid would say so instead.
    _, survivor = spawn("kw-cells-immune", immune)
    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGSTOP):
        os.kill(survivor, s)
    _, status = os.waitpid(survivor, os.WUNTRACED)
    os.kill(survivor, signal.SIGCONT)
    print("immune %d: %s" % (survivor, "survived SIGTERM and SIGHUP" if os.WIFSTOPPED(status) else "died"), flush=True)
    print("left behind, with itself: %s" % pids(), flush=True)
else:
    me = os.getpid()
    print("pid %d, parent %d" % (me, os.getppid()))
    before = pids()
    print("itself in /proc: %s" % ("yes" if me in before else "no"))
    print("others in /proc: %s" % ([p for p in before if p not in (1, me)] or "none"))
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    during = pids()
    os.close(w)
    os.waitpid(child, 0)
    print("its child in /proc: %s" % ("yes" if child in during else "no"))
    print("others then: %s" % ([p for p in during if p not in (1, me, child)] or "none"))
