# process_vm_readv: read another process's memory without ptrace (here PID 1's, then its own
# child's).
# Expected: killed_by_signal SIGSYS (not in kw's allow-list).
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
buf = ctypes.create_string_buffer(64)
local = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 64)
remote = (ctypes.c_void_p * 2)(0x400000, 64)
print("calling process_vm_readv(1)", flush=True)
r = libc.syscall(ctypes.c_long(310), ctypes.c_long(1), local, ctypes.c_long(1), remote, ctypes.c_long(1), ctypes.c_long(0))
e = ctypes.get_errno()
print("process_vm_readv: %s" % ("SUCCEEDED" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
