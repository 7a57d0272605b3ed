# Sleeping forever, with SIGALRM and SIGTERM ignored.
# Expected: the wall-clock limit (RuntimeMaxSec) ends it, with SIGKILL: time_limit_exceeded.
import signal, time
for s in (signal.SIGTERM, signal.SIGALRM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, signal.SIG_IGN)
print("sleeping with SIGTERM ignored", flush=True)
time.sleep(3600)
print("woke up: the wall clock did not stop me")
