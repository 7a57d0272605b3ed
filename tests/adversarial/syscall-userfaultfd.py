# userfaultfd: lets a program stall page faults at will, the usual tool to win kernel races.
# Tried twice: plain (needs vm.unprivileged_userfaultfd=1 or CAP_SYS_PTRACE) and with
# UFFD_USER_MODE_ONLY (only faults from user space, allowed to anyone by the kernel since 5.11).
# Expected: both denied.
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
for name, flags in (("userfaultfd(O_CLOEXEC)", os.O_CLOEXEC), ("userfaultfd(O_CLOEXEC|UFFD_USER_MODE_ONLY)", os.O_CLOEXEC | 1)):
    print("calling " + name, flush=True)
    r = libc.syscall(ctypes.c_long(323), ctypes.c_long(flags))
    e = ctypes.get_errno()
    print("%s: %s" % (name, "SUCCEEDED, fd %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))), flush=True)
