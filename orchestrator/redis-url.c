/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>

#include "redis-url.h"

static int fail(char **ret_error, const char *why) {
        *ret_error = strdup(why);
        return *ret_error ? -EINVAL : -ENOMEM;
}

static int parse_unsigned(const char *s, size_t n, unsigned max, unsigned *ret) {
        unsigned v = 0;
        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (!isdigit((unsigned char) s[i]))
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

int redis_url_parse(const char *s, RedisUrl *ret, char **ret_error) {
        RedisUrl u = { .port = 6379 };
        const char *p;
        int r = -ENOMEM;

        if (strncmp(s, "unix://", 7) == 0) {
                p = s + 7;
                const char *q = strchr(p, '?');
                if (*p != '/')
                        return fail(ret_error, "redis URL: unix:// needs an absolute path");
                u.path = q ? strndup(p, (size_t) (q - p)) : strdup(p);
                if (!u.path)
                        goto fail;
                if (q && (strncmp(q, "?db=", 4) != 0 || parse_unsigned(q + 4, strlen(q + 4), 1000000, &u.db) < 0)) {
                        redis_url_done(&u);
                        return fail(ret_error, "redis URL: expected ?db=N after the path");
                }
                if (asprintf_safe(&u.display, "unix://%s", s + 7) < 0)
                        goto fail;
                *ret = u;
                return 0;
        }
        if (strncmp(s, "redis://", 8) != 0)
                return fail(ret_error, "redis URL: must start with redis:// or unix://");
        p = s + 8;

        const char *at = strrchr(p, '@');
        if (at) {
                const char *colon = memchr(p, ':', (size_t) (at - p));
                if (!colon) {
                        /* redis://PASSWORD@host is a common shorthand. */
                        u.password = strndup(p, (size_t) (at - p));
                        if (!u.password)
                                goto fail;
                } else {
                        if (colon > p && !(u.user = strndup(p, (size_t) (colon - p))))
                                goto fail;
                        if (!(u.password = strndup(colon + 1, (size_t) (at - colon - 1))))
                                goto fail;
                }
                p = at + 1;
        }
        size_t hostlen = strcspn(p, ":/");
        if (hostlen == 0) {
                redis_url_done(&u);
                return fail(ret_error, "redis URL: missing host");
        }
        if (!(u.host = strndup(p, hostlen)))
                goto fail;
        p += hostlen;
        if (*p == ':') {
                size_t n = strcspn(p + 1, "/");
                if (parse_unsigned(p + 1, n, 65535, &u.port) < 0 || u.port == 0) {
                        redis_url_done(&u);
                        return fail(ret_error, "redis URL: bad port");
                }
                p += 1 + n;
        }
        if (*p == '/' && p[1]) {
                if (parse_unsigned(p + 1, strlen(p + 1), 1000000, &u.db) < 0) {
                        redis_url_done(&u);
                        return fail(ret_error, "redis URL: bad database number");
                }
        } else if (*p && strcmp(p, "/") != 0) {
                redis_url_done(&u);
                return fail(ret_error, "redis URL: unexpected text after the host");
        }
        if (asprintf_safe(&u.display, "redis://%s%s%s%s:%u/%u", u.user ? u.user : "", u.password ? ":***" : "",
                          u.password || u.user ? "@" : "", u.host, u.port, u.db) < 0)
                goto fail;
        *ret = u;
        return 0;

fail:
        redis_url_done(&u);
        return r;
}

void redis_url_done(RedisUrl *u) {
        free(u->host);
        free(u->path);
        free(u->user);
        if (u->password)
                explicit_bzero(u->password, strlen(u->password));
        free(u->password);
        free(u->display);
        *u = (RedisUrl) {};
}
