# chown of a file it owns to root, and to another uid: a root-owned file in a place a root-side
# process reads is the start of many privilege escalations.
# Expected: kw's filter has no @chown: killed_by_signal SIGSYS.
import errno, os
open("/tmp/f", "w").close()
print("calling chown(/tmp/f, 0, 0)", flush=True)
try:
    os.chown("/tmp/f", 0, 0)
    print("chown to root: SUCCEEDED")
except OSError as e:
    print("chown to root: blocked %s" % errno.errorcode[e.errno])
