# Hard-link tricks: link host files and the run's own source into /tmp (so a root-side cleanup
# of /tmp would hit the host file), or link /tmp files over paths outside it.
# Expected: all blocked: EXDEV (the scratch tmpfs is another filesystem), EPERM
# (protected_hardlinks), EROFS; nothing on the host changes (checked by the script).
import errno, os

def attempt(name, f):
    try:
        f()
        print("%s: SUCCEEDED" % name)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, e.errno)))

attempt("link /etc/shadow -> /tmp/shadow", lambda: os.link("/etc/shadow", "/tmp/shadow"))
attempt("link /etc/passwd -> /tmp/passwd", lambda: os.link("/etc/passwd", "/tmp/passwd"))
attempt("link /run/kw/main.py -> /tmp/main.py", lambda: os.link("/run/kw/main.py", "/tmp/main.py"))
attempt("link /usr/bin/su -> /tmp/su", lambda: os.link("/usr/bin/su", "/tmp/su"))
open("/tmp/mine", "w").write("mine")
attempt("link /tmp/mine -> /etc/mine", lambda: os.link("/tmp/mine", "/etc/mine"))
attempt("link /tmp/mine -> /run/kw/mine", lambda: os.link("/tmp/mine", "/run/kw/mine"))
attempt("link /tmp/mine -> /var/lib/mine", lambda: os.link("/tmp/mine", "/var/lib/mine"))
attempt("link /tmp/mine -> /var/tmp/mine (another bind mount)", lambda: os.link("/tmp/mine", "/var/tmp/mine"))
attempt("linkat AT_EMPTY_PATH of an O_TMPFILE into /run/kw",
        lambda: os.link("/proc/self/fd/%d" % os.open("/tmp", os.O_TMPFILE | os.O_WRONLY, 0o600), "/run/kw/tmpfile"))
