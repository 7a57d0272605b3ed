# SysV IPC and POSIX message queues left behind (job A, then job B in the same cell; ROLE set by the
# suite). A creates a shared memory segment under a key and one private, a semaphore set, a message
# queue with a message in it, and a POSIX message queue with a message, and removes none of them.
# Each run counts the objects of its IPC namespace first, as ipcs -u does (SHM_INFO, SEM_INFO,
# MSG_INFO: a run's /proc has no sysvipc).
# Expected: B's namespace holds no object, and every name A used is unknown (ENOENT).
import ctypes, errno, os, struct

libc = ctypes.CDLL(None, use_errno=True)
IPC_PRIVATE, IPC_CREAT, IPC_EXCL = 0, 0o1000, 0o2000
SHM_INFO, SEM_INFO, MSG_INFO = 14, 19, 12
KEY = 0x6b77c311
MQ = b"/kw-cells"


def objects():
    """The namespace's counts: struct shm_info's used_ids, seminfo's semusz, msginfo's msgpool."""
    counts = []
    for kind, call, at in (("shm", lambda b: libc.shmctl(0, SHM_INFO, b), 0),
                           ("sem", lambda b: libc.semctl(0, 0, SEM_INFO, b), 7),
                           ("msg", lambda b: libc.msgctl(0, MSG_INFO, b), 0)):
        info = (ctypes.c_int * 16)()
        counts.append("%s %s" % (kind, info[at] if call(info) >= 0 else errno.errorcode.get(ctypes.get_errno())))
    print("objects: " + ", ".join(counts), flush=True)


def told(name, r, done="created"):
    e = ctypes.get_errno()
    print("%s: %s" % (name, (done if ROLE == "A" else "found") if r >= 0 else errno.errorcode.get(e, str(e))), flush=True)
    return r


objects()
if ROLE == "A":
    told("shmget(key)", libc.shmget(KEY, 1 << 20, IPC_CREAT | IPC_EXCL | 0o600))
    told("shmget(IPC_PRIVATE)", libc.shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0o600))
    told("semget(key)", libc.semget(KEY, 3, IPC_CREAT | IPC_EXCL | 0o600))
    q = told("msgget(key)", libc.msgget(KEY, IPC_CREAT | IPC_EXCL | 0o600))
    text = b"planted by run A"
    message = ctypes.create_string_buffer(struct.pack("q", 1) + text)
    told("msgsnd", libc.msgsnd(q, message, len(text), 0), "sent")
    mq = told("mq_open(/kw-cells)", libc.mq_open(MQ, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, None))
    told("mq_send", libc.mq_send(mq, text, len(text), 0), "sent")
    objects()
else:
    told("shmget(key)", libc.shmget(KEY, 0, 0))
    told("semget(key)", libc.semget(KEY, 0, 0))
    told("msgget(key)", libc.msgget(KEY, 0))
    told("mq_open(/kw-cells)", libc.mq_open(MQ, os.O_RDONLY, 0, None))
