# Deep recursion through C frames (each level goes through the builtin sorted()), with the
# recursion limit lifted so Python's own check never fires: the 8 MiB C stack overflows.
# Expected: the kernel kills the interpreter with SIGSEGV: killed_by_signal SIGSEGV.
import sys
sys.setrecursionlimit(10 ** 9)
depth = 0
def down(_=None):
    global depth
    depth += 1
    if depth % 1000 == 0:
        print("depth", depth, flush=True)
    return sorted([0], key=down)
down()
