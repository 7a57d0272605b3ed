# Environment, rlimits and the like (job A, then job B in the same cell; ROLE set by the suite). Each
# run prints its state as it starts: environment, every rlimit, nice value (its own and its init's),
# umask, cwd, ids. A then changes all it can: sets a variable, lowers its rlimits and its init's
# (prlimit), sets nice 10 for itself, its process group, every process of its uid (PRIO_USER) and
# its init, clears its umask.
# Expected: B's state is A's as it started (the suite also compares the rlimits with the policy).
import errno, os, resource

LIMITS = ("CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS", "SIGPENDING",
          "MSGQUEUE", "NICE", "RTPRIO", "RTTIME")


def state():
    # Python sets LC_CTYPE itself when the locale is C (PEP 538); the rest would come from outside.
    print("state environ %r" % {k: v for k, v in os.environ.items() if k != "LC_CTYPE"})
    with open("/proc/self/environ", "rb") as f:
        print("state /proc/self/environ %r" % f.read())
    for name in LIMITS:
        soft, hard = resource.getrlimit(getattr(resource, "RLIMIT_" + name))
        print("state rlimit %s %d %d" % (name, soft, hard))
    print("state nice %d, init's %d" % (os.getpriority(os.PRIO_PROCESS, 0), os.getpriority(os.PRIO_PROCESS, 1)))
    mask = os.umask(0o022)
    os.umask(mask)
    print("state umask %03o" % mask)
    print("state cwd %s, uid %d, gid %d, groups %s" % (os.getcwd(), os.getuid(), os.getgid(), os.getgroups()), flush=True)


def attempt(name, f):
    try:
        print("tampered: %s: %s" % (name, f()), flush=True)
    except OSError as e:
        print("tampered: %s: blocked %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)


def lower(pid):
    for name, value in (("NOFILE", 64), ("FSIZE", 4096), ("CPU", 5), ("STACK", 1 << 20), ("NPROC", 8),
                        ("MSGQUEUE", 0), ("SIGPENDING", 16)):
        resource.prlimit(pid, getattr(resource, "RLIMIT_" + name), (value, value))
    return "NOFILE now %s" % (resource.prlimit(pid, resource.RLIMIT_NOFILE),)


def renice(which, who):
    os.setpriority(which, who, 10)
    return "now %d" % os.getpriority(which, who)


state()
if ROLE == "A":
    os.environ["KW_CELLS_LEAK"] = "planted by run A"
    print("tampered: environ: KW_CELLS_LEAK set", flush=True)
    attempt("init's rlimits", lambda: lower(1))
    attempt("own rlimits", lambda: lower(0))
    attempt("nice of itself", lambda: renice(os.PRIO_PROCESS, 0))
    attempt("nice of its process group", lambda: renice(os.PRIO_PGRP, 0))
    attempt("nice of every process of its uid", lambda: renice(os.PRIO_USER, 0))
    attempt("nice of init", lambda: renice(os.PRIO_PROCESS, 1))
    attempt("umask", lambda: "was %03o" % os.umask(0))
