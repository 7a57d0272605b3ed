# mount(2): a tmpfs over /tmp, and a bind of / somewhere writable.
# Expected: killed_by_signal SIGSYS (@mount is not allowed).
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("calling mount(tmpfs, /tmp)", flush=True)
r = libc.syscall(ctypes.c_long(165), b"none", b"/tmp", b"tmpfs", ctypes.c_long(0), None)
e = ctypes.get_errno()
print("mount: %s" % ("SUCCEEDED" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
