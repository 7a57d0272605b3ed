/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "rundir.h"

const char *const run_dir_scratch_dirs[3] = { "tmp", "var-tmp", "shm" };

#define SCRATCH_NAME "scratch"

/* Inodes per scratch tmpfs: plenty for a program, too few to matter to the host. */
#define SCRATCH_INODES 16384

static int open_base(const char *base) {
        struct stat st;

        if (mkdir(base, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        _cleanup_close_ int fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        /* Anybody else able to write here could swap our entries under us. */
        if (st.st_uid != geteuid() || (st.st_mode & 0022))
                return -EPERM;
        return TAKE_FD(fd);
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* A directory stream of its own on @fd (close-on-exec, like every fd here). */
static DIR *opendir_at(int fd) {
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return NULL;
        DIR *d = fdopendir(copy);
        if (!d)
                close(copy);
        return d;
}

static bool is_dir_at(int dfd, const struct dirent *de) {
        struct stat st;
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool valid_name(const char *name) {
        return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int open_dir_at(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

/* A directory made fresh, mode 0755 whatever the umask: the sandbox must be able to enter it. */
static int make_dir_at(int dfd, const char *name) {
        if (mkdirat(dfd, name, 0700) < 0)
                return negative_errno();
        int fd = open_dir_at(dfd, name);
        if (fd >= 0 && fchmod(fd, 0755) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

int run_dir_create(const char *base, const char *name, RunDir *ret) {
        RunDir d = RUN_DIR_NULL;

        if (!valid_name(name) || name[0] == '.')
                return -EINVAL;
        d.base_fd = open_base(base);
        if (d.base_fd < 0)
                return d.base_fd;
        d.fd = make_dir_at(d.base_fd, name);
        if (d.fd < 0) {
                /* Never remove a directory somebody else made under that name. */
                int r = d.fd;
                close(d.base_fd);
                return r;
        }
        d.name = strdup(name);
        int r = d.name && asprintf_safe(&d.path, "%s/%s", base, name) >= 0 &&
                                asprintf_safe(&d.code_path, "%s/%s/code", base, name) >= 0
                        ? 0
                        : -ENOMEM;
        if (r >= 0) {
                d.code_fd = make_dir_at(d.fd, "code");
                r = d.code_fd < 0 ? d.code_fd : 0;
        }
        if (r < 0) {
                if (!d.name)
                        (void) unlinkat(d.base_fd, name, AT_REMOVEDIR);
                run_dir_remove(&d);
                return r;
        }
        *ret = d;
        return 0;
}

int run_dir_write(RunDir *d, const char *file, const void *data, size_t size) {
        if (!valid_name(file))
                return -EINVAL;
        if (d->code_fd < 0)
                return -EBADF;
        _cleanup_close_ int fd = openat(d->code_fd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        /* The umask must not decide what the sandbox can read. */
        if (fchmod(fd, 0644) < 0)
                return negative_errno();
        return write_all(fd, data, size);
}

int run_dir_mount_scratch(RunDir *d, uint64_t size) {
        char value[32];

        if (d->fd < 0)
                return -EBADF;
        if (mkdirat(d->fd, SCRATCH_NAME, 0700) < 0)
                return negative_errno();

        /* The fd-based mount API: the tmpfs is attached below d->fd, no path is walked. */
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return negative_errno();
        snprintf(value, sizeof(value), "%" PRIu64, size);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "size", value, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0)
                return negative_errno();
        snprintf(value, sizeof(value), "%u", SCRATCH_INODES);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", value, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        _cleanup_close_ int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mnt < 0)
                return negative_errno();
        /* Still detached, so nobody else can be in it yet. */
        for (size_t i = 0; i < ELEMENTSOF(run_dir_scratch_dirs); i++)
                if (mkdirat(mnt, run_dir_scratch_dirs[i], 0700) < 0 ||
                    fchmodat(mnt, run_dir_scratch_dirs[i], 01777, 0) < 0)
                        return negative_errno();
        if (move_mount(mnt, "", d->fd, SCRATCH_NAME, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return negative_errno();
        return asprintf_safe(&d->scratch_path, "%s/" SCRATCH_NAME, d->path) < 0 ? -ENOMEM : 0;
}

/* Detach the scratch tmpfs @name below the job directory @dir (open as @dir_fd) and remove its mount
 * point. Every component of the path is root's and unwritable by any run; the tmpfs goes whole,
 * never looked into. */
static void detach_scratch(const char *dir, int dir_fd, const char *name) {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        (void) umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
        (void) unlinkat(dir_fd, name, AT_REMOVEDIR);
}

/* Remove the files of a code/ directory (root's; no run can write it), then the directory. */
static void remove_code_dir(int dir_fd) {
        _cleanup_close_ int fd = open_dir_at(dir_fd, "code");
        if (fd < 0)
                return;
        DIR *code = opendir_at(fd);
        if (code) {
                for (struct dirent *e; (e = readdir(code));)
                        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                                (void) unlinkat(fd, e->d_name, 0);
                closedir(code);
        }
        (void) unlinkat(dir_fd, "code", AT_REMOVEDIR);
}

void run_dir_remove(RunDir *d) {
        if (d->fd >= 0 && d->path) {
                detach_scratch(d->path, d->fd, SCRATCH_NAME);
                remove_code_dir(d->fd);
        }
        if (d->base_fd >= 0 && d->name)
                (void) unlinkat(d->base_fd, d->name, AT_REMOVEDIR);
        if (d->code_fd >= 0)
                close(d->code_fd);
        if (d->fd >= 0)
                close(d->fd);
        if (d->base_fd >= 0)
                close(d->base_fd);
        free(d->name);
        free(d->path);
        free(d->code_path);
        free(d->scratch_path);
        *d = RUN_DIR_NULL;
}

int run_dir_write_filter(const char *base, const Language *language, char **ret_path) {
        char name[80], tmp[96];
        int r;

        _cleanup_close_ int base_fd = open_base(base);
        if (base_fd < 0)
                return base_fd;
        if (mkdirat(base_fd, ".seccomp", 0755) < 0 && errno != EEXIST)
                return negative_errno();
        _cleanup_close_ int dfd = openat(base_fd, ".seccomp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        snprintf(name, sizeof(name), "%s.bpf", language->seccomp_id);
        if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return negative_errno();
                /* Whole or not at all: written aside, then renamed into place. */
                snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int) getpid());
                _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return negative_errno();
                r = write_all(fd, language->seccomp_bpf, language->seccomp_bpf_size);
                if (r >= 0 && fchmod(fd, 0644) < 0)
                        r = negative_errno();
                if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                        r = negative_errno();
                if (r < 0) {
                        (void) unlinkat(dfd, tmp, 0);
                        return r;
                }
        }
        r = asprintf_safe(ret_path, "%s/.seccomp/%s", base, name);
        return r < 0 ? r : 0;
}

void run_dir_cleanup_all(const char *base) {
        _cleanup_close_ int base_fd = open_base(base);
        if (base_fd < 0)
                return;
        DIR *top = opendir_at(base_fd);
        if (!top)
                return;
        for (struct dirent *de; (de = readdir(top));) {
                if (de->d_name[0] == '.' || !is_dir_at(base_fd, de))
                        continue;
                _cleanup_close_ int fd = open_dir_at(base_fd, de->d_name);
                if (fd < 0)
                        continue;
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
                detach_scratch(dir, fd, SCRATCH_NAME);
                remove_code_dir(fd);
                /* Fails, and so keeps it, if anything else is in it: never ours. */
                (void) unlinkat(base_fd, de->d_name, AT_REMOVEDIR);
        }
        closedir(top);
}
