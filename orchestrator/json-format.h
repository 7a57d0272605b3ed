/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "util.h"

/* How kwctl prints a result: one compact line for programs, indented for a person at a terminal
 * (as systemd's tools choose by isatty()). */
typedef enum JsonFormat {
        JSON_SHORT,
        JSON_PRETTY,
} JsonFormat;

/* "short" or "pretty"; -EINVAL otherwise. */
int json_format_from_string(const char *s);

/**
 * json_reindent() - @text (JSON, as kw writes it: compact, strings escaped) indented by 2 spaces a
 * level, one member or element a line, "key": value, empty {} and [] kept on one line. Strings
 * and numbers are copied byte for byte, never reparsed, so nothing of a value changes. Text that is
 * not well-formed JSON is copied as it is. Return: 0 or -ENOMEM.
 */
int json_reindent(const char *text, size_t size, Buffer *out);
