/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

static const char *program = "kw";
static int max_level = 6;

int log_level_max(int level) {
        int old = max_level;
        if (level >= 0)
                max_level = level;
        return old;
}

void log_set_program(const char *name) {
        program = name;
}

_printf_(3, 0) static void log_va(int level, int error, const char *fmt, va_list ap) {
        if (level > max_level)
                return;
        /* %m in fmt refers to the error passed in, not to whatever errno is now. */
        errno = error < 0 ? -error : error;
        fprintf(stderr, "%s: ", program);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

void log_msg(int level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va(level, 0, fmt, ap);
        va_end(ap);
}

int log_msg_errno(int level, int error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_va(level, error, fmt, ap);
        va_end(ap);
        return error < 0 ? error : -error;
}

int buffer_append(Buffer *b, const void *p, size_t n) {
        if (n == 0)
                return 0;
        if (b->size + n + 1 < b->size)
                return -ENOMEM;
        if (b->size + n + 1 > b->allocated) {
                size_t a = b->allocated ? b->allocated : 256;
                while (a < b->size + n + 1)
                        a *= 2;
                char *d = realloc(b->data, a);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->allocated = a;
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        return 0;
}

/* vasprintf() leaves *ret undefined on failure; this leaves it untouched. */
_printf_(2, 0) static int vasprintf_safe(char **ret, const char *fmt, va_list ap) {
        char *s;
        int n = vasprintf(&s, fmt, ap);
        if (n < 0)
                return -ENOMEM;
        *ret = s;
        return n;
}

int buffer_printf(Buffer *b, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf_safe(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? n : buffer_append(b, s, (size_t) n);
}

int buffer_terminate(Buffer *b) {
        static const char nul = 0;
        int r = buffer_append(b, &nul, 1);
        if (r < 0)
                return r;
        b->size--;
        return 0;
}

void buffer_done(Buffer *b) {
        free(b->data);
        *b = (Buffer) {};
}

int asprintf_safe(char **ret, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf_safe(ret, fmt, ap);
        va_end(ap);
        return n;
}

int random_hex(char *ret, size_t bytes) {
        uint8_t raw[64];

        if (bytes > sizeof(raw))
                return -EINVAL;
        ret[0] = 0;
        if (getrandom(raw, bytes, 0) != (ssize_t) bytes)
                return negative_errno();
        for (size_t i = 0; i < bytes; i++)
                sprintf(ret + 2 * i, "%02x", raw[i]);
        return 0;
}

int read_fd_all(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(buffer_done) Buffer b = {};
        char chunk[65536];

        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        /* A stream socket whose peer closed with what we sent unread reports this
                         * after all that the peer sent: that is its end. */
                        if (errno == ECONNRESET && b.size > 0)
                                break;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                if (b.size + (size_t) n > max)
                        return -EFBIG;
                int r = buffer_append(&b, chunk, (size_t) n);
                if (r < 0)
                        return r;
        }
        int r = buffer_terminate(&b);
        if (r < 0)
                return r;
        *ret_size = b.size;
        *ret = TAKE_PTR(b.data);
        return 0;
}

int read_file_all(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return read_fd_all(fd, max, ret, ret_size);
}

int safe_atou64(const char *s, uint64_t *ret) {
        char *end;

        if (!s || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

char *strstrip(char *s) {
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = 0;
        return s;
}

char *conf_next_line(char **cursor, unsigned *line_number) {
        char *line = *cursor;

        if (!line)
                return NULL;
        char *nl = strchr(line, '\n');
        if (nl)
                *nl = 0;
        *cursor = nl ? nl + 1 : NULL;
        (*line_number)++;
        char *hash = strchr(line, '#');
        if (hash)
                *hash = 0;
        return strstrip(line);
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                unsigned shift;
        } units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 } };
        _cleanup_free_ char *copy = strdup(s);
        uint64_t v;
        unsigned shift = 0;

        if (!copy)
                return -ENOMEM;
        size_t n = strlen(copy);
        if (n > 0)
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (toupper((unsigned char) copy[n - 1]) == units[i].suffix) {
                                shift = units[i].shift;
                                copy[n - 1] = 0;
                                break;
                        }
        int r = safe_atou64(copy, &v);
        if (r < 0)
                return r;
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = v << shift;
        return 0;
}

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

int file_check_root_only(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return negative_errno();
        return st.st_uid != 0 || (st.st_mode & 0022) ? -EPERM : 0;
}

int path_check_root_only(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        struct stat st;
        int r;

        if (!p)
                return -ENOMEM;
        r = file_check_root_only(p);
        if (r < 0)
                return r;
        for (char *slash; (slash = strrchr(p, '/'));) {
                slash[slash == p] = 0; /* "/a/b" -> "/a" -> "/" */
                if (stat(p, &st) < 0)
                        return negative_errno();
                if (st.st_uid != 0 || ((st.st_mode & 0022) && !(st.st_mode & S_ISVTX)))
                        return -EPERM;
                if (strcmp(p, "/") == 0)
                        break;
        }
        return 0;
}

int write_all(int fd, const void *data, size_t n) {
        const char *p = data;

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

int memfd_sealed(const char *name, const void *data, size_t size) {
        _cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int r;

        if (fd < 0)
                return negative_errno();
        r = write_all(fd, data, size);
        if (r >= 0)
                r = memfd_seal(fd);
        return r < 0 ? r : TAKE_FD(fd);
}

int memfd_copy_sealed(const char *name, int fd, uint64_t max) {
        _cleanup_close_ int copy = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        char buf[65536];
        uint64_t at = 0;
        struct stat st;
        ssize_t n;
        int r;

        if (copy < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        while (at < (uint64_t) st.st_size && (n = pread(fd, buf, sizeof(buf), (off_t) at)) != 0) {
                if (n < 0)
                        return negative_errno();
                r = write_all(copy, buf, (size_t) n);
                if (r < 0)
                        return r;
                at += (uint64_t) n;
        }
        r = memfd_seal(copy);
        return r < 0 ? r : TAKE_FD(copy);
}

int memfd_seal(int fd) {
        if (lseek(fd, 0, SEEK_SET) < 0 ||
            fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
                return negative_errno();
        return 0;
}
