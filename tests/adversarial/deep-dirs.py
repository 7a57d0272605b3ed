# Deep directories: nest directories in /tmp as deep as the tmpfs allows (far beyond PATH_MAX),
# beside a symlink loop and a FIFO, and leave it all for the orchestrator.
# Expected: the inode bound stops it (ENOSPC), the run ends normally, and the scratch tmpfs is
# detached whole afterwards, never walked (the script checks /run/kw and the mounts).
import errno, os
os.chdir("/tmp")
os.symlink("loop", "loop")
os.mkfifo("fifo")
os.symlink("/tmp", "d-self")
print("left a symlink loop, a FIFO and a link to /tmp in /tmp")
depth = 0
try:
    while True:
        os.mkdir("d")
        os.chdir("d")
        depth += 1
except OSError as e:
    print("%s at depth %d" % (errno.errorcode[e.errno], depth))
print("path length about %d bytes (PATH_MAX is 4096)" % (depth * 2 + 4))
