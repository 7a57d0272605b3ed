# bpf(BPF_MAP_CREATE) and bpf(BPF_PROG_LOAD): eBPF is a large kernel attack surface.
# Expected: killed_by_signal SIGSYS (not in the allow-list).
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = ctypes.create_string_buffer(128)
ctypes.memmove(attr, (ctypes.c_uint32 * 4)(2, 4, 4, 1), 16)     # array map, 4-byte keys and values
print("calling bpf(BPF_MAP_CREATE)", flush=True)
r = libc.syscall(ctypes.c_long(321), ctypes.c_long(0), attr, ctypes.c_long(128))
e = ctypes.get_errno()
print("bpf: %s" % ("SUCCEEDED, fd %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
