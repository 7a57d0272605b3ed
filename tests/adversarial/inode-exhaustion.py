# Inode exhaustion: empty files in /tmp until the tmpfs refuses.
# Expected: ENOSPC at the scratch tmpfs' inode bound (nr_inodes), long before the host notices.
import errno, os
n = 0
try:
    while True:
        os.close(os.open("/tmp/i%d" % n, os.O_CREAT | os.O_WRONLY, 0o600))
        n += 1
except OSError as e:
    print("%s after %d files" % (errno.errorcode[e.errno], n))
st = os.statvfs("/tmp")
print("inodes total %d, free %d" % (st.f_files, st.f_ffree))
