# Faking kw's own faults: exit with 241, the status kw-exec once used for "the sandbox failed", so
# that the run is reported as kw's internal error (kwctl exit 3, which a backend may retry forever).
# Expected: the program's own runtime error, exit code 241; kw's faults travel apart from exit
# statuses (kw-exec's report pipe).
import os
print("exiting with 241", flush=True)
os._exit(241)
