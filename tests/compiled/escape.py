# A hostile custom checker. For the input "probe" it tries to change the contestant's output and
# the answer (write, truncate, chmod, unlink, rename), to create a file beside them, to read the
# host's secrets and the checkout, to reach the network and the host's sockets, and to kill every
# process it can (kill -1); then it checks the output is still what it was and equals the answer.
# The first line of stderr is "contained: N attempts blocked", or "ESCAPED: ..." naming each
# attempt that succeeded (exit 1). For the input "forkbomb" every process forks forever, ignoring
# failures: only the run's process limit bounds it, and only its clock ends it.
import os
import signal
import socket
import sys
import time

INPUT, OUTPUT, ANSWER = sys.argv[1:4]

with open(INPUT) as f:
    mode = f.read().strip()
if mode == "forkbomb":
    print("fork bomb", file=sys.stderr, flush=True)
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.05)

escaped = []
blocked = []


def attempt(name, fn):
    try:
        fn()
    except OSError as e:
        blocked.append("%s: %s" % (name, e.__class__.__name__ if e.errno is None else os.strerror(e.errno)))
        return
    escaped.append(name)


def unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)


def tcp(host, port):
    socket.create_connection((host, port), timeout=2)


with open(OUTPUT, "rb") as f:
    before = f.read()
attempt("write the output", lambda: open(OUTPUT, "wb").write(b"42\n"))
attempt("append to the answer", lambda: open(ANSWER, "ab").write(b"42\n"))
attempt("truncate the output", lambda: os.truncate(OUTPUT, 0))
attempt("chmod the output", lambda: os.chmod(OUTPUT, 0o666))
attempt("unlink the output", lambda: os.unlink(OUTPUT))
attempt("rename the answer", lambda: os.rename(ANSWER, "/run/kw/answer.old"))
attempt("create /run/kw/new", lambda: open("/run/kw/new", "w"))
attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("list /root", lambda: os.listdir("/root"))
attempt("list /work", lambda: os.listdir("/work"))
attempt("connect to 1.1.1.1:53", lambda: tcp("1.1.1.1", 53))
attempt("connect to 127.0.0.1:22", lambda: tcp("127.0.0.1", 22))
attempt("connect to systemd's private socket", lambda: unix("/run/systemd/private"))
attempt("connect to the system bus", lambda: unix("/run/dbus/system_bus_socket"))
attempt("connect to kwd's socket", lambda: unix("/run/kwd.sock"))
attempt("kill -1", lambda: os.kill(-1, signal.SIGKILL))
with open(OUTPUT, "rb") as f:
    after = f.read()
with open(ANSWER, "rb") as f:
    answer = f.read()
if after != before:
    escaped.append("the output changed")
if escaped:
    print("ESCAPED: " + ", ".join(escaped), file=sys.stderr)
    print("; ".join(blocked), file=sys.stderr)
    sys.exit(1)
if after != answer:
    print("wrong answer: the output is not the answer", file=sys.stderr)
    sys.exit(1)
print("contained: %d attempts blocked" % len(blocked), file=sys.stderr)
print("; ".join(blocked), file=sys.stderr)
sys.exit(0)
