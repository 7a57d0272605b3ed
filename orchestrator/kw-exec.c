/* SPDX-License-Identifier: MIT */
/* kw-exec FILTER PROGRAM [ARG...]: the first process of every run, inside the sandbox. Reads the
 * compiled seccomp program FILTER (a BPF file kwctl or kwd wrote when they loaded the policy), waits
 * for kw's go on stdin, a socket: one byte, 'G', carrying the program's stdout and stderr (SCM_RIGHTS;
 * what follows on stdin is the program's input). Then it loads the filter and execs PROGRAM with ARGs
 * and an empty environment. Applying a ready program costs microseconds; compiling per run is what
 * makes systemd's own allow-list slow. Waiting lets kwd start units before jobs arrive; taking the
 * output pipes from kw, not from systemd, means only the program holds them: their end of file is
 * the program's end. */
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

        /* One byte exactly, with two descriptors: what follows is the program's input. End of
         * input means no job is coming. */
        char go;
        union {
                struct cmsghdr header;
                char buffer[CMSG_SPACE(2 * sizeof(int))];
        } control = {};
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
        if (go != 'G' || (mh.msg_flags & MSG_CTRUNC) || !c || c->cmsg_level != SOL_SOCKET ||
            c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(2 * sizeof(int))) {
                fprintf(stderr, "kw-exec: not a go\n");
                return EXIT_SANDBOX;
        }
        int out[2];
        memcpy(out, CMSG_DATA(c), sizeof(out));
        /* 0, 1 and 2 are taken (stdin, and systemd's /dev/null): the new ones are above. */
        if (out[0] <= STDERR_FILENO || out[1] <= STDERR_FILENO || dup2(out[0], STDOUT_FILENO) < 0 ||
            dup2(out[1], STDERR_FILENO) < 0)
                return die("taking the output pipes");
        close(out[0]);
        close(out[1]);

        struct sock_fprog prog = { .len = (unsigned short) (size / sizeof(struct sock_filter)), .filter = filter };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return die("PR_SET_NO_NEW_PRIVS");
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return die("loading the seccomp filter");
        execve(argv[2], argv + 2, empty);
        return die(argv[2]);
}
