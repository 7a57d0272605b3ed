/* SPDX-License-Identifier: MIT */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp-policy.h"
#include "test-helpers.h"

static const struct {
        const char *text;
        const char *error;      /* NULL: parses, into n_rules rules */
        size_t n_rules;
} parse_cases[] = {
        { "[all]\nallow read write\n", NULL, 2 },
        { "# c\n\n[all]\nallow read # trailing\n[python]\nallow getpid\n", NULL, 2 },
        { "[all]\nallow clone if arg0 & 0x7e020000 == 0\n", NULL, 1 },
        { "[all]\nerrno EPERM unshare setns\n", NULL, 2 },
        { "[all]\nerrno EAFNOSUPPORT socket if arg0 != 1\nallow socket if arg0 == 1\n", NULL, 2 },
        { "[all]\nallow read if arg2 <= 4096\nallow read if arg2 > 0x1000\n", NULL, 2 },
        { "allow read\n", "seccomp.conf:1: rule before any [section]", 0 },
        { "[all]\nallow read nosuchcall\n", "seccomp.conf:2: unknown system call 'nosuchcall'", 0 },
        { "[all]\nallow socketcall\n", "seccomp.conf:2: unknown system call 'socketcall'", 0 },
        { "[all]\ndeny read\n", "seccomp.conf:2: expected 'allow', 'errno' or 'noop', got 'deny'", 0 },
        { "[all]\nerrno EWHAT read\n", "seccomp.conf:2: unknown errno 'EWHAT'", 0 },
        { "[all]\nerrno EPERM\n", "seccomp.conf:2: expected 'errno ERRNO NAME...'", 0 },
        { "[all]\nallow\n", "seccomp.conf:2: no system call named", 0 },
        { "[all]\nallow if arg0 == 1\n", "seccomp.conf:2: no system call named", 0 },
        { "[all]\nallow read if\n", "seccomp.conf:2: expected 'argN OP VALUE' after 'if'", 0 },
        { "[all]\nallow read if arg6 == 1\n", "seccomp.conf:2: expected 'argN OP VALUE' after 'if'", 0 },
        { "[all]\nallow read if arg0 =~ 1\n", "seccomp.conf:2: unknown operator '=~'", 0 },
        { "[all]\nallow read if arg0 == x\n", "seccomp.conf:2: bad number 'x'", 0 },
        { "[all]\nallow read if arg0 == -1\n", "seccomp.conf:2: bad number '-1'", 0 },
        /* A masked "!=" is one rule per bit of the mask. */
        { "[all]\nallow ioctl if arg1 & 0xffffffff != 0x5412\n", NULL, 32 },
        { "[all]\nallow read if arg0 & 0x5 != 1\n", NULL, 2 },
        { "[all]\nnoop fsync sync\n", NULL, 2 },
        /* Conditions on several arguments; a masked "!=" among them is expanded on its own. */
        { "[all]\nallow prctl if arg0 == 1 and arg1 < 31\n", NULL, 1 },
        { "[all]\nallow fcntl if arg1 & 0xff == 10 and arg2 & 0xf != 3\n", NULL, 4 },
        { "[all]\nallow read if arg0 == 1 and arg0 == 2\n", "seccomp.conf:2: arg0 is compared twice", 0 },
        { "[all]\nallow read if arg0 & 1 != 0 and arg1 & 1 != 0\n", "seccomp.conf:2: more than one '& MASK !=' condition", 0 },
        { "[all]\nallow read if arg0 == 1 and\n", "seccomp.conf:2: expected a condition after 'and'", 0 },
        { "[all]\nallow read if and arg0 == 1\n", "seccomp.conf:2: expected 'argN OP VALUE' after 'if'", 0 },
        { "[all]\nallow read if arg0 & 1 != 2\n", "seccomp.conf:2: '& 1 != 2': the value has bits outside the mask", 0 },
        { "[all]\nallow read if arg0 & 0 == 0\n", "seccomp.conf:2: '& 0 == 0': the value has bits outside the mask", 0 },
        { "[all]\nallow read if arg0 & 1 < 0\n", "seccomp.conf:2: expected 'argN OP VALUE' or 'argN & MASK ==|!= VALUE'", 0 },
        { "[all\nallow read\n", "seccomp.conf:1: bad section header '[all'", 0 },
};

static void test_parse(size_t i) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = NULL;
        _cleanup_free_ char *error = NULL;

        test_case_begin("parse %zu", i);
        int r = seccomp_policy_parse(parse_cases[i].text, "seccomp.conf", &p, &error);
        if (!parse_cases[i].error) {
                ASSERT_OK(r);
                ASSERT_U64_EQ(p->n_rules, parse_cases[i].n_rules);
        } else {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, parse_cases[i].error);
        }
}

static void test_sections(void) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = NULL;
        _cleanup_free_ char *error = NULL;
        char *known[] = { (char *) "python", NULL };

        ASSERT_OK(seccomp_policy_parse("[all]\nallow read\n[python]\nallow write\n[ruby]\nallow getpid\n", "s", &p, &error));
        ASSERT_TRUE(seccomp_policy_has_section(p, "python"));
        ASSERT_TRUE(!seccomp_policy_has_section(p, "javascript"));
        ASSERT_STR_EQ(seccomp_policy_first_unknown_section(p, known), "ruby");
}

static int load_filter(const void *bpf, size_t size) {
        struct sock_fprog prog = { .len = (unsigned short) (size / sizeof(struct sock_filter)),
                                   .filter = (struct sock_filter *) bpf };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return -errno;
        return 0;
}

/* What a system call does under the compiled policy, in a child: "ok", "-ERRNO", or "SIGSYS". */
typedef long (*Probe)(void);

static long probe_getpid(void) { return syscall(SYS_getpid); }
static long probe_io_uring(void) { return syscall(SYS_io_uring_setup, 1, NULL); }
static long probe_unshare(void) { return syscall(SYS_unshare, 0x10000000); }
static long probe_inet(void) { return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0); }
static long probe_unix(void) { return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0); }
static long probe_keyctl(void) { return syscall(SYS_keyctl, 0, 0, 0, 0, 0); }
static long probe_ptrace(void) { return syscall(SYS_ptrace, 0, 0, 0, 0); }
static long probe_bpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
static long probe_clone_newuser(void) { return syscall(SYS_clone, 0x10000000 | SIGCHLD, 0, 0, 0, 0); }
static long probe_clone3(void) { return syscall(SYS_clone3, NULL, 0); }
static long probe_tiocsti(void) { return syscall(SYS_ioctl, 0, 0x5412, "x"); }
/* The kernel reads the request's low 32 bits: this is TIOCSTI too. */
static long probe_tiocsti_high(void) { return syscall(SYS_ioctl, 0, 0x100005412UL, "x"); }
static long probe_tcgets(void) { return syscall(SYS_ioctl, -1, 0x5401, NULL); }
/* On a descriptor that is not open: a real call fails (EBADF), one that does nothing succeeds. */
static long probe_fsync(void) { return syscall(SYS_fsync, -1); }
static long probe_fdatasync(void) { return syscall(SYS_fdatasync, -1); }
static long probe_syncfs(void) { return syscall(SYS_syncfs, -1); }
static long probe_sync_file_range(void) { return syscall(SYS_sync_file_range, -1, 0, 0, 0); }
/* An unaligned address: a real msync fails (EINVAL). */
static long probe_msync(void) { return syscall(SYS_msync, 1, 4096, 4 /* MS_SYNC */); }
static long probe_io_setup(void) { return syscall(SYS_io_setup, 1, NULL); }
/* SIGSYS may come only from a filter: the program can neither send it nor have it sent. */
static long probe_kill_sigsys(void) { return syscall(SYS_kill, getpid(), SIGSYS); }
static long probe_kill_sigsys_high(void) { return syscall(SYS_kill, getpid(), 0x100000000UL | SIGSYS); }
static long probe_kill_0(void) { return syscall(SYS_kill, getpid(), 0); }
static long probe_tgkill_sigsys(void) { return syscall(SYS_tgkill, getpid(), gettid(), SIGSYS); }
static long probe_sigqueue_sigsys(void) { return syscall(SYS_rt_sigqueueinfo, getpid(), SIGSYS, NULL); }
static long probe_pdeathsig_sigsys(void) { return syscall(SYS_prctl, 1 /* PR_SET_PDEATHSIG */, SIGSYS, 0, 0, 0); }
static long probe_pdeathsig_sigkill(void) { return syscall(SYS_prctl, 1, SIGKILL, 0, 0, 0); }
static long probe_f_setsig_sigsys(void) { return syscall(SYS_fcntl, 0, 10 /* F_SETSIG */, SIGSYS); }
static long probe_timer_sigevent(void) {
        struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGSYS };
        timer_t t;
        return syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &t);
}
static long probe_timer_default(void) {
        timer_t t;
        return syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &t);
}
static long probe_clone_exit_sigsys(void) { return syscall(SYS_clone, SIGSYS, 0, 0, 0, 0); }
static long probe_personality(void) { return syscall(SYS_personality, 0x0040000); }
static long probe_pkey(void) { return syscall(SYS_pkey_free, -1); }
static long probe_x32(void) { return syscall(SYS_getpid | 0x40000000); }

static const struct {
        const char *name;
        Probe probe;
        const char *python;
        const char *javascript;
} probes[] = {
        { "getpid", probe_getpid, "ok", "ok" },
        { "io_uring_setup", probe_io_uring, "-ENOSYS", "-ENOSYS" },
        { "unshare(CLONE_NEWUSER)", probe_unshare, "-EPERM", "-EPERM" },
        { "socket(AF_INET)", probe_inet, "-EAFNOSUPPORT", "-EAFNOSUPPORT" },
        { "socket(AF_UNIX)", probe_unix, "ok", "ok" },
        { "keyctl", probe_keyctl, "SIGSYS", "SIGSYS" },
        { "ptrace", probe_ptrace, "SIGSYS", "SIGSYS" },
        { "bpf", probe_bpf, "SIGSYS", "SIGSYS" },
        { "clone(CLONE_NEWUSER)", probe_clone_newuser, "SIGSYS", "SIGSYS" },
        { "clone3", probe_clone3, "-ENOSYS", "-ENOSYS" },
        { "ioctl(TIOCSTI)", probe_tiocsti, "-EPERM", "-EPERM" },
        { "ioctl(TIOCSTI | 1 << 32)", probe_tiocsti_high, "-EPERM", "-EPERM" },
        { "ioctl(-1, TCGETS)", probe_tcgets, "-EBADF", "-EBADF" },
        { "fsync(-1)", probe_fsync, "ok", "ok" },
        { "fdatasync(-1)", probe_fdatasync, "ok", "ok" },
        { "syncfs(-1)", probe_syncfs, "ok", "ok" },
        { "sync_file_range(-1)", probe_sync_file_range, "ok", "ok" },
        { "msync(unaligned)", probe_msync, "ok", "ok" },
        { "io_setup", probe_io_setup, "-ENOSYS", "-ENOSYS" },
        { "kill(self, SIGSYS)", probe_kill_sigsys, "-EPERM", "-EPERM" },
        { "kill(self, SIGSYS | 1 << 32)", probe_kill_sigsys_high, "-EPERM", "-EPERM" },
        { "kill(self, 0)", probe_kill_0, "ok", "ok" },
        { "tgkill(self, SIGSYS)", probe_tgkill_sigsys, "-EPERM", "-EPERM" },
        { "rt_sigqueueinfo(self, SIGSYS)", probe_sigqueue_sigsys, "-EPERM", "-EPERM" },
        { "prctl(PR_SET_PDEATHSIG, SIGSYS)", probe_pdeathsig_sigsys, "-EPERM", "-EPERM" },
        { "prctl(PR_SET_PDEATHSIG, SIGKILL)", probe_pdeathsig_sigkill, "ok", "ok" },
        { "fcntl(F_SETSIG, SIGSYS)", probe_f_setsig_sigsys, "-EPERM", "-EPERM" },
        { "timer_create(a sigevent)", probe_timer_sigevent, "-EPERM", "-EPERM" },
        { "timer_create(NULL)", probe_timer_default, "ok", "ok" },
        { "clone(exit signal SIGSYS)", probe_clone_exit_sigsys, "SIGSYS", "SIGSYS" },
        { "personality(ADDR_NO_RANDOMIZE)", probe_personality, "SIGSYS", "SIGSYS" },
        { "pkey_free(-1)", probe_pkey, "SIGSYS", "-EINVAL" },
        { "x32 getpid", probe_x32, "SIGSYS", "SIGSYS" },
};

static void probe_language(const SeccompPolicy *p, const char *language, size_t i) {
        _cleanup_free_ void *bpf = NULL;
        _cleanup_free_ char *error = NULL;
        size_t size;
        char got[32], name[32];
        int status;

        test_case_begin("%s under the %s policy", probes[i].name, language);
        ASSERT_OK(seccomp_policy_compile(p, language, &bpf, &size, &error));
        ASSERT_TRUE(size > 0 && size % sizeof(struct sock_filter) == 0);
        /* valgrind cannot run a process under a seccomp filter of its own. */
        const char *preload = getenv("LD_PRELOAD");
        if (preload && strstr(preload, "vgpreload")) {
                test_skip("under valgrind");
                return;
        }

        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (load_filter(bpf, size) < 0)
                        _exit(100);
                long r = probes[i].probe();
                /* A success is 0; a failure its errno (< 100). */
                _exit(r >= 0 ? 0 : errno);
        }
        ASSERT_TRUE(waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status))
                snprintf(got, sizeof(got), "%s", WTERMSIG(status) == SIGSYS ? "SIGSYS" : "other signal");
        else if (WEXITSTATUS(status) == 0)
                snprintf(got, sizeof(got), "ok");
        else if (WEXITSTATUS(status) == 100)
                snprintf(got, sizeof(got), "filter not loaded");
        else
                snprintf(got, sizeof(got), "%s", test_errno_name(-WEXITSTATUS(status), name));
        ASSERT_STR_EQ(got, strcmp(language, "python") == 0 ? probes[i].python : probes[i].javascript);
}

int main(void) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        size_t n;

        TEST_TABLE(test_parse, parse_cases);
        TEST_RUN(test_sections);

        /* The real policy: it parses, and does what its comments say. */
        if (read_file_all(KW_TEST_POLICY_DIR "/seccomp.conf", 1 << 20, &text, &n) < 0 ||
            seccomp_policy_parse(text, "seccomp.conf", &p, &error) < 0) {
                fprintf(stderr, "policy/seccomp.conf: %s\n", error ? error : "unreadable");
                return EXIT_FAILURE;
        }
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                TEST_RUN(probe_language, p, "python", i);
                TEST_RUN(probe_language, p, "javascript", i);
        }
        return test_summary();
}
