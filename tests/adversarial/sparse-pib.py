# A 1 PiB sparse file: seek far and write one byte, truncate up, and fallocate.
# Expected: LimitFSIZE refuses every one: EFBIG (Python ignores SIGXFSZ, so the write fails
# instead of killing it).
import ctypes, errno, os, signal
print("SIGXFSZ handler:", "ignored" if signal.getsignal(signal.SIGXFSZ) == signal.SIG_IGN else "default")
fd = os.open("/tmp/sparse", os.O_CREAT | os.O_RDWR, 0o600)
PIB = 1 << 50
def attempt(name, f):
    try:
        f()
        print(name + ": SUCCEEDED, size now", os.fstat(fd).st_size)
    except OSError as e:
        print(name + ": blocked", errno.errorcode[e.errno])
attempt("pwrite at 1 PiB", lambda: os.pwrite(fd, b"x", PIB))
attempt("ftruncate to 1 PiB", lambda: os.ftruncate(fd, PIB))
attempt("posix_fallocate 1 PiB", lambda: os.posix_fallocate(fd, 0, PIB))
attempt("pwrite at 17 MiB", lambda: os.pwrite(fd, b"x", 17 << 20))
