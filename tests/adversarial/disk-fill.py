# Disk fill: write /tmp, /var/tmp and /dev/shm full, in files below the file size limit.
# Expected: ENOSPC at the run's own tmpfs size (8 MiB here), shared by the three directories; the
# host's disk is never touched.
import errno, os
total = 0
for d in ("/tmp", "/var/tmp", "/dev/shm"):
    i = 0
    try:
        while True:
            with open("%s/fill%d" % (d, i), "wb") as f:
                for _ in range(16):
                    f.write(b"x" * (256 << 10))
                    total += 256 << 10
            i += 1
    except OSError as e:
        print("%s: %s after %d MiB in all" % (d, errno.errorcode[e.errno], total >> 20))
st = os.statvfs("/tmp")
print("tmpfs size %d MiB" % (st.f_blocks * st.f_frsize >> 20))
