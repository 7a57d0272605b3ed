/* 1 GiB of initialised data (written to, so that it stays): the object file the assembler writes
 * would hold all of it. */
static char a[1 << 30] = { 1 };

int main(int argc, char **argv) {
        (void) argv;
        a[argc] = 2;
        return a[argc * 4096];
}
