# Socket families beyond the network: raw IP, packet, netlink (routing, audit, uevents), vsock to
# the hypervisor, Bluetooth, CAN, alg (kernel crypto), XDP, and UDP-lite.
# Expected: every socket() other than AF_UNIX fails with EAFNOSUPPORT (seccomp, or
# RestrictAddressFamilies=AF_UNIX).
import errno, socket
tries = [
    ("AF_INET SOCK_RAW icmp", 2, 3, 1),
    ("AF_INET6 SOCK_RAW", 10, 3, 58),
    ("AF_PACKET SOCK_RAW", 17, 3, 0x0300),
    ("AF_NETLINK route", 16, 3, 0),
    ("AF_NETLINK audit", 16, 3, 9),
    ("AF_NETLINK kobject_uevent", 16, 2, 15),
    ("AF_VSOCK stream", 40, 1, 0),
    ("AF_BLUETOOTH", 31, 3, 0),
    ("AF_CAN", 29, 3, 1),
    ("AF_ALG", 38, 5, 0),
    ("AF_XDP", 44, 3, 0),
    ("AF_KEY", 15, 3, 2),
    ("AF_INET udplite", 2, 2, 136),
]
for name, fam, typ, proto in tries:
    try:
        s = socket.socket(fam, typ, proto)
        print("%s: SUCCEEDED fd %d" % (name, s.fileno()))
    except OSError as e:
        print("%s: blocked %s" % (name, errno.errorcode.get(e.errno, e.errno)))
s = socket.socketpair()
print("AF_UNIX socketpair: allowed (fds %d, %d)" % (s[0].fileno(), s[1].fileno()))
