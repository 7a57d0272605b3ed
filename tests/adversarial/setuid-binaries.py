# Set-user-ID binaries: su, passwd, mount, umount, chfn, chsh, newgrp, gpasswd, and a set-uid copy
# of our own in /tmp. Expected: NoNewPrivileges= makes the kernel ignore the set-uid bit, so each
# runs as the run's unprivileged uid and fails (or is killed by the seccomp filter); the copy
# cannot get its set-uid bit (RestrictSUIDSGID=, and /tmp is nosuid); no file of the host changes.
import errno, os, shutil, stat, subprocess

status = open("/proc/self/status").read()
print("NoNewPrivs:", [l.split()[1] for l in status.splitlines() if l.startswith("NoNewPrivs")][0])
cmds = [
    ["/usr/bin/su", "-c", "id -u > /tmp/su-ran", "root"],
    ["/usr/bin/passwd", "-d", "root"],
    ["/usr/bin/mount", "-t", "tmpfs", "none", "/tmp"],
    ["/usr/bin/umount", "/tmp"],
    ["/usr/bin/chfn", "-f", "pwned", "root"],
    ["/usr/bin/chsh", "-s", "/bin/sh", "root"],
    ["/usr/bin/newgrp", "root"],
    ["/usr/bin/gpasswd", "-a", "nobody", "root"],
]
for cmd in cmds:
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=0.5)
        how = ("exit %d" % p.returncode) if p.returncode >= 0 else ("signal %d" % -p.returncode)
        print("%s: failed, %s" % (" ".join(cmd[:2]), how) if p.returncode != 0 else
              "%s: SUCCEEDED (exit 0) %r" % (" ".join(cmd[:2]), p.stdout[:80]))
    except subprocess.TimeoutExpired:
        print("%s: failed, hung (killed after 0.5 s)" % " ".join(cmd[:2]))
    except OSError as e:
        print("%s: failed to start %s" % (" ".join(cmd[:2]), errno.errorcode[e.errno]))
print("su ran a command as root:", os.path.exists("/tmp/su-ran"))
shutil.copy("/usr/bin/id", "/tmp/id")
try:
    os.chmod("/tmp/id", 0o4755)
    print("chmod 4755 /tmp/id: SUCCEEDED")
except OSError as e:
    print("chmod 4755 /tmp/id: blocked %s" % errno.errorcode[e.errno])
try:
    os.chmod("/tmp/id", 0o2755)
    print("chmod 2755 /tmp/id: SUCCEEDED")
except OSError as e:
    print("chmod 2755 /tmp/id: blocked %s" % errno.errorcode[e.errno])
out = subprocess.run(["/tmp/id", "-u"], capture_output=True).stdout.decode().strip()
print("/tmp/id -u says root:", out == "0")
print("still unprivileged:", os.geteuid() != 0 and os.getegid() != 0)
