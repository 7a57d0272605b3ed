# Files left behind (tests/cells.sh runs this as job A, then as job B in the same cell; the suite puts
# ROLE = "A" or "B" in a first line). Each run prints the state of its writable places — /tmp,
# /var/tmp and /dev/shm, one tmpfs — as it finds them. A then plants files, a hidden one, a directory,
# a fifo and a symlink in each, takes their modes away, and tries to write everywhere else: the root,
# /run/kw and its source, /etc, /usr, /var, /dev, /proc.
# Expected: A's attempts outside the three places all fail (EROFS, EACCES); B finds the places
# exactly as A found them, empty.
import errno, os

PLACES = ("/tmp", "/var/tmp", "/dev/shm")


def state():
    for d in PLACES:
        st, sv = os.stat(d), os.statvfs(d)
        print("state %s: mode %o uid %d, entries %s, blocks free %d of %d, inodes free %d of %d" % (
            d, st.st_mode, st.st_uid, sorted(os.listdir(d)), sv.f_bfree, sv.f_blocks, sv.f_ffree, sv.f_files),
            flush=True)


def attempt(name, f):
    try:
        f()
        print("%s: SUCCEEDED" % name, flush=True)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)


def create(path):
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))


state()
if ROLE == "A":
    for d in PLACES:
        with open(d + "/kw-planted", "w") as f:
            f.write("planted by run A\n" * 4096)
        open(d + "/.kw-hidden", "w").close()
        os.mkdir(d + "/kw-dir")
        open(d + "/kw-dir/inner", "w").close()
        os.mkfifo(d + "/kw-fifo")
        os.symlink("/run/kw/main.py", d + "/kw-link")
        print("planted %s: %s" % (d, sorted(os.listdir(d))), flush=True)
    # Last, so that the listings above could still be read.
    for d in PLACES:
        os.chmod(d, 0o700)
    for path in ("/kw-planted", "/run/kw-planted", "/run/kw/kw-planted", "/etc/kw-planted", "/usr/kw-planted",
                 "/usr/bin/kw-planted", "/var/kw-planted", "/dev/kw-planted", "/proc/kw-planted"):
        attempt("create " + path, lambda path=path: create(path))
    attempt("mkdir /kw-dir", lambda: os.mkdir("/kw-dir"))
    attempt("write /run/kw/main.py", lambda: os.close(os.open("/run/kw/main.py", os.O_WRONLY | os.O_TRUNC)))
    attempt("chmod /run/kw/main.py", lambda: os.chmod("/run/kw/main.py", 0o666))
    attempt("rename /run/kw/main.py", lambda: os.rename("/run/kw/main.py", "/run/kw/moved.py"))
    attempt("write /usr/bin/python3", lambda: os.close(os.open("/usr/bin/python3", os.O_WRONLY)))
    attempt("write /proc/sys/kernel/hostname", lambda: open("/proc/sys/kernel/hostname", "w").write("kw-planted"))
