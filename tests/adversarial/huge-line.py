# One huge line: 64 MiB in a single write, no newline anywhere.
# Expected: output_limit_exceeded after output_bytes; the rest never reaches the journal.
import os
line = b"L" * (64 << 20)
written = 0
try:
    while written < len(line):
        written += os.write(1, line[written:])
except OSError as e:
    pass
os.write(2, b"wrote %d bytes of one line\n" % written)
