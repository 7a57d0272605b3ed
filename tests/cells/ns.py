# Namespaces and mounts (job A, then job B in the same cell; ROLE set by the suite). Each run prints
# its mounts (/proc/self/mountinfo less the numbers that differ from one namespace to the next) and
# the namespaces it is in. A then tries to make a namespace of every kind (unshare, clone, clone3),
# to enter its own again (setns), and to change its mounts every way there is (mount, umount2,
# pivot_root, chroot, the new mount API), each attempt in a child of its own, and prints its mounts
# again.
# Expected: no attempt succeeds (unshare and setns fail as kw's seccomp policy says, the rest fail or
# are killed by the filter, SIGSYS); A's mounts are unchanged; B's are the same as A's.
import ctypes, errno, os, signal

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
FLAGS = (("CLONE_NEWNS", 0x00020000), ("CLONE_NEWCGROUP", 0x02000000), ("CLONE_NEWUTS", 0x04000000),
         ("CLONE_NEWIPC", 0x08000000), ("CLONE_NEWUSER", 0x10000000), ("CLONE_NEWPID", 0x20000000),
         ("CLONE_NEWNET", 0x40000000), ("CLONE_NEWTIME", 0x00000080))
SIGCHLD = 17
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC = 1, 32, 4096, 16384
AT_FDCWD, OPEN_TREE_CLONE, MNT_DETACH, MOUNT_ATTR_RDONLY = -100, 1, 2, 1


def mounts():
    seen = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            dash = fields.index("-")
            # root, mount point, mount options, file system type, source, super options
            seen.append(" ".join(fields[3:6] + fields[dash + 1:dash + 4]))
    return seen


def in_child(name, nr, *args):
    """The system call in a child: a filter's kill ends the child, not the run. A clone that worked
    returns twice: its child ends at once."""
    child = os.fork()
    if child == 0:
        r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
        os._exit(0 if r >= 0 else min(ctypes.get_errno(), 255) or 255)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        told = "killed by " + signal.Signals(os.WTERMSIG(status)).name
    elif os.WEXITSTATUS(status) == 0:
        told = "SUCCEEDED"
    else:
        told = "blocked " + errno.errorcode.get(os.WEXITSTATUS(status), str(os.WEXITSTATUS(status)))
    print("%s: %s" % (name, told), flush=True)


before = mounts()
for m in before:
    print("mount " + m)
for ns in ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts"):
    print("ns " + os.readlink("/proc/self/ns/" + ns), flush=True)
if ROLE == "A":
    for name, flag in FLAGS:
        in_child("unshare(%s)" % name, 272, flag)
    for ns in sorted(os.listdir("/proc/self/ns")):
        fd = os.open("/proc/self/ns/" + ns, os.O_RDONLY)
        in_child("setns(%s)" % ns, 308, fd, 0)
        os.close(fd)
    for name, flag in FLAGS:
        if name != "CLONE_NEWTIME":  # clone's flags have no room for it (CSIGNAL): unshare and clone3 only
            in_child("clone(%s)" % name, 56, flag | SIGCHLD, 0, 0, 0, 0)
    args = ctypes.create_string_buffer(88)  # struct clone_args: flags first, exit_signal at 32
    ctypes.memmove(args, (ctypes.c_uint64 * 1)(0x10000000), 8)
    ctypes.memmove(ctypes.addressof(args) + 32, (ctypes.c_uint64 * 1)(SIGCHLD), 8)
    in_child("clone3(CLONE_NEWUSER)", 435, args, 88)
    attr = (ctypes.c_uint64 * 4)(0, MOUNT_ATTR_RDONLY, 0, 0)  # attr_set, attr_clr, propagation, userns_fd
    in_child("mount(remount / read-write)", 165, None, b"/", None, MS_REMOUNT | MS_BIND, None)
    in_child("mount(remount /usr read-write)", 165, None, b"/usr", None, MS_REMOUNT | MS_BIND, None)
    in_child("mount(tmpfs on /run/kw)", 165, b"tmpfs", b"/run/kw", b"tmpfs", 0, None)
    in_child("mount(bind /tmp on /etc)", 165, b"/tmp", b"/etc", None, MS_BIND | MS_REC, None)
    in_child("umount2(/proc, MNT_DETACH)", 166, b"/proc", MNT_DETACH)
    in_child("pivot_root(/tmp, /tmp)", 155, b"/tmp", b"/tmp")
    in_child("chroot(/tmp)", 161, b"/tmp")
    in_child("open_tree(/, OPEN_TREE_CLONE)", 428, AT_FDCWD, b"/", OPEN_TREE_CLONE)
    in_child("move_mount(/tmp onto /)", 429, AT_FDCWD, b"/tmp", AT_FDCWD, b"/", 0)
    in_child("fsopen(tmpfs)", 430, b"tmpfs", 0)
    in_child("fspick(/)", 433, AT_FDCWD, b"/", 0)
    in_child("mount_setattr(/, clear read-only)", 442, AT_FDCWD, b"/", 0, attr, 32)
    print("mounts afterwards: %s" % ("unchanged" if mounts() == before else "CHANGED: %s" % mounts()))
