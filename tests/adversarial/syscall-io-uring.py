# io_uring: its operations run in the kernel without passing the seccomp filter, so a ring would
# let a program create sockets of any family (IORING_OP_SOCKET) despite RestrictAddressFamilies=.
# Sets up a ring and, if that works, tries AF_NETLINK, AF_INET and AF_VSOCK sockets through it.
# Expected: io_uring_setup is refused: ENOSYS from kw's filter (libuv falls back on it).
import ctypes, errno, mmap, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

params = ctypes.create_string_buffer(120)
fd = libc.syscall(ctypes.c_long(425), ctypes.c_long(4), params)      # io_uring_setup(4, &params)
if fd < 0:
    e = ctypes.get_errno()
    print("io_uring_setup: blocked %s" % errno.errorcode.get(e, e))
    raise SystemExit(0)
print("io_uring_setup: SUCCEEDED, fd %d" % fd, flush=True)
sq_entries, cq_entries = struct.unpack_from("II", params, 0)
sq_off = struct.unpack_from("IIIIIIIIQ", params, 40)   # head tail mask entries flags dropped array
cq_off = struct.unpack_from("IIIIIIIIQ", params, 80)   # head tail mask entries overflow cqes flags
ring_size = max(sq_off[6] + sq_entries * 4, cq_off[5] + cq_entries * 16)
ring = mmap.mmap(fd, ring_size, offset=0)
sqes = mmap.mmap(fd, sq_entries * 64, offset=0x10000000)

def op_socket(domain, type_, proto):
    tail = struct.unpack_from("I", ring, sq_off[1])[0]
    mask = struct.unpack_from("I", ring, sq_off[2])[0]
    idx = tail & mask
    sqe = bytearray(64)
    struct.pack_into("BBHi", sqe, 0, 45, 0, 0, domain)     # IORING_OP_SOCKET, fd = domain
    struct.pack_into("Q", sqe, 8, type_)                    # off = type
    struct.pack_into("I", sqe, 24, proto)                   # len = protocol
    sqes[idx * 64:(idx + 1) * 64] = bytes(sqe)
    struct.pack_into("I", ring, sq_off[6] + idx * 4, idx)
    struct.pack_into("I", ring, sq_off[1], tail + 1)
    n = libc.syscall(ctypes.c_long(426), ctypes.c_long(fd), ctypes.c_long(1), ctypes.c_long(1),
                     ctypes.c_long(1), None, ctypes.c_long(0))   # io_uring_enter(fd, 1, 1, GETEVENTS)
    if n < 0:
        return "io_uring_enter failed %s" % errno.errorcode.get(ctypes.get_errno())
    head = struct.unpack_from("I", ring, cq_off[0])[0]
    cmask = struct.unpack_from("I", ring, cq_off[2])[0]
    _, res, _ = struct.unpack_from("QiI", ring, cq_off[5] + (head & cmask) * 16)
    struct.pack_into("I", ring, cq_off[0], head + 1)
    return ("SUCCEEDED, socket fd %d (RestrictAddressFamilies bypassed)" % res if res >= 0
            else "blocked %s" % errno.errorcode.get(-res, -res))

for name, args in (("AF_NETLINK route", (16, 3, 0)), ("AF_INET tcp", (2, 1, 0)), ("AF_VSOCK", (40, 1, 0))):
    print("IORING_OP_SOCKET %s: %s" % (name, op_socket(*args)), flush=True)
