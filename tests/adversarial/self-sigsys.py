# Faking a seccomp violation: SIGSYS is the signal of a seccomp kill, so a program that dies of it by
# its own hand would be audited as a security event it never caused. Every way to send it to itself:
# kill, raise (tgkill), pthread_kill, sigqueue, a parent-death signal, an I/O signal, a POSIX timer.
# Expected: each refused with EPERM (a SIGSYS death then always is a filter's), the run accepted.
import ctypes, errno, fcntl, os, signal, threading
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def attempt(name, f):
    try:
        r = f()
        if isinstance(r, int) and r < 0:
            raise OSError(ctypes.get_errno(), "")
        print("%s: SUCCEEDED" % name, flush=True)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)

class SigEvent(ctypes.Structure):
    _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int), ("notify", ctypes.c_int), ("pad", ctypes.c_byte * 48)]

timer = ctypes.c_void_p()
attempt("kill(self, SIGSYS)", lambda: os.kill(os.getpid(), signal.SIGSYS))
attempt("raise(SIGSYS)", lambda: signal.raise_signal(signal.SIGSYS))
attempt("pthread_kill(SIGSYS)", lambda: signal.pthread_kill(threading.get_ident(), signal.SIGSYS))
attempt("sigqueue(SIGSYS)", lambda: libc.sigqueue(os.getpid(), signal.SIGSYS, ctypes.c_void_p(0)))
attempt("prctl(PR_SET_PDEATHSIG, SIGSYS)", lambda: libc.prctl(1, signal.SIGSYS, 0, 0, 0))
attempt("fcntl(F_SETSIG, SIGSYS)", lambda: fcntl.fcntl(0, 10, signal.SIGSYS))
attempt("timer_create(SIGEV_SIGNAL, SIGSYS)",
        lambda: libc.syscall(222, 1, ctypes.byref(SigEvent(None, signal.SIGSYS, 0)), ctypes.byref(timer)))
print("still alive")
