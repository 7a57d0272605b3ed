# Blocking on input that never comes: reads stdin to its end, then blocks on a pipe of its own
# whose write end it keeps open.
# Expected: the wall-clock limit ends it: time_limit_exceeded.
import os, sys
data = sys.stdin.read()
print("stdin gave %d bytes, then EOF; now blocking on a pipe" % len(data), flush=True)
r, w = os.pipe()
os.read(r, 1)
print("read returned: the wall clock did not stop me")
