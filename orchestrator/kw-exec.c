/* SPDX-License-Identifier: MIT */
/* kw-exec: the main process of a cell, the hardened unit that serves many runs one after another.
 * Its stdin is a SOCK_SEQPACKET socket to kwd (or kwctl). It says it is ready, then for each run it
 * is given (exec-protocol.h) it makes the run's sandbox inside the cell:
 *
 *   kw-exec                  the cell's unit: DynamicUser, ProtectSystem=strict, seccomp, cgroup limits
 *    └ init (pid 1)          fresh user, mount, pid, ipc, uts and cgroup namespaces; builds the
 *       │                    run's root: a tmpfs holding the language's paths read-only, a fresh
 *       │                    /proc, a minimal /dev, its own tmpfs for /tmp, /var/tmp, /dev/shm and
 *       │                    the run's files (the source, or what compiling it made; a checker's
 *       │                    data); reaps, reports the program's exact status, copies what a
 *       │                    compile run made into kwd's memfd, and exits, which kills whatever of
 *       │                    the run is left
 *       └ program            uid 1000, no capabilities, the run's rlimits, the fine seccomp filter
 *                            loaded last, an empty environment
 *
 * and tells kwd how it ended once every process of it is gone. kwd may kill the run at any time.
 * If kwd goes away (end of stdin), kw-exec kills the run and exits, and the cell ends. libc only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec-protocol.h"

/* In systemd's reserved range (200-243): a cell that ends so broke, not its program. */
#define EXIT_SANDBOX 241
#define RUN_UID 1000
#define RUN_GID 1000
/* Where the run's root is built, in the run's own mount namespace only (the cell's private /tmp,
 * which no run can reach). */
#define NEW_ROOT "/tmp"
#define SCRATCH NEW_ROOT "/.kw-scratch"
#define SCRATCH_INODES "16384"
#define MAX_FILTER (64 * 1024 * sizeof(struct sock_filter))
/* No network namespace of its own: the cell's (PrivateNetwork=) holds nothing a run can change (no
 * capability over it) or leave behind (a socket ends with its last process), and making and
 * tearing one down per run costs more than all the others together. */
#define RUN_NAMESPACES (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom" };

static int fail(const char *what) {
        fprintf(stderr, "kw-exec: %s: %m\n", what);
        return EXIT_SANDBOX;
}

static uint64_t cpu_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* ---- the run's init: pid 1 of the run's namespaces ---- */

typedef struct Init {
        const ExecRunSpec *spec;
        const int *fds;              /* EXEC_FIXED_FDS */
        int product;                 /* a memfd to copy the product into, or -1 */
        const int *files;            /* spec->n_files */
        int report;                  /* to kw-exec: one ExecEnd */
        uid_t uid;                   /* the cell's, outside */
        gid_t gid;
} Init;

/* The sandbox could not be made: say which step, with errno, and end. */
_Noreturn static void init_fail(const Init *init, ExecStep step, unsigned index) {
        ExecEnd e = { .type = EXEC_MSG_END, .kind = EXEC_END_SETUP_FAILED, .error = errno, .step = step,
                      .index = index, .overhead_usec = cpu_usec() };
        (void) !write(init->report, &e, sizeof(e));
        _exit(EXIT_SANDBOX);
}

static int write_text(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, text, strlen(text));
        int e = errno;
        close(fd);
        errno = e;
        return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* Every missing directory above @path, mode 0755. */
static int make_parents(const char *path) {
        char buf[4096];

        if (strlen(path) >= sizeof(buf)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        strcpy(buf, path);
        for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return -1;
                *p = '/';
        }
        return 0;
}

/* Bind @src at @dest (made already), then make it read-only, keeping the flags the kernel locks on
 * a mount from a more privileged namespace (a remount that dropped one would be refused). */
static int bind_read_only(const char *src, const char *dest, unsigned long extra) {
        static const struct {
                unsigned long st, ms;
        } locked[] = {
                { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },         { ST_NOEXEC, MS_NOEXEC },
                { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
        };
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | extra;
        struct statvfs sv;

        if (mount(src, dest, NULL, MS_BIND | MS_REC, NULL) < 0 || statvfs(dest, &sv) < 0)
                return -1;
        for (size_t i = 0; i < sizeof(locked) / sizeof(locked[0]); i++)
                if (sv.f_flag & locked[i].st)
                        flags |= locked[i].ms;
        return mount(NULL, dest, NULL, flags, NULL);
}

/* One of the language's paths, as the cell sees it: a link is copied, a directory or file bound. */
static int add_path(const char *path) {
        char dest[4096], target[4096];
        struct stat st;

        if (snprintf(dest, sizeof(dest), NEW_ROOT "%s", path) >= (int) sizeof(dest)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        if (lstat(path, &st) < 0 || make_parents(dest) < 0)
                return -1;
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlink(path, target, sizeof(target) - 1);
                if (n < 0)
                        return -1;
                target[n] = 0;
                return symlink(target, dest);
        }
        if (S_ISDIR(st.st_mode)) {
                if (mkdir(dest, 0755) < 0)
                        return -1;
        } else if (S_ISREG(st.st_mode)) {
                int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
                if (fd < 0)
                        return -1;
                close(fd);
        } else {
                errno = EINVAL;
                return -1;
        }
        return bind_read_only(path, dest, MS_NOSUID | MS_NODEV);
}

static int make_dev(void) {
        static const char *const links[][2] = {
                { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
        };
        char path[64], src[64];

        if (mkdir(NEW_ROOT "/dev", 0755) < 0 ||
            mount("tmpfs", NEW_ROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=64") < 0 ||
            mkdir(NEW_ROOT "/dev/shm", 0755) < 0)
                return -1;
        for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
                snprintf(path, sizeof(path), NEW_ROOT "/dev/%s", dev_nodes[i]);
                snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
                if (fd < 0)
                        return -1;
                close(fd);
                if (mount(src, path, NULL, MS_BIND, NULL) < 0)
                        return -1;
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                snprintf(path, sizeof(path), NEW_ROOT "/dev/%s", links[i][0]);
                if (symlink(links[i][1], path) < 0)
                        return -1;
        }
        return 0;
}

/* One tmpfs of the run's size for /tmp, /var/tmp and /dev/shm together, mounted aside, its three
 * directories bound into place, then detached from the side: nothing else of it shows in the root. */
static int make_tmp(uint64_t size) {
        static const char *const dirs[][2] = {
                { SCRATCH "/tmp", NEW_ROOT "/tmp" },
                { SCRATCH "/var-tmp", NEW_ROOT "/var/tmp" },
                { SCRATCH "/shm", NEW_ROOT "/dev/shm" },
        };
        char options[96];

        snprintf(options, sizeof(options), "mode=0755,size=%llu,nr_inodes=" SCRATCH_INODES, (unsigned long long) size);
        if (mkdir(SCRATCH, 0700) < 0 || mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0 ||
            mkdir(NEW_ROOT "/tmp", 0755) < 0 || mkdir(NEW_ROOT "/var", 0755) < 0 || mkdir(NEW_ROOT "/var/tmp", 0755) < 0)
                return -1;
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                if (mkdir(dirs[i][0], 0700) < 0 || chmod(dirs[i][0], 01777) < 0 ||
                    mount(dirs[i][0], dirs[i][1], NULL, MS_BIND, NULL) < 0)
                        return -1;
        return umount2(SCRATCH, MNT_DETACH) < 0 ? -1 : rmdir(SCRATCH);
}

/* A file of the run (its source, or what compiling made, or a checker's data), copied from its
 * sealed memfd into the root (read-only once the root is). */
static int write_file(const char *path, int src, mode_t mode) {
        char dest[4096], buf[65536];
        off_t at = 0;
        ssize_t n;

        if (snprintf(dest, sizeof(dest), NEW_ROOT "%s", path) >= (int) sizeof(dest)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        if (make_parents(dest) < 0)
                return -1;
        int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
        if (fd < 0)
                return -1;
        while ((n = pread(src, buf, sizeof(buf), at)) > 0) {
                if (write(fd, buf, (size_t) n) != n)
                        break;
                at += n;
        }
        int e = errno;
        if (n == 0 && fchmod(fd, mode) < 0)
                n = -1, e = errno;
        close(fd);
        errno = e;
        return n == 0 ? 0 : -1;
}

/* The root's tmpfs: room for its directories and links, and for every file of the run. */
static uint64_t root_bytes(const Init *init) {
        uint64_t size = 4 << 20;
        struct stat st;

        for (size_t i = 0; i < init->spec->n_files; i++)
                if (fstat(init->files[i], &st) >= 0)
                        size += ((uint64_t) st.st_size + 4095) / 4096 * 4096 + 4096;
        return size;
}

/* What the run produced, /tmp/NAME, copied into kwd's memfd once the program has ended: a regular
 * file, no link, at most @max bytes. Nothing of the run holds the memfd.
 * Return: 0 or an errno. */
static int take_product(int tmp, const char *name, int dest, uint64_t max, uint64_t *ret_size) {
        char buf[65536];
        uint64_t at = 0;
        struct stat st;
        ssize_t n;
        int e = 0;

        /* A name with no slash, no link followed (ELOOP), and no FIFO waited on: nothing but a file
         * of the run's /tmp. */
        int fd = openat(tmp, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno;
        if (fstat(fd, &st) < 0)
                e = errno;
        else if (!S_ISREG(st.st_mode))
                e = EINVAL;
        else if ((uint64_t) st.st_size > max)
                e = EFBIG;
        /* It may still grow (a process of the run left behind): the cap holds while copying too. */
        while (e == 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
                if (n < 0)
                        e = errno;
                else if (at + (uint64_t) n > max)
                        e = EFBIG;
                else if (pwrite(dest, buf, (size_t) n, (off_t) at) != n)
                        e = errno ? errno : EIO;
                else
                        at += (uint64_t) n;
        }
        close(fd);
        *ret_size = at;
        return e;
}

static int enter_root(void) {
        if (mount(NULL, NEW_ROOT, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0 ||
            mount(NULL, NEW_ROOT "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0 ||
            chdir(NEW_ROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
                return -1;
        return 0;
}

static int set_limits(const ExecRun *run) {
        const struct {
                int resource;
                rlim_t soft, hard;
        } limits[] = {
                { RLIMIT_CPU, run->cpu_soft_sec, run->cpu_hard_sec },
                { RLIMIT_NOFILE, run->open_files, run->open_files },
                { RLIMIT_FSIZE, run->file_size_bytes, run->file_size_bytes },
                { RLIMIT_CORE, 0, 0 },
                /* mmap(MAP_LOCKED) and shmctl(SHM_LOCK) would lock memory nobody can reclaim. */
                { RLIMIT_MEMLOCK, 0, 0 },
        };
        for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
                struct rlimit rl = { limits[i].soft, limits[i].hard };
                if (setrlimit(limits[i].resource, &rl) < 0)
                        return -1;
        }
        return 0;
}

/* Every capability gone, from every set, and none to be had again by exec. */
static int drop_capabilities(void) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                        return -1;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return -1;
        return (int) syscall(SYS_capset, &header, data);
}

static int load_filter(int fd) {
        static struct sock_filter filter[MAX_FILTER / sizeof(struct sock_filter)];
        size_t size = 0;
        ssize_t n;

        while ((n = pread(fd, (char *) filter + size, sizeof(filter) - size, (off_t) size)) > 0)
                size += (size_t) n;
        if (n < 0)
                return -1;
        if (size == 0 || size == sizeof(filter) || size % sizeof(struct sock_filter) != 0) {
                errno = EINVAL;
                return -1;
        }
        struct sock_fprog prog = { .len = (unsigned short) (size / sizeof(struct sock_filter)), .filter = filter };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* The program's process: its descriptors, limits, no capabilities, the filter last, then exec.
 * @exec_error (O_CLOEXEC) carries the errno if exec fails. */
_Noreturn static void program(const Init *init, int exec_error) {
        const ExecRunSpec *s = init->spec;
        static char *const empty[] = { NULL };
        /* Where each descriptor goes: 0-2 the program's, 3 the exec error (O_CLOEXEC), 4 the filter
         * until it is loaded. All are copied above these first, so no dup2() overwrites one still
         * to be moved. */
        const int from[] = { init->fds[EXEC_FD_STDIN], init->fds[EXEC_FD_STDOUT], init->fds[EXEC_FD_STDERR],
                             exec_error, init->fds[EXEC_FD_FILTER] };
        int high[5], report = exec_error;
        ExecStep step = EXEC_STEP_LIMITS;
        int e;

        for (int i = 0; i < 5; i++)
                if ((high[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 64)) < 0)
                        goto fail;
        for (int i = 0; i < 5; i++)
                if (dup2(high[i], i) < 0)
                        goto fail;
        report = 3;
        if (fcntl(3, F_SETFD, FD_CLOEXEC) < 0 || syscall(SYS_close_range, 5, ~0U, 0) < 0)
                goto fail;
        step = EXEC_STEP_WORKDIR;
        if (chdir(s->workdir) < 0)
                goto fail;
        step = EXEC_STEP_LIMITS;
        if (set_limits(s->run) < 0)
                goto fail;
        step = EXEC_STEP_CAPABILITIES;
        if (drop_capabilities() < 0)
                goto fail;
        step = EXEC_STEP_FILTER;
        if (load_filter(4) < 0)
                goto fail;
        close(4);
        execve(s->argv[0], (char *const *) s->argv, empty);
        step = _EXEC_STEP_MAX;
fail:
        e = errno;
        /* The step first, then the errno: init tells a set-up failure from a failed exec. */
        (void) !write(report, &(int32_t[2]) { (int32_t) step, e }, 2 * sizeof(int32_t));
        _exit(127);
}

_Noreturn static void init_run(const Init *init) {
        const ExecRunSpec *s = init->spec;
        char map[64];
        int pipe_fds[2], tmp = -1;

        /* A session and process group of its own: kw-exec's would let the run signal or renice it
         * (kill(0), PRIO_PGRP), whatever the pid namespace. */
        if (setsid() < 0)
                init_fail(init, EXEC_STEP_CLONE, 0);
        snprintf(map, sizeof(map), "%d %u 1\n", RUN_UID, (unsigned) init->uid);
        if (write_text("/proc/self/uid_map", map) < 0 || write_text("/proc/self/setgroups", "deny") < 0)
                init_fail(init, EXEC_STEP_USER_MAP, 0);
        snprintf(map, sizeof(map), "%d %u 1\n", RUN_GID, (unsigned) init->gid);
        if (write_text("/proc/self/gid_map", map) < 0)
                init_fail(init, EXEC_STEP_USER_MAP, 0);
        /* The program, not kw-exec, is what the OOM killer takes when the cell is out of memory. */
        (void) write_text("/proc/self/oom_score_adj", "1000");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                init_fail(init, EXEC_STEP_MOUNT_PRIVATE, 0);
        char options[96];
        snprintf(options, sizeof(options), "mode=0755,size=%llu,nr_inodes=4096", (unsigned long long) root_bytes(init));
        if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0)
                init_fail(init, EXEC_STEP_ROOT, 0);
        for (size_t i = 0; i < s->n_paths; i++)
                if (add_path(s->paths[i]) < 0)
                        init_fail(init, EXEC_STEP_PATH, (unsigned) i);
        /* Its own processes only (subset=pid: no /proc/sys, kallsyms, keys...), and of those only
         * what it may ptrace: not init, which is not dumpable. */
        if (mkdir(NEW_ROOT "/proc", 0555) < 0 ||
            mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid,hidepid=invisible") < 0)
                init_fail(init, EXEC_STEP_PROC, 0);
        if (make_dev() < 0)
                init_fail(init, EXEC_STEP_DEV, 0);
        if (make_tmp(s->run->tmp_bytes) < 0)
                init_fail(init, EXEC_STEP_TMP, 0);
        for (size_t i = 0; i < s->n_files; i++)
                if (write_file(s->files[i], init->files[i], s->run->exec_files & (1u << i) ? 0555 : 0444) < 0)
                        init_fail(init, EXEC_STEP_FILE, (unsigned) i);
        if (enter_root() < 0)
                init_fail(init, EXEC_STEP_PIVOT, 0);
        /* Where the product is taken from once the program has ended: the run's own tmpfs. */
        if (s->product && (tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                init_fail(init, EXEC_STEP_PIVOT, 0);

        /* Not dumpable before the program exists: no process of the run may open init's /proc
         * entries (its report pipe among them) or see it there. The program becomes dumpable again
         * at its exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || pipe2(pipe_fds, O_CLOEXEC) < 0)
                init_fail(init, EXEC_STEP_FORK, 0);
        pid_t pid = fork();
        if (pid < 0)
                init_fail(init, EXEC_STEP_FORK, 0);
        if (pid == 0)
                program(init, pipe_fds[1]);

        /* Nothing of the run may read or write through init: it holds only its report from here,
         * and the product's memfd and /tmp if the run makes one. */
        close(pipe_fds[1]);
        for (size_t i = 0; i < EXEC_FIXED_FDS; i++)
                close(init->fds[i]);
        for (size_t i = 0; i < s->n_files; i++)
                close(init->files[i]);

        int32_t failed[2];
        ssize_t n;
        do
                n = read(pipe_fds[0], failed, sizeof(failed));
        while (n < 0 && errno == EINTR);
        close(pipe_fds[0]);

        /* Orphans of the run come to init too: reap all until the program itself ends. */
        int status = 0;
        for (;;) {
                pid_t p = waitpid(-1, &status, 0);
                if (p == pid)
                        break;
                if (p < 0 && errno != EINTR)
                        init_fail(init, EXEC_STEP_FORK, 0);
        }
        struct rusage ru;
        ExecEnd e = { .type = EXEC_MSG_END, .product_error = s->product ? ENOENT : 0 };
        /* The largest process of the run (kilobytes): the memory figure where the cgroup's peak
         * cannot be reset per run. */
        if (getrusage(RUSAGE_CHILDREN, &ru) >= 0) {
                e.max_rss_bytes = (uint64_t) ru.ru_maxrss * 1024;
                e.children_cpu_usec = (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                                      (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        }
        if (n == (ssize_t) sizeof(failed) && failed[0] != _EXEC_STEP_MAX) {
                e.kind = EXEC_END_SETUP_FAILED;
                e.step = (uint32_t) failed[0];
                e.error = failed[1];
        } else if (n == (ssize_t) sizeof(failed)) {
                e.kind = EXEC_END_EXEC_FAILED;
                e.error = failed[1];
        } else if (WIFEXITED(status)) {
                e.kind = EXEC_END_EXITED;
                e.status = WEXITSTATUS(status);
                /* Taken only from a run that succeeded; its CPU is init's, not the program's. */
                if (s->product)
                        e.product_error = e.status == 0 ? take_product(tmp, s->product, init->product,
                                                                        s->run->product_bytes, &e.product_size)
                                                        : ENOENT;
        } else {
                e.kind = EXEC_END_SIGNALED;
                e.status = WTERMSIG(status);
        }
        e.overhead_usec = cpu_usec();
        (void) !write(init->report, &e, sizeof(e));
        /* Init's end is the pid namespace's: the kernel kills what is left of the run, and kw-exec
         * sees init gone only once all of it is. */
        _exit(0);
}

/* ---- kw-exec: the cell's supervisor ---- */

typedef struct Message {
        union {
                uint32_t type;
                ExecRun run;
                char bytes[EXEC_MSG_MAX];
        };
        int fds[EXEC_FDS_MAX];
        size_t n_fds;
        size_t size;
} Message;

static void close_fds(Message *m) {
        for (size_t i = 0; i < m->n_fds; i++)
                close(m->fds[i]);
        m->n_fds = 0;
}

/* One message and its descriptors; 0 at the end of the socket, -1 on an error. */
static ssize_t receive(Message *m) {
        /* Room for one descriptor more than a run has: more than that is a bad message, not a
         * write past m->fds. */
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE((EXEC_FDS_MAX + 1) * sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = m->bytes, .iov_len = sizeof(m->bytes) };
        bool too_many = false;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        ssize_t n;

        m->n_fds = 0;
        do
                n = recvmsg(STDIN_FILENO, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return n;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int fd;
                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                if (m->n_fds < EXEC_FDS_MAX)
                                        m->fds[m->n_fds++] = fd;
                                else {
                                        close(fd);
                                        too_many = true;
                                }
                        }
                }
        m->size = (size_t) n;
        /* A cut message or descriptors is kwd's bug or an attack: the cell is not to be trusted on. */
        if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || too_many) {
                close_fds(m);
                errno = EBADMSG;
                return -1;
        }
        return n;
}


static int send_message(const void *msg, size_t size) {
        ssize_t n;
        do
                n = send(STDIN_FILENO, msg, size, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n == (ssize_t) size ? 0 : -1;
}

/* Starts one run and follows it to its end; 0 once its end is told, or EXIT_SANDBOX. */
static int serve_run(Message *m) {
        ExecRunSpec spec;
        int report[2];

        if (exec_run_parse(m->bytes, m->size, &spec) < 0 || m->n_fds != exec_run_fds(spec.run)) {
                errno = EBADMSG;
                return fail("a run kwd sent");
        }
        uint64_t start = cpu_usec();
        if (pipe2(report, O_CLOEXEC) < 0)
                return fail("making the run's report pipe");
        bool product = spec.run->product_bytes > 0;
        Init init = { .spec = &spec, .fds = m->fds, .product = product ? m->fds[EXEC_FIXED_FDS] : -1,
                      .files = m->fds + EXEC_FIXED_FDS + product, .report = report[1],
                      .uid = getuid(), .gid = getgid() };
        pid_t pid = (pid_t) syscall(SYS_clone, RUN_NAMESPACES | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid == 0) {
                close(report[0]);
                /* kw-exec gone: so is the run (and the namespace, with its init). */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                init_run(&init);
        }
        int clone_errno = errno;
        close(report[1]);
        close_fds(m);
        ExecEnd end = { .type = EXEC_MSG_END, .kind = EXEC_END_LOST };
        if (pid < 0) {
                end = (ExecEnd) { .type = EXEC_MSG_END, .kind = EXEC_END_SETUP_FAILED, .error = clone_errno,
                                  .step = EXEC_STEP_CLONE };
                close(report[0]);
                end.overhead_usec = cpu_usec() - start;
                return send_message(&end, sizeof(end)) < 0 ? fail("telling kwd the run's end") : 0;
        }
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                kill(pid, SIGKILL);
                return fail("following the run's init");
        }

        struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
        bool killed = false;
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        kill(pid, SIGKILL);
                        return fail("waiting for the run");
                }
                if (p[1].revents)
                        break;
                if (p[0].revents && !killed) {
                        ssize_t n = receive(m);
                        close_fds(m);
                        /* kwd gone, or a word other than "kill": the run ends either way. */
                        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                        killed = true;
                        if (n <= 0 || m->size != sizeof(uint32_t) || m->type != EXEC_MSG_KILL) {
                                waitpid(pid, NULL, 0);
                                errno = n == 0 ? EPIPE : EBADMSG;
                                return fail(n == 0 ? "kwd went away" : "a message kwd sent during a run");
                        }
                        p[0].fd = -1;
                }
        }
        (void) waitpid(pid, NULL, 0);
        close(pidfd);
        ssize_t n = read(report[0], &end, sizeof(end));
        close(report[0]);
        if (n != (ssize_t) sizeof(end))
                end = (ExecEnd) { .type = EXEC_MSG_END, .kind = EXEC_END_LOST };
        end.type = EXEC_MSG_END;
        end.overhead_usec += cpu_usec() - start;
        return send_message(&end, sizeof(end)) < 0 ? fail("telling kwd the run's end") : 0;
}

int main(int argc, char *argv[]) {
        static Message m;
        int type = 0;
        socklen_t len = sizeof(type);

        if (argc != 1) {
                fprintf(stderr, "%s takes no arguments: it serves runs on its stdin.\n", argv[0]);
                return EXIT_SANDBOX;
        }
        if (getsockopt(STDIN_FILENO, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET) {
                errno = ENOTSOCK;
                return fail("stdin is not a SOCK_SEQPACKET socket");
        }
        ExecReady ready = { .type = EXEC_MSG_READY, .pid = (uint32_t) getpid() };
        if (send_message(&ready, sizeof(ready)) < 0)
                return fail("telling kwd the cell is ready");
        for (;;) {
                ssize_t n = receive(&m);
                if (n == 0)
                        return 0; /* kwd is done with the cell */
                if (n < 0)
                        return fail("waiting for a run");
                /* A kill that crossed the end of its run has nothing left to kill. */
                if (m.size == sizeof(uint32_t) && m.type == EXEC_MSG_KILL && m.n_fds == 0)
                        continue;
                if (m.size < sizeof(uint32_t) || m.type != EXEC_MSG_RUN) {
                        close_fds(&m);
                        errno = EBADMSG;
                        return fail("a message kwd sent between runs");
                }
                int r = serve_run(&m);
                if (r != 0)
                        return r;
        }
}
