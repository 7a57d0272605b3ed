# CPU burnt by threads that drop the GIL (hashlib on large buffers) and by a child process.
# Expected: the CPU-time limit (RLIMIT_CPU for the process, and the cgroup's CPU time) ends the
# run: time_limit_exceeded.
import hashlib, os, threading
block = b"x" * (1 << 20)
def burn():
    while True:
        hashlib.sha256(block).digest()
for _ in range(4):
    threading.Thread(target=burn, daemon=True).start()
if os.fork() == 0:
    burn()
print("4 threads and a child spinning", flush=True)
burn()
