/* 0.1 + 0.2 with all the digits a double has (0.30000000000000004), then stdin as it is. */
#include <stdio.h>

int main(void) {
        char buf[4096];
        size_t n;
        printf("%.17g\n", 0.1 + 0.2);
        while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
                fwrite(buf, 1, n, stdout);
        return 0;
}
