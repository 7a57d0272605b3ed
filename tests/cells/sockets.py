# Unix sockets left behind (job A, then job B in the same cell; ROLE set by the suite). A binds an
# abstract stream socket, a path socket in /tmp and an abstract datagram socket, proves each works,
# and leaves them listening in a daemon (double fork, setsid) as it exits.
# Expected: B cannot connect to either stream socket (the abstract one refused, the path gone) nor
# send to the datagram one, and may bind the abstract name itself: it is free.
import errno, os, select, socket

ABSTRACT = b"\0kw-cells-abstract"
DGRAM = b"\0kw-cells-dgram"
PATH = "/tmp/kw-cells.sock"


def attempt(name, f):
    try:
        f()
        print("%s: ok" % name, flush=True)
    except OSError as e:
        print("%s: %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)


def connect(addr):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(addr)


def send(addr):
    socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"hello", addr)


if ROLE == "A":
    listeners = []
    for addr, kind in ((ABSTRACT, socket.SOCK_STREAM), (PATH, socket.SOCK_STREAM), (DGRAM, socket.SOCK_DGRAM)):
        s = socket.socket(socket.AF_UNIX, kind)
        s.bind(addr)
        if kind == socket.SOCK_STREAM:
            s.listen(16)
        listeners.append(s)
    print("bound @kw-cells-abstract, %s and @kw-cells-dgram" % PATH, flush=True)
    attempt("connect @kw-cells-abstract", lambda: connect(ABSTRACT))
    attempt("connect " + PATH, lambda: connect(PATH))
    attempt("send @kw-cells-dgram", lambda: send(DGRAM))
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(w)
            # Holds the sockets and answers whoever comes, until the run's end kills it.
            while True:
                for s in select.select(listeners, [], [])[0]:
                    if s.type == socket.SOCK_STREAM:
                        s.accept()[0].close()
                    else:
                        s.recv(64)
        os._exit(0)
    os.close(w)
    os.read(r, 1)  # end of file: the middle process has exited, the daemon closed its end
    print("left listening in a daemon", flush=True)
else:
    attempt("connect @kw-cells-abstract", lambda: connect(ABSTRACT))
    attempt("connect " + PATH, lambda: connect(PATH))
    attempt("send @kw-cells-dgram", lambda: send(DGRAM))
    attempt("bind @kw-cells-abstract", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(ABSTRACT))
