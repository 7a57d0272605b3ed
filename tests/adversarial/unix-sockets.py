# Unix sockets out of the sandbox: abstract names (they live in the network namespace, so a host
# listener would be reachable without PrivateNetwork=), and the host's path sockets: the system
# bus, systemd's private socket, journald, kwd. The suite runs an abstract listener
# "@kw-adversarial-host" and a TCP one on 127.0.0.1:47470 on the host as honeypots and checks they
# were never reached.
# Expected: abstract connects refused (ECONNREFUSED: another namespace), path sockets absent
# (ENOENT: /run is an empty tmpfs); binding an abstract name of its own is allowed and harmless.
import errno, socket

def attempt(name, addr):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect(addr)
        print("%s: SUCCEEDED (connected)" % name)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, e.errno)))

attempt("abstract @kw-adversarial-host (honeypot)", "\0kw-adversarial-host")
attempt("abstract @/org/freedesktop/systemd1/notify", "\0/org/freedesktop/systemd1/notify")
for path in ("/run/dbus/system_bus_socket", "/run/systemd/private", "/run/systemd/journal/socket",
             "/run/systemd/journal/stdout", "/run/systemd/notify", "/run/kwd.sock",
             "/run/systemd/journal.kw/socket", "/var/run/dbus/system_bus_socket",
             "/run/kw-private/journal-socket"):
    attempt(path, path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0kw-adversarial-host")
s.listen(1)
print("bound @kw-adversarial-host in its own namespace: allowed")
try:
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d.sendto(b"<3>kw: forged log line", "/dev/log")
    print("/dev/log: SUCCEEDED (sent)")
except OSError as e:
    print("/dev/log: blocked %s" % errno.errorcode.get(e.errno, e.errno))
