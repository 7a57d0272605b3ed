# What a run's root holds (tests/cells.sh compares it with the language's policy): the listings of /,
# /etc, /var, /run, /run/kw and /dev, which of a list of host paths exist, and who the program is —
# pid, parent, uid, gid, capabilities, no_new_privs, seccomp, cwd, environment — as one JSON object.
# Expected: only what the policy's root key names, /dev, /proc, /tmp, /var/tmp and /run/kw/<source>;
# uid 1000, no capability, an empty environment, cwd /tmp, pid 2 under init.
import errno, json, os

PROBED = ("/opt", "/srv", "/home", "/root", "/boot", "/mnt", "/media", "/sys", "/var/lib", "/var/log",
          "/var/cache", "/var/spool", "/var/run", "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hostname",
          "/etc/hosts", "/etc/resolv.conf", "/etc/machine-id", "/etc/systemd", "/run/systemd", "/run/dbus",
          "/run/kw-exec", "/run/kw-private", "/run/kwd.sock", "/dev/mqueue", "/dev/pts", "/dev/tty",
          "/dev/console", "/dev/kmsg")


def listing(d):
    try:
        return sorted(os.listdir(d))
    except OSError as e:
        return "error " + errno.errorcode.get(e.errno, str(e.errno))


status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(json.dumps({
    "listings": {d: listing(d) for d in ("/", "/etc", "/var", "/run", "/run/kw", "/dev")},
    "exists": [p for p in PROBED if os.path.lexists(p)],
    "pid": os.getpid(), "ppid": os.getppid(), "uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd(),
    "environ": {k: v for k, v in os.environ.items() if k != "LC_CTYPE"},  # Python's own (PEP 538)
    "status": {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")},
}))
