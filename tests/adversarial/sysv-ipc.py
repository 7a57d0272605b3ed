# SysV IPC and POSIX message queues left behind: a shared memory segment, a semaphore set and a
# message queue, created and never removed, then the run ends. Objects of a uid outlive its
# processes on the host unless something removes them.
# Expected: all allowed inside the run's private IPC namespace (PrivateIPC=), which dies with the
# run; the script checks the host's ipcs shows nothing owned by a dynamic uid afterwards.
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
for name, f in (("shmget 16 MiB", lambda: libc.shmget(0x6b77, 16 << 20, IPC_CREAT | 0o666)),
                ("semget", lambda: libc.semget(0x6b77, 4, IPC_CREAT | 0o666)),
                ("msgget", lambda: libc.msgget(0x6b77, IPC_CREAT | 0o666))):
    r = f()
    e = ctypes.get_errno()
    print("%s: %s" % (name, "created, id %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
rt = ctypes.CDLL("librt.so.1", use_errno=True)
r = rt.mq_open(b"/kw-adversarial", os.O_CREAT | os.O_RDWR, 0o666, None)
e = ctypes.get_errno()
print("mq_open: %s" % ("created" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
print("leaving them all behind")
