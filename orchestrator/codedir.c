/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "codedir.h"

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
static int create_source(int base_fd, const char *name, const char *source, const char *code, size_t size) {
        if (mkdirat(base_fd, name, 0755) < 0)
                return negative_errno();
        _cleanup_close_ int dfd = openat(base_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        _cleanup_close_ int fd = openat(dfd, source, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        /* The umask must not decide what the sandbox can read. */
        if (fchmod(fd, 0644) < 0 || fchmod(dfd, 0755) < 0)
                return negative_errno();
        return write_all(fd, code, size);
}

int code_dir_create(const char *base, const char *name, const char *source, const char *code, size_t size,
                    CodeDir *ret) {
        CodeDir d = { .base_fd = -EBADF };
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
                code_dir_remove(&d);
                return -ENOMEM;
        }
        r = create_source(d.base_fd, name, source, code, size);
        if (r < 0) {
                /* Never remove a directory somebody else made under that name. */
                if (r == -EEXIST)
                        free(TAKE_PTR(d.name));
                code_dir_remove(&d);
                return r;
        }
        *ret = d;
        return 0;
}

void code_dir_remove(CodeDir *d) {
        if (d->base_fd >= 0 && d->name) {
                _cleanup_close_ int dfd = openat(d->base_fd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dfd >= 0 && d->source_name)
                        (void) unlinkat(dfd, d->source_name, 0);
                (void) unlinkat(d->base_fd, d->name, AT_REMOVEDIR);
        }
        if (d->base_fd >= 0)
                close(d->base_fd);
        free(d->name);
        free(d->path);
        free(d->source_name);
        free(d->source_path);
        *d = (CodeDir) { .base_fd = -EBADF };
}
