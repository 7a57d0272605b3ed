# The x32 ABI: getpid (39) with the x32 bit (0x40000000) set, through libc's syscall().
# Expected: kw's filter kills it (only the native ABI exists): killed_by_signal SIGSYS.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("calling x32 getpid", flush=True)
r = libc.syscall(ctypes.c_long(0x40000000 | 39))
print("x32 getpid: returned %d, errno %d" % (r, ctypes.get_errno()))
