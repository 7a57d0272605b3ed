# Memory spread over many children: eight processes of 32 MiB each, each well under the 128 MiB
# limit on its own. Expected: the run's cgroup (MemoryMax) counts them together and the OOM killer
# ends it: memory_limit_exceeded.
import os, time

pids = []
for i in range(8):
    pid = os.fork()
    if pid == 0:
        block = bytearray(32 << 20)
        for j in range(0, len(block), 4096):
            block[j] = 1
        time.sleep(1)
        os._exit(0)
    pids.append(pid)
killed = 0
for pid in pids:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        killed += 1
print("children killed by a signal:", killed, "of", len(pids), flush=True)
