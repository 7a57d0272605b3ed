# Disk flushes: fsync, fdatasync, syncfs and sync_file_range on a read-only descriptor of a host file,
# msync(MS_SYNC) of a read-only shared mapping of it, and sync(), in a loop for 0.8 s; then kernel
# AIO's IOCB_CMD_FSYNC, which would need io_setup. The run can write nothing but its tmpfs, yet each
# of these makes the host's disk flush its write cache: ~17,000 flushes in 0.8 s, slowing every
# writer on the host.
# Expected: every call succeeds and does nothing, kernel AIO is missing (ENOSYS); the suite counts
# the host's disk flushes (/sys/block/*/stat) during the run. That the calls do nothing shows from
# inside too: on a pipe, where a real fsync fails (EINVAL), they return 0.
import ctypes, errno, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = os.open("/usr/bin/env", os.O_RDONLY)
libc.mmap.restype = ctypes.c_void_p
maddr = libc.mmap(None, ctypes.c_size_t(4096), 1, 1, fd, ctypes.c_long(0))  # PROT_READ, MAP_SHARED
calls = (("fsync", lambda f: libc.fsync(f)), ("fdatasync", lambda f: libc.fdatasync(f)),
         ("syncfs", lambda f: libc.syncfs(f)),
         ("sync_file_range", lambda f: libc.sync_file_range(f, ctypes.c_long(0), ctypes.c_long(0), 7)),
         ("msync", lambda f: libc.msync(ctypes.c_void_p(maddr), ctypes.c_size_t(4096), 4)),
         ("sync", lambda f: libc.sync() or 0))
failed = set()
rounds = 0
end = time.monotonic() + 0.8
while time.monotonic() < end:
    for name, call in calls:
        if call(fd) != 0:
            failed.add(name)
    rounds += 1
print("%s: %s rounds, %s" % (", ".join(n for n, _ in calls), "many" if rounds > 100 else rounds,
                             "failed: " + " ".join(sorted(failed)) if failed else "every call returned 0"))
r, w = os.pipe()
print("on a pipe: " + ", ".join("%s %s" % (n, "0" if call(r) == 0 else errno.errorcode.get(ctypes.get_errno(), "?"))
                                 for n, call in calls[:4]))
ctx = ctypes.c_ulong(0)
ret = libc.syscall(ctypes.c_long(206), ctypes.c_long(1), ctypes.byref(ctx))
e = ctypes.get_errno()
print("io_setup: %s" % ("SUCCEEDED" if ret == 0 else "blocked " + errno.errorcode.get(e, str(e))))
