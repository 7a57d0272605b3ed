# stderr flood: stdout stays quiet, stderr gets an endless stream.
# Expected: the stderr limit stops the run too: output_limit_exceeded.
import sys
print("only line on stdout", flush=True)
while True:
    sys.stderr.write("E" * 8192)
