/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "util.h"

static const char *const checker_type_names[_CHECKER_TYPE_MAX] = {
        [CHECKER_LINES] = "lines",
        [CHECKER_EXACT] = "exact",
        [CHECKER_TOKENS] = "tokens",
        [CHECKER_FLOAT] = "float",
        [CHECKER_CUSTOM] = "custom",
};

const char *checker_type_to_string(CheckerType t) {
        return t >= 0 && t < _CHECKER_TYPE_MAX ? checker_type_names[t] : NULL;
}

int checker_type_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(checker_type_names); i++)
                if (strcmp(s, checker_type_names[i]) == 0)
                        return (int) i;
        return -EINVAL;
}

/* The longest quoted snippet of a text in a message, "..." included. */
#define SNIPPET_MAX 32

static bool is_line_blank(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_space(int c) {
        return c == '\n' || is_line_blank(c);
}

static bool is_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

/* How many bytes of @s make its first character: a whole UTF-8 sequence, else one byte. */
static size_t utf8_unit(const char *s, size_t n) {
        unsigned char c = (unsigned char) s[0];
        size_t len = c >= 0xf8 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

        if (len == 1 || len > n)
                return 1;
        for (size_t i = 1; i < len; i++)
                if (((unsigned char) s[i] & 0xc0) != 0x80)
                        return 1;
        return len;
}

/* @s as a message shows it, in at most @size - 1 bytes (@size >= 4) and NUL-terminated: control
 * bytes as \xNN, so that it is one line, and cut with "..." between characters if it does not all
 * fit. Stops at the cut, so a huge text costs no more than a short one. */
static void escape_cut(char *dst, size_t size, const char *s, size_t n) {
        size_t len = 0, keep = 0;   /* keep: the longest prefix written that leaves room for "..." */

        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) s[i];
                size_t in = utf8_unit(s + i, n - i), out = is_control(c) ? 4 : in;

                if (len + out > size - 1) {
                        memcpy(dst + keep, "...", 4);
                        return;
                }
                if (is_control(c))
                        snprintf(dst + len, 5, "\\x%02x", c);
                else
                        memcpy(dst + len, s + i, in);
                len += out;
                i += in;
                if (len <= size - 4)
                        keep = len;
        }
        dst[len] = 0;
}

static const char *plural(size_t n) {
        return n == 1 ? "" : "s";
}

_printf_(4, 5) static void result_set(CheckResult *ret, Verdict verdict, double score, const char *fmt, ...) {
        va_list ap;

        ret->verdict = verdict;
        ret->score = score;
        va_start(ap, fmt);
        vsnprintf(ret->message, sizeof(ret->message), fmt, ap);
        va_end(ap);
}

/* Length of @s once trailing blanks of each line and trailing empty lines are ignored, and the
 * next line-normalised byte. Walks both texts line by line without copying them. */
typedef struct Cursor {
        const char *p, *end;
} Cursor;

/* A text to walk by lines: it ends after its last byte that is neither blank nor a line break, so
 * that finding the end costs one scan, not one per line (a megabyte of empty lines and then one
 * character took minutes when each line looked ahead for what was left). */
static Cursor cursor_lines(const char *s, size_t n) {
        while (n > 0 && is_space(s[n - 1]))
                n--;
        return (Cursor) { s, s + n };
}

/* The next line with its trailing blanks cut; false at the end. Trailing empty lines count as end. */
static bool next_line(Cursor *c, const char **ret, size_t *ret_size) {
        if (c->p >= c->end)
                return false;

        const char *nl = memchr(c->p, '\n', (size_t) (c->end - c->p));
        const char *line_end = nl ? nl : c->end;
        size_t n = (size_t) (line_end - c->p);
        while (n > 0 && is_line_blank(c->p[n - 1]))
                n--;
        *ret = c->p;
        *ret_size = n;
        c->p = nl ? nl + 1 : c->end;
        return true;
}

static size_t count_lines(Cursor *c) {
        const char *l;
        size_t n, count = 0;

        while (next_line(c, &l, &n))
                count++;
        return count;
}

/* Where two texts differ by lines, for a message. */
typedef struct LinesDiff {
        size_t line;                /* the first line that differs (from 1), 0 if none does */
        const char *actual, *expected;
        size_t actual_size, expected_size;
        size_t actual_lines, expected_lines;    /* when line is 0: both texts' counts */
} LinesDiff;

/* The lines rule; with @ret, also where the texts differ. Return: true if equal. */
static bool lines_compare(const char *actual, size_t actual_size, const char *expected, size_t expected_size,
                          LinesDiff *ret) {
        Cursor a = cursor_lines(actual, actual_size), e = cursor_lines(expected, expected_size);

        for (size_t line = 1;; line++) {
                const char *la, *le;
                size_t na, ne;
                bool ha = next_line(&a, &la, &na), he = next_line(&e, &le, &ne);
                if (!ha || !he) {
                        if (ret)
                                *ret = (LinesDiff) {
                                        .actual_lines = line - 1 + ha + (ha ? count_lines(&a) : 0),
                                        .expected_lines = line - 1 + he + (he ? count_lines(&e) : 0),
                                };
                        return ha == he;
                }
                if (na != ne || memcmp(la, le, na) != 0) {
                        if (ret)
                                *ret = (LinesDiff) {
                                        .line = line,
                                        .actual = la,
                                        .expected = le,
                                        .actual_size = na,
                                        .expected_size = ne,
                                };
                        return false;
                }
        }
}

bool output_matches(const char *actual, size_t actual_size, const char *expected, size_t expected_size) {
        return lines_compare(actual, actual_size, expected, expected_size, NULL);
}

static void check_lines(const char *actual, size_t actual_size, const char *expected, size_t expected_size,
                        CheckResult *ret) {
        char qa[SNIPPET_MAX + 1], qe[SNIPPET_MAX + 1];
        LinesDiff d;

        if (lines_compare(actual, actual_size, expected, expected_size, &d))
                return result_set(ret, VERDICT_ACCEPTED, NAN, "ok: %zu line%s", d.expected_lines,
                                  plural(d.expected_lines));
        if (d.line == 0)
                return result_set(ret, VERDICT_WRONG_ANSWER, NAN, "wrong answer: expected %zu line%s, found %zu",
                                  d.expected_lines, plural(d.expected_lines), d.actual_lines);
        escape_cut(qa, sizeof(qa), d.actual, d.actual_size);
        escape_cut(qe, sizeof(qe), d.expected, d.expected_size);
        result_set(ret, VERDICT_WRONG_ANSWER, NAN, "wrong answer: line %zu differs: expected '%s', found '%s'", d.line,
                   qe, qa);
}

static void check_exact(const char *actual, size_t actual_size, const char *expected, size_t expected_size,
                        CheckResult *ret) {
        size_t n = actual_size < expected_size ? actual_size : expected_size, i = 0, line = 1;

        while (i < n && actual[i] == expected[i])
                i++;
        if (i == n) {
                if (actual_size == expected_size)
                        return result_set(ret, VERDICT_ACCEPTED, NAN, "ok: %zu byte%s", expected_size,
                                          plural(expected_size));
                return result_set(ret, VERDICT_WRONG_ANSWER, NAN, "wrong answer: expected %zu byte%s, found %zu",
                                  expected_size, plural(expected_size), actual_size);
        }
        for (const char *p = expected; (p = memchr(p, '\n', (size_t) (expected + i - p))); p++)
                line++;
        result_set(ret, VERDICT_WRONG_ANSWER, NAN, "wrong answer: byte %zu differs (line %zu)", i + 1, line);
}

/* The next whitespace-separated token; false at the end. */
static bool next_token(Cursor *c, const char **ret, size_t *ret_size) {
        while (c->p < c->end && is_space(*c->p))
                c->p++;
        if (c->p == c->end)
                return false;
        *ret = c->p;
        while (c->p < c->end && !is_space(*c->p))
                c->p++;
        *ret_size = (size_t) (c->p - *ret);
        return true;
}

static size_t count_tokens(Cursor *c) {
        const char *t;
        size_t n, count = 0;

        while (next_token(c, &t, &n))
                count++;
        return count;
}

static size_t count_digits(const char *s, size_t n) {
        size_t i = 0;

        while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        return i;
}

/* @s is @word (lower case) in any case; by hand, as strncasecmp() would stop at a NUL in @s. */
static bool equal_ignoring_case(const char *s, size_t n, const char *word) {
        if (n != strlen(word))
                return false;
        for (size_t i = 0; i < n; i++)
                if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]) != word[i])
                        return false;
        return true;
}

/* @s in full is [+-]?(D+(\.D*)?|\.D+)([eE][+-]?D+)? or [+-]?(inf|infinity|nan): a subset of what
 * strtod() reads, so that it reads exactly @s. */
static bool is_numeral(const char *s, size_t n) {
        size_t i = 0;

        if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
        if (equal_ignoring_case(s + i, n - i, "inf") || equal_ignoring_case(s + i, n - i, "infinity") ||
            equal_ignoring_case(s + i, n - i, "nan"))
                return true;

        size_t whole = count_digits(s + i, n - i), fraction = 0;
        i += whole;
        if (i < n && s[i] == '.') {
                i++;
                fraction = count_digits(s + i, n - i);
                i += fraction;
        }
        if (whole == 0 && fraction == 0)
                return false;
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        i++;
                size_t exponent = count_digits(s + i, n - i);
                if (exponent == 0)
                        return false;
                i += exponent;
        }
        return i == n;
}

/* The value of the token @t (@n bytes) of a text ending at @end. strtod() needs a terminator: a
 * whitespace byte after the token is one, so only a token at the very end is copied.
 * Return: 1 and the value (an overflow is that infinity), 0 if not a number, or -ENOMEM. */
static int token_value(const char *t, size_t n, const char *end, double *ret) {
        _cleanup_free_ char *copy = NULL;
        char buf[512];
        const char *s = t;
        char *stop;

        if (!is_numeral(t, n))
                return 0;
        if (t + n == end) {
                char *d = buf;
                if (n >= sizeof(buf)) {
                        d = copy = malloc(n + 1);
                        if (!copy)
                                return -ENOMEM;
                }
                memcpy(d, t, n);
                d[n] = 0;
                s = d;
        }
        *ret = strtod(s, &stop);
        assert(stop == s + n);
        return 1;
}

static bool numbers_equal(double a, double e, double abs_tol, double rel_tol) {
        if (isnan(a) || isnan(e))
                return isnan(a) && isnan(e);
        if (isinf(a) || isinf(e))
                return a == e;

        double d = fabs(a - e);
        return d <= abs_tol || d <= rel_tol * fabs(e);
}

/* Tokens equal as bytes, or (@numbers) both numbers and equal within the tolerances.
 * Return: 1 if equal, 0 if not, or -ENOMEM. */
static int tokens_equal(bool numbers, double abs_tol, double rel_tol, const char *ta, size_t na, const char *end_a,
                        const char *te, size_t ne, const char *end_e) {
        double a, e;
        int r;

        if (na == ne && memcmp(ta, te, na) == 0)
                return 1;
        if (!numbers)
                return 0;
        r = token_value(ta, na, end_a, &a);
        if (r <= 0)
                return r;
        r = token_value(te, ne, end_e, &e);
        if (r <= 0)
                return r;
        return numbers_equal(a, e, abs_tol, rel_tol);
}

static void check_tokens(bool numbers, double abs_tol, double rel_tol, const char *actual, size_t actual_size,
                         const char *expected, size_t expected_size, CheckResult *ret) {
        Cursor a = { actual, actual + actual_size }, e = { expected, expected + expected_size };
        char qa[SNIPPET_MAX + 1], qe[SNIPPET_MAX + 1];

        for (size_t i = 1;; i++) {
                const char *ta, *te;
                size_t na, ne;
                bool ha = next_token(&a, &ta, &na), he = next_token(&e, &te, &ne);
                if (!ha || !he) {
                        size_t ca = i - 1 + ha + (ha ? count_tokens(&a) : 0);
                        size_t ce = i - 1 + he + (he ? count_tokens(&e) : 0);
                        if (ha == he)
                                return result_set(ret, VERDICT_ACCEPTED, NAN, "ok: %zu token%s", ce, plural(ce));
                        return result_set(ret, VERDICT_WRONG_ANSWER, NAN, "wrong answer: expected %zu token%s, found %zu",
                                          ce, plural(ce), ca);
                }

                int r = tokens_equal(numbers, abs_tol, rel_tol, ta, na, a.end, te, ne, e.end);
                if (r < 0)
                        return result_set(ret, VERDICT_INTERNAL_ERROR, NAN, "checker failed: out of memory");
                if (r == 0) {
                        escape_cut(qa, sizeof(qa), ta, na);
                        escape_cut(qe, sizeof(qe), te, ne);
                        return result_set(ret, VERDICT_WRONG_ANSWER, NAN,
                                          "wrong answer: token %zu differs: expected '%s', found '%s'", i, qe, qa);
                }
        }
}

void checker_compare(CheckerType type, double abs_tol, double rel_tol, const char *actual, size_t actual_size,
                     const char *expected, size_t expected_size, CheckResult *ret) {
        /* NULL for an empty text: a Buffer that never grew. */
        actual = actual ?: "";
        expected = expected ?: "";

        switch (type) {
        case CHECKER_LINES:
                return check_lines(actual, actual_size, expected, expected_size, ret);
        case CHECKER_EXACT:
                return check_exact(actual, actual_size, expected, expected_size, ret);
        case CHECKER_TOKENS:
                return check_tokens(false, 0, 0, actual, actual_size, expected, expected_size, ret);
        case CHECKER_FLOAT:
                return check_tokens(true, abs_tol, rel_tol, actual, actual_size, expected, expected_size, ret);
        case CHECKER_CUSTOM:
        case _CHECKER_TYPE_MAX:
        default:
                if (checker_type_to_string(type))
                        return result_set(ret, VERDICT_INTERNAL_ERROR, NAN, "checker failed: %s is not a built-in checker",
                                          checker_type_to_string(type));
                return result_set(ret, VERDICT_INTERNAL_ERROR, NAN, "checker failed: unknown checker type %d", (int) type);
        }
}

/* The message: @head (if any), then ": " and the first line of stderr; that line alone without a
 * head, or @otherwise if the line is empty. */
static void judge_message(CheckResult *ret, const char *head, const char *otherwise, const char *err, size_t err_size) {
        const char *nl = err_size > 0 ? memchr(err, '\n', err_size) : NULL;
        size_t n = nl ? (size_t) (nl - err) : err_size, k = 0;

        while (n > 0 && is_line_blank(err[n - 1]))
                n--;
        if (head) {
                k = (size_t) snprintf(ret->message, sizeof(ret->message), "%s%s", head, n > 0 ? ": " : "");
                /* The heads are short (a 32-byte snippet at most), leaving escape_cut() its room. */
                assert(k + 4 <= sizeof(ret->message));
        } else if (n == 0) {
                snprintf(ret->message, sizeof(ret->message), "%s", otherwise);
                return;
        }
        escape_cut(ret->message + k, sizeof(ret->message) - k, err, n);
}

void checker_judge_exit(bool exited, int status, const char *out, size_t out_size, const char *err, size_t err_size,
                        CheckResult *ret) {
        char head[CHECK_MESSAGE_MAX], otherwise[64];
        Cursor c = { out ?: "", (out ?: "") + out_size };
        const char *token;
        size_t n;
        double score;

        err = err ?: "";
        ret->verdict = VERDICT_INTERNAL_ERROR;
        ret->score = NAN;
        if (!exited) {
                snprintf(head, sizeof(head), "checker failed (killed by signal %d)", status);
                return judge_message(ret, head, NULL, err, err_size);
        }
        switch (status) {
        case 0:
                ret->verdict = VERDICT_ACCEPTED;
                ret->score = 1;
                return judge_message(ret, NULL, "accepted", err, err_size);
        case 1:
                ret->verdict = VERDICT_WRONG_ANSWER;
                ret->score = 0;
                return judge_message(ret, NULL, "wrong answer", err, err_size);
        case 2:
                ret->verdict = VERDICT_PRESENTATION_ERROR;
                ret->score = 0;
                return judge_message(ret, NULL, "presentation error", err, err_size);
        case 7:
                if (!next_token(&c, &token, &n)) {
                        snprintf(head, sizeof(head), "checker failed (exit 7): no score on stdout");
                        return judge_message(ret, head, NULL, err, err_size);
                }
                /* inf and nan are numerals, but not in [0, 1]. Compared once read: "0.99999999999999999",
                 * which strtod() rounds to 1, is accepted. */
                if (token_value(token, n, c.end, &score) <= 0 || !(score >= 0 && score <= 1)) {
                        char q[SNIPPET_MAX + 1];
                        escape_cut(q, sizeof(q), token, n);
                        snprintf(head, sizeof(head), "checker failed (exit 7): score '%s' is not a decimal number in [0, 1]",
                                 q);
                        return judge_message(ret, head, NULL, err, err_size);
                }
                ret->score = score + 0.0;   /* not -0 */
                ret->verdict = score == 1 ? VERDICT_ACCEPTED : VERDICT_WRONG_ANSWER;
                snprintf(otherwise, sizeof(otherwise), "partial score %g", ret->score);
                return judge_message(ret, NULL, otherwise, err, err_size);
        default:
                snprintf(head, sizeof(head), "checker failed (exit %d)", status);
                return judge_message(ret, head, NULL, err, err_size);
        }
}
