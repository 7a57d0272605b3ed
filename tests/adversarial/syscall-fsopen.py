# The new mount API (fsopen, open_tree, move_mount): a filter that lists only mount(2) forgets
# these.
# Expected: killed_by_signal SIGSYS.
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("calling fsopen(tmpfs)", flush=True)
r = libc.syscall(ctypes.c_long(430), b"tmpfs", ctypes.c_long(0))
e = ctypes.get_errno()
print("fsopen: %s" % ("SUCCEEDED, fd %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))), flush=True)
r = libc.syscall(ctypes.c_long(428), ctypes.c_long(-100), b"/", ctypes.c_long(1))   # open_tree(OPEN_TREE_CLONE)
e = ctypes.get_errno()
print("open_tree: %s" % ("SUCCEEDED, fd %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
