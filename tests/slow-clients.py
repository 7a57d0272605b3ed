#!/usr/bin/env python3
"""Clients of kwd's socket that never finish their request, for tests/daemon.sh.

  slow-clients.py SOCKET N BYTES SECONDS
  slow-clients.py SOCKET noread JOB SECONDS

The first opens N connections, sends each "submit\\n" and BYTES bytes of a job that never ends (and never shuts
down its side), then waits up to SECONDS for answers. Prints one line per client: its answer's first
line ("STATUS MESSAGE"), or "none" if it got none, or "closed" if kwd closed without one. With
BYTES = 0 the clients send nothing after "submit\\n". The second submits the job in the file JOB
whole and then does not read its answer for SECONDS; it prints "dropped" if kwd closed the
connection by then (what had been sent of the answer, then the end), else "kept"."""
import select, socket, sys, time

if sys.argv[2] == "noread":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(sys.argv[1])
    s.sendall(b"submit\n" + open(sys.argv[3], "rb").read())
    s.shutdown(socket.SHUT_WR)
    time.sleep(float(sys.argv[4]))
    s.setblocking(False)
    got, end = 0, False
    try:
        while True:
            data = s.recv(1 << 20)
            if not data:
                end = True
                break
            got += len(data)
    except BlockingIOError:
        pass
    except OSError:
        end = True
    print("dropped" if end else "kept")
    sys.exit(0)

path, n, size, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
clients = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    clients.append([s, b"submit\n" + b'{"code": "' + b"x" * size, b"", False])
end = time.monotonic() + seconds
while time.monotonic() < end and not all(c[3] for c in clients):
    r = [c[0] for c in clients if not c[3]]
    w = [c[0] for c in clients if c[1] and not c[3]]
    rr, ww, _ = select.select(r, w, [], 0.1)
    for c in clients:
        if c[0] in ww:
            try:
                c[1] = c[1][c[0].send(c[1]):]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                c[1] = b""
        if c[0] in rr:
            try:
                data = c[0].recv(65536)
            except OSError:
                data = b""
            c[2] += data
            if not data:
                c[3] = True
for c in clients:
    print(c[2].split(b"\n")[0].decode() if c[2] else ("closed" if c[3] else "none"))
