# kw-exec within reach? (job A, then job B in the same cell; ROLE set by the suite). The run's init,
# pid 1 of its namespace, is a kw-exec process; kw-exec itself, the cell's main process, is outside
# the namespace. A looks for other processes in /proc, sends init every signal that could stop or
# end it (kill and pidfd_send_signal), reads what of init /proc would give away, and tries to
# ptrace it or read its memory, each attempt in a child of its own.
# Expected: A sees no process but itself and (where /proc shows it) init; the signals have no effect
# (init is immune to what its own namespace sends it) and A's run ends normally; /proc keeps init's
# memory, environment, descriptors and files from it (EACCES, or ENOENT where init is hidden);
# ptrace and process_vm_readv are killed by the filter (SIGSYS). B, next in the same cell, finds
# init as A did.
import ctypes, errno, os, signal

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SIGNALS = ("SIGKILL", "SIGSTOP", "SIGTSTP", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGSEGV", "SIGABRT",
           "SIGUSR1", "SIGPIPE")


def pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())


def init_state():
    """Whether init is there (signal 0: ESRCH if not), and its state where /proc shows it."""
    try:
        os.kill(1, 0)
    except ProcessLookupError:
        return "gone"
    except PermissionError:
        pass
    try:
        with open("/proc/1/stat") as f:
            return "alive, state " + f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "alive"


def whoami():
    try:
        with open("/proc/1/comm") as f:
            comm = f.read().strip()
    except FileNotFoundError:
        comm = "hidden"
    print("pid %d, parent %d" % (os.getpid(), os.getppid()))
    print("init in /proc: %s" % comm)
    print("others in /proc: %s" % ([p for p in pids() if p not in (1, os.getpid())] or "none"), flush=True)


def attempt(name, f, done="returned 0"):
    try:
        f()
        print("%s: %s" % (name, done), flush=True)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)


def in_child(name, nr, *args):
    """The system call in a child: a filter's kill ends the child, not the run."""
    child = os.fork()
    if child == 0:
        r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
        os._exit(0 if r >= 0 else min(ctypes.get_errno(), 255) or 255)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        told = "killed by " + signal.Signals(os.WTERMSIG(status)).name
    elif os.WEXITSTATUS(status) == 0:
        told = "SUCCEEDED"
    else:
        told = "blocked " + errno.errorcode.get(os.WEXITSTATUS(status), str(os.WEXITSTATUS(status)))
    print("%s: %s" % (name, told), flush=True)


whoami()
if ROLE == "A":
    for name in SIGNALS:
        attempt("kill(1, %s)" % name, lambda name=name: os.kill(1, getattr(signal, name)))
    attempt("pidfd_send_signal(pidfd of 1, SIGKILL)", lambda: signal.pidfd_send_signal(os.pidfd_open(1), signal.SIGKILL))
    attempt("kill(-1, SIGKILL)", lambda: os.kill(-1, signal.SIGKILL))
    print("init after the signals: %s" % init_state(), flush=True)
    attempt("read /proc/1/mem", lambda: open("/proc/1/mem", "rb").read(1), "SUCCEEDED")
    attempt("read /proc/1/environ", lambda: open("/proc/1/environ", "rb").read(), "SUCCEEDED")
    attempt("list /proc/1/fd", lambda: os.listdir("/proc/1/fd"), "SUCCEEDED")
    attempt("readlink /proc/1/exe", lambda: os.readlink("/proc/1/exe"), "SUCCEEDED")
    attempt("list /proc/1/root", lambda: os.listdir("/proc/1/root"), "SUCCEEDED")
    iov = (ctypes.c_long * 2)(ctypes.addressof(ctypes.create_string_buffer(8)), 8)
    in_child("ptrace(PTRACE_ATTACH, 1)", 101, 16, 1, 0, 0)
    in_child("ptrace(PTRACE_SEIZE, 1)", 101, 0x4206, 1, 0, 0)
    in_child("ptrace(PTRACE_TRACEME)", 101, 0, 0, 0, 0)
    in_child("process_vm_readv(1)", 310, 1, iov, 1, iov, 1, 0)
    print("init at the end: %s" % init_state(), flush=True)
else:
    print("init: %s" % init_state())
