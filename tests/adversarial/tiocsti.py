# TIOCSTI types into a terminal's input queue. A child makes a pty of its own its controlling
# terminal (so the kernel would let it type there) and tries it plainly and with a high bit set in
# the request (0x100005412), which the kernel drops (the request is an unsigned int) but a 64-bit
# seccomp comparison sees as a different request.
# Expected: no pty to be had (the run's /dev has none), or both refused with EPERM; nothing typed.
import ctypes, errno, fcntl, os, select, sys, termios
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
try:
    master, slave = os.openpty()
except OSError as e:
    print("openpty: blocked %s\ntyped into the pty: nothing" % errno.errorcode[e.errno])
    sys.exit(0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    c = ctypes.c_char(b"A")
    for name, request in (("TIOCSTI", 0x5412), ("TIOCSTI | 1 << 32", 0x100005412)):
        ret = libc.syscall(ctypes.c_long(16), ctypes.c_long(slave), ctypes.c_ulong(request), ctypes.byref(c))
        e = ctypes.get_errno()
        os.write(w, ("%s: %s\n" % (name, "SUCCEEDED" if ret == 0 else "blocked " + errno.errorcode.get(e, str(e)))).encode())
    os._exit(0)
os.close(w)
os.waitpid(pid, 0)
print(os.read(r, 4096).decode(), end="")
attr = termios.tcgetattr(slave)
attr[3] &= ~termios.ICANON
termios.tcsetattr(slave, termios.TCSANOW, attr)
typed = os.read(slave, 16) if select.select([slave], [], [], 0.2)[0] else b""
print("typed into the pty: %s" % (typed.decode() if typed else "nothing"))
