# The 32-bit system call ABI from a 64-bit process: machine code that runs getpid (i386 number 20)
# through int 0x80, called via ctypes from an executable mapping. A filter written for x86_64
# numbers would misread i386 ones (20 is writev there).
# Expected: SystemCallArchitectures=native and kw's filter kill it: killed_by_signal SIGSYS.
import ctypes, mmap
code = bytes([0xb8, 20, 0, 0, 0,      # mov eax, 20  (i386 getpid)
              0xcd, 0x80,             # int 0x80
              0xc3])                  # ret
buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
fn = ctypes.CFUNCTYPE(ctypes.c_int)(addr)
print("calling int 0x80 getpid", flush=True)
r = fn()
print("int 0x80 getpid: SUCCEEDED, returned %d" % r)
