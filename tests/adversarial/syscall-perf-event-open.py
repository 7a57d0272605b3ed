# perf_event_open on its own process (software CPU clock): perf is a classic kernel attack surface
# and a side channel.
# Expected: killed_by_signal SIGSYS (not in the allow-list).
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = ctypes.create_string_buffer(128)
ctypes.memmove(attr, (ctypes.c_uint32 * 2)(1, 128), 8)            # PERF_TYPE_SOFTWARE, size
print("calling perf_event_open", flush=True)
r = libc.syscall(ctypes.c_long(298), attr, ctypes.c_long(0), ctypes.c_long(-1), ctypes.c_long(-1), ctypes.c_long(0))
e = ctypes.get_errno()
print("perf_event_open: %s" % ("SUCCEEDED, fd %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
