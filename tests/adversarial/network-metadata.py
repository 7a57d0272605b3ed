# The cloud metadata service, loopback services and the outside world over TCP, UDP and IPv6.
# Expected: every socket() of AF_INET/AF_INET6 is refused (RestrictAddressFamilies / seccomp:
# EAFNOSUPPORT), and PrivateNetwork= would leave nothing to reach anyway.
import errno, socket

def attempt(name, fam, typ, addr):
    try:
        s = socket.socket(fam, typ)
        s.settimeout(1)
        s.connect(addr)
        if typ == socket.SOCK_DGRAM:
            s.send(b"x")
        print("%s: SUCCEEDED (connected)" % name)
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, e.errno)))

attempt("tcp 169.254.169.254:80 (metadata)", socket.AF_INET, socket.SOCK_STREAM, ("169.254.169.254", 80))
attempt("udp 169.254.169.254:80 (metadata)", socket.AF_INET, socket.SOCK_DGRAM, ("169.254.169.254", 80))
attempt("tcp 127.0.0.1:22 (loopback)", socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 22))
attempt("tcp 127.0.0.1:5432 (loopback db)", socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 5432))
attempt("udp 127.0.0.53:53 (resolver)", socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.53", 53))
attempt("tcp 127.0.0.1:47470 (the suite's honeypot)", socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 47470))
attempt("tcp [::1]:80", socket.AF_INET6, socket.SOCK_STREAM, ("::1", 80))
attempt("tcp [fd00:ec2::254]:80 (metadata v6)", socket.AF_INET6, socket.SOCK_STREAM, ("fd00:ec2::254", 80))
attempt("tcp 1.1.1.1:443 (internet)", socket.AF_INET, socket.SOCK_STREAM, ("1.1.1.1", 443))
try:
    socket.getaddrinfo("example.com", 80)
    print("dns lookup: SUCCEEDED")
except OSError as e:
    print("dns lookup: blocked %s" % type(e).__name__)
