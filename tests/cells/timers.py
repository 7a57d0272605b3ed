# Timers left behind (job A, then job B in the same cell; ROLE and, for B, DUE set by the suite). A
# arms every timer a program has — ITIMER_REAL (alarm's), ITIMER_VIRTUAL, ITIMER_PROF, a POSIX timer
# (timer_create, SIGALRM) — to go off a moment after it exits, leaves a daemon with an alarm of its
# own, and prints when they are due (the wall clock, which no namespace changes).
# Expected: B starts with no timer armed and nothing pending, and, waiting until past A's timers,
# catches no signal.
import ctypes, os, signal, time

DELAY = 0.8
SIGNALS = (signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF, signal.SIGHUP, signal.SIGTERM, signal.SIGINT,
           signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE, signal.SIGXCPU)

if ROLE == "A":
    libc = ctypes.CDLL(None, use_errno=True)
    for name in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"):
        signal.setitimer(getattr(signal, name), DELAY)
        print("%s: armed, %.1f s left" % (name, signal.getitimer(getattr(signal, name))[0]), flush=True)
    # The system calls themselves: glibc's timer_create may hand the kernel a sigevent of its own,
    # which kw's filter refuses (only a NULL one, SIGALRM, is allowed).
    libc.syscall.restype = ctypes.c_long
    timer = ctypes.c_int()
    spec = (ctypes.c_long * 4)(0, 0, 0, int(DELAY * 1e9))  # it_interval, it_value
    ok = (libc.syscall(ctypes.c_long(222), ctypes.c_long(0), None, ctypes.byref(timer)) == 0 and
          libc.syscall(ctypes.c_long(223), ctypes.c_long(timer.value), ctypes.c_long(0), spec, None) == 0)
    print("timer_create: %s" % ("armed" if ok else "failed, errno %d" % ctypes.get_errno()), flush=True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            signal.alarm(1)
            os.execv("/usr/bin/sleep", ["kw-cells-alarm", "300"])
        os._exit(0)
    os.wait()
    print("due %.6f" % (time.time() + DELAY), flush=True)
else:
    got = []
    for s in SIGNALS:
        signal.signal(s, lambda n, frame: got.append(signal.Signals(n).name))
    print("itimers: real %.1f, virtual %.1f, prof %.1f" % tuple(
        signal.getitimer(w)[0] for w in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)))
    print("alarm pending: %d" % signal.alarm(0))
    print("signals pending: %s" % sorted(s.name for s in signal.sigpending()), flush=True)
    # Past A's timers, by a margin; never long, whatever DUE says.
    end = min(DUE + 0.3, time.time() + 2)
    while time.time() < end:
        time.sleep(end - time.time())
    print("waited past A's timers: %s" % ("yes" if time.time() >= DUE + 0.3 else "no, DUE %.3f" % DUE))
    print("signals caught: %s" % got)
