# Disk flushes: fsync, fdatasync, syncfs and sync_file_range on a read-only descriptor of a host file,
# and sync(), in a loop for 0.8 s. The run can write nothing but its tmpfs, yet each of these makes
# the host's disk flush its write cache: ~17,000 flushes in 0.8 s, slowing every writer on the host.
# Expected: every call succeeds and does nothing; the suite counts the host's disk flushes
# (/sys/block/*/stat) during the run.
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/usr/bin/env", os.O_RDONLY)
calls = (("fsync", lambda: libc.fsync(fd)), ("fdatasync", lambda: libc.fdatasync(fd)),
         ("syncfs", lambda: libc.syncfs(fd)),
         ("sync_file_range", lambda: libc.sync_file_range(fd, ctypes.c_long(0), ctypes.c_long(0), 7)),
         ("sync", lambda: libc.sync() or 0))
failed = set()
rounds = 0
end = time.monotonic() + 0.8
while time.monotonic() < end:
    for name, call in calls:
        if call() != 0:
            failed.add(name)
    rounds += 1
print("%s: %s rounds, %s" % (", ".join(n for n, _ in calls), "many" if rounds > 100 else rounds,
                             "failed: " + " ".join(sorted(failed)) if failed else "every call returned 0"))
