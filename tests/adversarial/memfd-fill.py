# Memory outside the heap: /dev/shm written full, then memfds (each below the 16 MiB file size
# limit, which applies to memfds too) until far past the memory limit. tmpfs and memfd pages are
# charged to the run's cgroup.
# Expected: /dev/shm stops at the scratch tmpfs size (ENOSPC); a single memfd stops at
# LimitFSIZE (EFBIG); many memfds are stopped by MemoryMax: memory_limit_exceeded.
import errno, os
try:
    with open("/dev/shm/fill", "wb") as f:
        for _ in range(64):
            f.write(b"s" * (1 << 20))
    print("/dev/shm: wrote 64 MiB")
except OSError as e:
    print("/dev/shm: %s" % errno.errorcode[e.errno], flush=True)
os.unlink("/dev/shm/fill")
chunk = b"m" * (1 << 20)
fd = os.memfd_create("kw-adversarial-big")
try:
    for _ in range(32):
        os.write(fd, chunk)
    print("one memfd: wrote 32 MiB")
except OSError as e:
    print("one memfd: %s after %d MiB" % (errno.errorcode[e.errno], os.fstat(fd).st_size >> 20), flush=True)
os.close(fd)
fds = []
total = 0
while total < (1 << 30):
    fd = os.memfd_create("kw-adversarial")
    fds.append(fd)
    for _ in range(8):
        os.write(fd, chunk)
    total += 8 << 20
    if total % (32 << 20) == 0:
        print("memfds: %d MiB" % (total >> 20), flush=True)
print("memfds: SUCCEEDED, 1 GiB held past the limit")
