/* SPDX-License-Identifier: MIT */
/* kw-exec FILTER PROGRAM [ARG...]: the first process of every run, inside the sandbox. Loads the
 * compiled seccomp program FILTER (a BPF file kwctl or kwd wrote when they loaded the policy), waits
 * for kw's go (one byte, 'G', on stdin, a socket: the rest of stdin is the program's input), then
 * execs PROGRAM with ARGs and an empty environment. Applying a ready program costs microseconds;
 * compiling per run is what makes systemd's own allow-list slow. Waiting lets kwd start units before
 * jobs arrive.
 *
 * The go carries a pipe (SCM_RIGHTS) on which kw-exec reports, out of band: 'R' once it has its go,
 * then, if exec fails, the errno. The pipe is O_CLOEXEC: the program never holds it, so no exit
 * status or signal of the program can pass for a failure of kw's. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* In systemd's reserved range (200-243): kw reports a run that ends so as a sandbox failure. */
#define EXIT_SANDBOX 241
#define MAX_FILTER (64 * 1024 * sizeof(struct sock_filter))

static int die(const char *what) {
        fprintf(stderr, "kw-exec: %s: %m\n", what);
        return EXIT_SANDBOX;
}

int main(int argc, char *argv[]) {
        static struct sock_filter filter[MAX_FILTER / sizeof(struct sock_filter)];
        char *empty[] = { NULL };
        size_t size = 0;

        if (argc < 3) {
                fprintf(stderr, "usage: kw-exec FILTER PROGRAM [ARG...]\n");
                return EXIT_SANDBOX;
        }
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return die(argv[1]);
        for (;;) {
                ssize_t n = read(fd, (char *) filter + size, sizeof(filter) - size);
                if (n < 0)
                        return die(argv[1]);
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size == sizeof(filter)) {
                        fprintf(stderr, "kw-exec: %s: too large\n", argv[1]);
                        return EXIT_SANDBOX;
                }
        }
        close(fd);
        if (size == 0 || size % sizeof(struct sock_filter) != 0) {
                fprintf(stderr, "kw-exec: %s: not a BPF program\n", argv[1]);
                return EXIT_SANDBOX;
        }

        struct sock_fprog prog = { .len = (unsigned short) (size / sizeof(struct sock_filter)), .filter = filter };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return die("PR_SET_NO_NEW_PRIVS");
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return die("loading the seccomp filter");

        /* One byte exactly: what follows is the program's. End of input means no job is coming. */
        char go;
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = &go, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        ssize_t n;
        do
                n = recvmsg(STDIN_FILENO, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n == 0)
                return 0;
        if (n < 0)
                return die("waiting for the go");
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int report = -1;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                memcpy(&report, CMSG_DATA(c), sizeof(int));
        if (go != 'G' || report < 0) {
                fprintf(stderr, "kw-exec: not a go: 0x%02x%s\n", (unsigned char) go, report < 0 ? " without its pipe" : "");
                return EXIT_SANDBOX;
        }
        if (write(report, "R", 1) != 1)
                return die("reporting the go");
        execve(argv[2], argv + 2, empty);
        int e = errno;
        (void) !write(report, &e, sizeof(e));
        return die(argv[2]);
}
