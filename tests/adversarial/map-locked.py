# Locked memory without mlock(): mmap(MAP_LOCKED) and shmctl(SHM_LOCK) lock pages the kernel can
# never reclaim, up to RLIMIT_MEMLOCK (8 MiB by default), though seccomp refuses mlock().
# Expected: both refused (RLIMIT_MEMLOCK is 0), nothing locked (VmLck 0 kB).
import ctypes, errno, mmap, resource
libc = ctypes.CDLL(None, use_errno=True)
print("RLIMIT_MEMLOCK: %d %d" % resource.getrlimit(resource.RLIMIT_MEMLOCK))
try:
    m = mmap.mmap(-1, 4 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x2000)
    print("mmap(MAP_LOCKED) 4 MiB: SUCCEEDED")
except OSError as e:
    print("mmap(MAP_LOCKED) 4 MiB: blocked " + errno.errorcode.get(e.errno, str(e.errno)))
shm = libc.shmget(0, 4 << 20, 0o1600)
r = libc.shmctl(shm, 11, None)
e = ctypes.get_errno()
print("shmctl(SHM_LOCK) 4 MiB: %s" % ("SUCCEEDED" if r == 0 else "blocked " + errno.errorcode.get(e, str(e))))
print([l for l in open("/proc/self/status") if l.startswith("VmLck")][0].strip())
