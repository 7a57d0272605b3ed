/* SPDX-License-Identifier: MIT */
#pragma once

#include "util.h"

/* redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N]. */
typedef struct RedisUrl {
        char *host;            /* NULL for a Unix socket */
        unsigned port;
        char *path;            /* Unix socket */
        char *user;            /* NULL: AUTH with the password alone (or no AUTH) */
        char *password;        /* NULL: no AUTH */
        unsigned db;
        char *display;         /* the URL with the password masked: the only form ever logged */
} RedisUrl;

/**
 * redis_url_parse() - parse @s. Return: 0 or -EINVAL with *ret_error saying why (never quoting
 * the password).
 */
int redis_url_parse(const char *s, RedisUrl *ret, char **ret_error);
void redis_url_done(RedisUrl *u);
