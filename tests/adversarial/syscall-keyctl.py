# Kernel keyrings: add a key to the uid's user keyring. Keys outlive the run: DynamicUser uids are
# reused, so a later run with the same uid could read them, and they stay in the host's kernel
# (it prints its uid as the host knows it; the script then checks /proc/key-users holds no key of it).
# Expected: denied. kw's filter has no @keyring: killed_by_signal SIGSYS.
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("uid %d" % int(open("/proc/self/uid_map").read().split()[1]))
print("calling add_key", flush=True)
r = libc.syscall(ctypes.c_long(248), b"user", b"kw-adversarial", b"secret", ctypes.c_long(6),
                 ctypes.c_long(-4))                      # add_key(..., KEY_SPEC_USER_KEYRING)
e = ctypes.get_errno()
print("add_key to the user keyring: %s" % ("SUCCEEDED, key %d" % r if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))), flush=True)
r = libc.syscall(ctypes.c_long(250), ctypes.c_long(1), b"kw-session")   # KEYCTL_JOIN_SESSION_KEYRING
e = ctypes.get_errno()
print("keyctl join session keyring: %s" % ("SUCCEEDED" if r >= 0 else "blocked " + errno.errorcode.get(e, str(e))))
