# ptrace: attach to its own child (the only process it could name; attaching to kw or another run
# is what a filter must stop before permissions even matter).
# Expected: killed_by_signal SIGSYS (not in the allow-list).
import ctypes, errno, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
print("calling ptrace(PTRACE_ATTACH, child)", flush=True)
r = libc.syscall(ctypes.c_long(101), ctypes.c_long(16), ctypes.c_long(child), None, None)
e = ctypes.get_errno()
print("ptrace attach: %s" % ("SUCCEEDED" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
