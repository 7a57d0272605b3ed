# The run's init shares the program's uid: prlimit() on it passes the kernel's own check, and an
# RLIMIT_CPU of 0 would have the kernel kill init at its next tick, making the run look like kw's
# failure (internal_error) instead of the program's doing.
# Expected: prlimit on any pid but its own is refused (EPERM), the program's own limits work, and
# the run ends normally, judged on its output.
import ctypes, errno, resource

libc = ctypes.CDLL(None, use_errno=True)

class Rlimit(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_ulong), ("max", ctypes.c_ulong)]

for name, res in (("RLIMIT_CPU", resource.RLIMIT_CPU), ("RLIMIT_NOFILE", resource.RLIMIT_NOFILE)):
    r = libc.prlimit(1, res, ctypes.byref(Rlimit(0, 0)), None)
    e = ctypes.get_errno()
    print("prlimit(init, %s, 0): %s" % (name, "SUCCEEDED" if r == 0 else "blocked " + errno.errorcode[e]))
old = Rlimit()
print("its own RLIMIT_CPU readable:", libc.prlimit(0, resource.RLIMIT_CPU, None, ctypes.byref(old)) == 0)
x = 0
for i in range(3000000):    # some ticks for init to be killed in, were it to be
    x += i
print("done")
