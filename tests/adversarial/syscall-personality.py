# personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE): executable data and no ASLR for whatever it
# execs next.
# Expected: killed_by_signal SIGSYS (only the query and PER_LINUX are allowed; LockPersonality=).
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.personality.restype = ctypes.c_int
r = libc.personality(ctypes.c_ulong(0xffffffff))
e = ctypes.get_errno()
print("personality query: %s" % ("%#x" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))), flush=True)
r = libc.personality(ctypes.c_ulong(0x0400000 | 0x0040000))
e = ctypes.get_errno()
print("personality(READ_IMPLIES_EXEC|ADDR_NO_RANDOMIZE): %s" % ("SUCCEEDED" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
