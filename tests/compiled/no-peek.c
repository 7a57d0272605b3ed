/* A contestant that looks for its checker's files: /run/kw/answer, output and input must not exist
 * in a test run, whose /run/kw holds the program alone. Prints what it found, one line each. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
        static const char *const files[] = { "/run/kw/answer", "/run/kw/output", "/run/kw/input" };
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
                printf("%s: %s\n", files[i], access(files[i], F_OK) == 0 ? "present" : strerrorname_np(errno));
        DIR *d = opendir("/run/kw");
        if (!d) {
                printf("/run/kw: %s\n", strerrorname_np(errno));
                return 0;
        }
        printf("/run/kw:");
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        printf(" %s", e->d_name);
        printf("\n");
        closedir(d);
        return 0;
}
