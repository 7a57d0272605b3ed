# NUL and every byte value on stdout and stderr, including invalid UTF-8 (lone continuation bytes,
# overlong NUL, surrogates, a truncated sequence at the very end).
# Expected: accepted, and kwctl's result is still valid JSON with U+FFFD for the invalid bytes.
import os
os.write(1, b"begin\x00\n")
os.write(1, bytes(range(256)) + b"\n")
os.write(1, b"overlong:\xc0\x80 surrogate:\xed\xa0\x80 cut:\xe2\x82\n")
os.write(1, "valid: \u00e9\u4e2d\U0001f600\n".encode())
os.write(2, b"stderr \xff\xfe\x00\n")
os.write(1, b"end\xf0\x9f")
