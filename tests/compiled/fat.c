/* A program of 40 MiB (initialised data, read through argc so the compiler keeps it): its file
 * alone is more than a 32 MiB memory limit. */
#include <stdio.h>

char fat[40 << 20] = { 1 };

int main(int argc, char **argv) {
        (void) argv;
        printf("%d\n", fat[argc - 1]);
        return 0;
}
