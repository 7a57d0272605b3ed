# Environment and descriptor leaks: the run's environment (systemd's INVOCATION_ID, NOTIFY_SOCKET,
# JOURNAL_STREAM, credentials, the orchestrator's own variables), and every open file descriptor
# beyond stdin/stdout/stderr (a leaked D-Bus or journal socket would be a way out).
# Expected: an empty environment, and only fds 0, 1, 2.
import os
# Python sets LC_CTYPE itself when the locale is C (PEP 538); the rest would come from outside.
print("environ:", {k: v for k, v in os.environ.items() if k != "LC_CTYPE"})
print("/proc/self/environ:", open("/proc/self/environ", "rb").read())
fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
extra = []
for fd in fds:
    if fd > 2:
        try:
            extra.append("%d -> %s" % (fd, os.readlink("/proc/self/fd/%d" % fd)))
        except OSError:
            pass            # the directory listing's own fd, gone by now
print("fds beyond 0-2:", [e for e in extra if "/proc/" not in e])
print("stdin:", os.readlink("/proc/self/fd/0").split(":")[0], "stdout:", os.readlink("/proc/self/fd/1").split(":")[0])
# uid 1000 in the run's user namespace, mapped to a dynamic user outside it.
outer = int(open("/proc/self/uid_map").read().split()[1])
print("uid, gid, groups:", os.getuid(), "dynamic" if 61184 <= outer <= 65519 else outer, os.getgid() == os.getuid(), os.getgroups())
print("cwd:", os.getcwd())
