# The process group and session a run is born in (job A, then job B in the same cell; ROLE set by
# the suite). A run's init is cloned from kw-exec: unless it makes a session of its own, the program
# is in kw-exec's process group and session, outside its pid namespace, where kill(0, ...) and
# setpriority(PRIO_PGRP, 0, ...) reach every member whatever namespace it is in. Each run prints its
# group and session ids (0: not in its namespace) and its nice value; A then ignores SIGTERM and
# SIGHUP, sends both to its process group, and sets nice 19 for it.
# Expected: group and session are the run's own (ids in its namespace), so neither reaches kw-exec:
# A ends normally, and B, next in the same cell (its kw-exec the same process), has A's nice value
# as A started, not 19.
import errno, os, signal

print("process group %d, session %d, nice %d" % (os.getpgrp(), os.getsid(0), os.getpriority(os.PRIO_PROCESS, 0)),
      flush=True)
if ROLE == "A":
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    for name, f in (("kill(0, SIGTERM)", lambda: os.kill(0, signal.SIGTERM)),
                    ("kill(0, SIGHUP)", lambda: os.kill(0, signal.SIGHUP)),
                    ("setpriority(PRIO_PGRP, 0, 19)", lambda: os.setpriority(os.PRIO_PGRP, 0, 19))):
        try:
            f()
            print("%s: returned 0" % name, flush=True)
        except OSError as e:
            print("%s: %s" % (name, errno.errorcode.get(e.errno, str(e.errno))), flush=True)
