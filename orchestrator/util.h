/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership on: return the value and leave the cleanup variable empty. */
#define TAKE_PTR(p)                                \
        ({                                         \
                __typeof__(p) _p = (p);            \
                (p) = NULL;                        \
                _p;                                \
        })
#define TAKE_FD(fd)                                \
        ({                                         \
                int _fd = (fd);                    \
                (fd) = -EBADF;                     \
                _fd;                               \
        })

/* The struct of type @type whose @member @ptr points to. */
#define container_of(ptr, type, member) ((type *) ((char *) (ptr) - offsetof(type, member)))

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)    \
        static inline void func##p(type *p) {      \
                if (*p)                            \
                        func(*p);                  \
        }

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

/* Logging: to stderr, once, where the error is handled. log_*_errno() return the negative error. */
int log_level_max(int level);
void log_set_program(const char *name);
_printf_(2, 3) void log_msg(int level, const char *fmt, ...);
_printf_(3, 4) int log_msg_errno(int level, int error, const char *fmt, ...);
#define log_error(...) log_msg(3, __VA_ARGS__)
#define log_warning(...) log_msg(4, __VA_ARGS__)
#define log_info(...) log_msg(6, __VA_ARGS__)
#define log_debug(...) log_msg(7, __VA_ARGS__)
#define log_error_errno(e, ...) log_msg_errno(3, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_msg_errno(4, e, __VA_ARGS__)

/* A growable byte buffer. */
typedef struct Buffer {
        char *data;
        size_t size;
        size_t allocated;
} Buffer;

int buffer_append(Buffer *b, const void *p, size_t n);
_printf_(2, 3) int buffer_printf(Buffer *b, const char *fmt, ...);
void buffer_done(Buffer *b);
/* NUL-terminate without counting the terminator in size. */
int buffer_terminate(Buffer *b);

_printf_(2, 3) int asprintf_safe(char **ret, const char *fmt, ...);
int random_hex(char *ret, size_t bytes); /* ret must hold 2*bytes+1 */
/* Everything up to the end (or, for a socket, a reset after some data); NUL-terminated. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_size);
int read_file_all(const char *path, size_t max, char **ret, size_t *ret_size);
int safe_atou64(const char *s, uint64_t *ret);
char *strstrip(char *s);
/* The next line of a configuration text being cut up in place: '#' comments and surrounding blanks
 * removed (possibly empty), *line_number counting; NULL after the last. */
char *conf_next_line(char **cursor, unsigned *line_number);
int parse_size(const char *s, uint64_t *ret); /* 512M, 1G, 4096 */
uint64_t now_usec(void);
/* All of @data to @fd, through EINTR. Return: 0 or -errno. */
int write_all(int fd, const void *data, size_t n);
/* A memfd holding @data, at offset 0, sealed against any change. Return: its fd or -errno. */
int memfd_sealed(const char *name, const void *data, size_t size);
/* @fd (a memfd made with MFD_ALLOW_SEALING) sealed against any change, at offset 0. Return: 0 or -errno. */
int memfd_seal(int fd);
/* A sealed copy of what memfd @fd holds, at most @max bytes (-EFBIG), in pages of the caller's
 * cgroup, not the writer's. Return: its fd or -errno. */
int memfd_copy_sealed(const char *name, int fd, uint64_t max);

/* @path is root's and not writable by group or others. Return: 0, -EPERM, or -errno of stat(). */
int file_check_root_only(const char *path);

/**
 * path_check_root_only() - nobody but root can change what @path (absolute, no symlinks) names: it
 * and every directory above it are root's, the file is not writable by others, and no directory lets
 * others rename entries (not writable by others, or sticky). Return: 0, -EPERM, or -errno of stat().
 */
int path_check_root_only(const char *path);
