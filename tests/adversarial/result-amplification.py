# Amplifying the result: every case writes its whole output budget of control bytes to stdout and
# to stderr. A JSON result writes each as six bytes ("\u0001"), so 16 cases of 64 KiB each came to
# 12 MiB of result (198 MiB with the default 1 MiB budget), held in kwd and in Redis for an hour.
# Expected: every case judged on its whole output (accepted), the result at most result_bytes of
# output beside the job's own text, each cut field marked.
import os
os.write(2, b"\x01" * 65536)
os.write(1, b"\x01" * 65536)
