/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "json-format.h"

int json_format_from_string(const char *s) {
        if (strcmp(s, "short") == 0)
                return JSON_SHORT;
        if (strcmp(s, "pretty") == 0)
                return JSON_PRETTY;
        return -EINVAL;
}

/* The bracket nesting and string state of @text, checked before anything is written: only JSON
 * whose brackets match and whose strings end is reindented. */
static bool is_balanced(const char *text, size_t size) {
        char stack[256];
        size_t depth = 0;

        for (size_t i = 0; i < size; i++) {
                char c = text[i];
                if (c == '"') {
                        for (i++; i < size && text[i] != '"'; i++)
                                if (text[i] == '\\')
                                        i++;
                        if (i >= size)
                                return false;
                } else if (c == '{' || c == '[') {
                        if (depth == sizeof(stack))
                                return false;
                        stack[depth++] = c;
                } else if (c == '}' || c == ']') {
                        if (depth == 0 || stack[--depth] != (c == '}' ? '{' : '['))
                                return false;
                }
        }
        return depth == 0;
}

static int newline(Buffer *out, size_t depth) {
        int r = buffer_append(out, "\n", 1);
        for (size_t i = 0; r >= 0 && i < depth; i++)
                r = buffer_append(out, "  ", 2);
        return r;
}

/* The next byte that is not JSON white space, at or after @i. */
static size_t skip_blank(const char *text, size_t size, size_t i) {
        while (i < size && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
                i++;
        return i;
}

int json_reindent(const char *text, size_t size, Buffer *out) {
        size_t depth = 0;
        int r = 0;

        if (!is_balanced(text, size))
                return buffer_append(out, text, size);
        for (size_t i = skip_blank(text, size, 0); r >= 0 && i < size; i = skip_blank(text, size, i)) {
                char c = text[i];
                if (c == '"') {
                        size_t start = i;
                        for (i++; text[i] != '"'; i++)
                                if (text[i] == '\\')
                                        i++;
                        r = buffer_append(out, text + start, ++i - start);
                } else if (c == '{' || c == '[') {
                        size_t next = skip_blank(text, size, i + 1);
                        /* Empty: kept as {} or []. */
                        if (next < size && (text[next] == '}' || text[next] == ']')) {
                                r = buffer_append(out, text + i, 1);
                                if (r >= 0)
                                        r = buffer_append(out, text + next, 1);
                                i = next + 1;
                                continue;
                        }
                        r = buffer_append(out, &c, 1);
                        if (r >= 0)
                                r = newline(out, ++depth);
                        i++;
                } else if (c == '}' || c == ']') {
                        r = newline(out, --depth);
                        if (r >= 0)
                                r = buffer_append(out, &c, 1);
                        i++;
                } else if (c == ',') {
                        r = buffer_append(out, ",", 1);
                        if (r >= 0)
                                r = newline(out, depth);
                        i++;
                } else if (c == ':') {
                        r = buffer_append(out, ": ", 2);
                        i++;
                } else {
                        /* A number, true, false or null: as it is, to the next delimiter. */
                        static const char delimiters[] = ",:{}[]\" \t\n\r";
                        size_t start = i++;
                        while (i < size && !memchr(delimiters, text[i], sizeof(delimiters) - 1))
                                i++;
                        r = buffer_append(out, text + start, i - start);
                }
        }
        if (r >= 0)
                r = buffer_append(out, "\n", 1);
        return r;
}
