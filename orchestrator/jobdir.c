/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "jobdir.h"

const char *const job_dir_scratch_dirs[3] = { "tmp", "var-tmp", "shm" };

#define SCRATCH_PREFIX "scratch-"

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

/* The directory and the file in it, each created fresh (O_EXCL) relative to fds we opened. */
static int create_source(JobDir *d, const char *code, size_t size) {
        if (mkdirat(d->base_fd, d->name, 0755) < 0)
                return negative_errno();
        d->fd = openat(d->base_fd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d->fd < 0)
                return negative_errno();
        _cleanup_close_ int fd = openat(d->fd, d->source_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                        0644);
        if (fd < 0)
                return negative_errno();
        /* The umask must not decide what the sandbox can read. */
        if (fchmod(fd, 0644) < 0 || fchmod(d->fd, 0755) < 0)
                return negative_errno();
        return write_all(fd, code, size);
}

int job_dir_create(const char *base, const char *name, const char *source, const char *code, size_t size,
                   JobDir *ret) {
        JobDir d = { .base_fd = -EBADF, .fd = -EBADF };
        int r;

        if (strchr(name, '/') || strchr(source, '/') || name[0] == '.' || source[0] == '.')
                return -EINVAL;

        d.base_fd = open_base(base);
        if (d.base_fd < 0)
                return d.base_fd;
        d.name = strdup(name);
        d.source_name = strdup(source);
        if (!d.name || !d.source_name || asprintf_safe(&d.path, "%s/%s", base, name) < 0 ||
            asprintf_safe(&d.source_path, "%s/%s/%s", base, name, source) < 0) {
                job_dir_remove(&d);
                return -ENOMEM;
        }
        r = create_source(&d, code, size);
        if (r < 0) {
                /* Never remove a directory somebody else made under that name. */
                if (r == -EEXIST && d.fd < 0)
                        free(TAKE_PTR(d.name));
                job_dir_remove(&d);
                return r;
        }
        *ret = d;
        return 0;
}

int job_dir_mount_scratch(JobDir *d, unsigned run, uint64_t size, char **ret_path) {
        char name[32], value[32];
        int r;

        snprintf(name, sizeof(name), SCRATCH_PREFIX "%u", run);
        if (mkdirat(d->fd, name, 0700) < 0)
                return negative_errno();
        if (run >= d->n_scratch)
                d->n_scratch = run + 1;

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
        for (size_t i = 0; i < ELEMENTSOF(job_dir_scratch_dirs); i++)
                if (mkdirat(mnt, job_dir_scratch_dirs[i], 0700) < 0 ||
                    fchmodat(mnt, job_dir_scratch_dirs[i], 01777, 0) < 0)
                        return negative_errno();
        if (move_mount(mnt, "", d->fd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return negative_errno();
        r = asprintf_safe(ret_path, "%s/%s", d->path, name);
        return r < 0 ? r : 0;
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

void job_dir_umount_scratch(JobDir *d, unsigned run) {
        char name[32];

        if (d->fd < 0 || !d->path)
                return;
        snprintf(name, sizeof(name), SCRATCH_PREFIX "%u", run);
        detach_scratch(d->path, d->fd, name);
}

void job_dir_remove(JobDir *d) {
        for (unsigned i = 0; i < d->n_scratch; i++)
                job_dir_umount_scratch(d, i);
        if (d->fd >= 0 && d->source_name)
                (void) unlinkat(d->fd, d->source_name, 0);
        if (d->base_fd >= 0 && d->name)
                (void) unlinkat(d->base_fd, d->name, AT_REMOVEDIR);
        if (d->fd >= 0)
                close(d->fd);
        if (d->base_fd >= 0)
                close(d->base_fd);
        free(d->name);
        free(d->path);
        free(d->source_name);
        free(d->source_path);
        *d = (JobDir) { .base_fd = -EBADF, .fd = -EBADF };
}

int job_dir_write_filter(const char *base, const Language *language, char **ret_path) {
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

void job_dir_cleanup_all(const char *base) {
        _cleanup_close_ int base_fd = open_base(base);
        if (base_fd < 0)
                return;
        DIR *top = opendir_at(base_fd);
        if (!top)
                return;
        for (struct dirent *de; (de = readdir(top));) {
                if (de->d_name[0] == '.' || !is_dir_at(base_fd, de))
                        continue;
                _cleanup_close_ int fd = openat(base_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue;
                DIR *job = opendir_at(fd);
                if (!job)
                        continue;
                for (struct dirent *e; (e = readdir(job));) {
                        if (e->d_name[0] == '.')
                                continue;
                        if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) == 0) {
                                char dir[PATH_MAX];
                                snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
                                detach_scratch(dir, fd, e->d_name);
                        } else
                                (void) unlinkat(fd, e->d_name, 0);
                }
                closedir(job);
                (void) unlinkat(base_fd, de->d_name, AT_REMOVEDIR);
        }
        closedir(top);
}
