/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "checker.h"
#include "test-helpers.h"

/* Sized texts, so NUL bytes can be compared too. */
#define T(s) s, sizeof(s) - 1

#define MIB (1024 * 1024)

static const struct {
        const char *name;
        const char *actual;
        size_t actual_size;
        const char *expected;
        size_t expected_size;
        bool match;
} match_cases[] = {
        { "both empty", T(""), T(""), true },
        { "same", T("1 2\n3\n"), T("1 2\n3\n"), true },
        { "missing final newline", T("a\nb"), T("a\nb\n"), true },
        { "trailing empty lines", T("a\n"), T("a\n\n\n"), true },
        { "trailing lines of blanks", T("a\n \n\t\r\n"), T("a"), true },
        { "trailing spaces", T("a   \nb  "), T("a\nb"), true },
        { "trailing tabs", T("a\t\t\nb\t"), T("a\nb"), true },
        { "CRLF", T("a\r\nb\r\n"), T("a\nb\n"), true },
        { "trailing mixed blanks", T("a \t\r \n"), T("a\n"), true },
        { "trailing vertical tab and form feed", T("a\v\f\n"), T("a\n"), true },
        { "an inner line of blanks is an empty line", T("a\n  \t\nb\n"), T("a\n\nb\n"), true },
        { "nothing against only empty lines", T(""), T("\n\n\n"), true },
        { "nothing against only blanks", T(""), T(" \n\t\n \r\n"), true },
        { "NUL bytes, equal", T("a\0b\n"), T("a\0b\n"), true },
        { "leading spaces", T(" a\n"), T("a\n"), false },
        { "leading tab", T("\ta"), T("a"), false },
        { "leading empty line", T("\na\n"), T("a\n"), false },
        { "inner empty line", T("a\n\nb\n"), T("a\nb\n"), false },
        { "inner spaces", T("a  b"), T("a b"), false },
        { "case", T("A"), T("a"), false },
        { "one line more", T("1\n2\n3\n"), T("1\n2\n"), false },
        { "a prefix of the line", T("ab"), T("a"), false },
        { "something against nothing", T("x"), T(""), false },
        { "a blank line then text", T("\n \nx"), T(""), false },
        { "NUL bytes differ", T("a\0b"), T("a\0c"), false },
        { "a trailing NUL is not blank", T("a\0"), T("a"), false },
        { "CR inside a line", T("a\rb"), T("ab"), false },
        { "line breaks are not blanks", T("a b"), T("a\nb"), false },
};

static void test_output_matches(size_t i) {
        const __typeof__(match_cases[0]) *c = &match_cases[i];

        test_case_begin("output_matches: %s", c->name);
        ASSERT_INT_EQ(output_matches(c->actual, c->actual_size, c->expected, c->expected_size), c->match);
        /* Either way round. */
        ASSERT_INT_EQ(output_matches(c->expected, c->expected_size, c->actual, c->actual_size), c->match);
}

/* The lines checker is output_matches(), whatever its message says. */
static void test_lines_verdict(size_t i) {
        const __typeof__(match_cases[0]) *c = &match_cases[i];
        Verdict v = c->match ? VERDICT_ACCEPTED : VERDICT_WRONG_ANSWER;
        CheckResult r;

        test_case_begin("lines checker: %s", c->name);
        checker_compare(CHECKER_LINES, 0, 0, c->actual, c->actual_size, c->expected, c->expected_size, &r);
        ASSERT_INT_EQ(r.verdict, v);
        ASSERT_TRUE(isnan(r.score));
        ASSERT_TRUE(r.message[0] != 0);
        checker_compare(CHECKER_LINES, 0, 0, c->expected, c->expected_size, c->actual, c->actual_size, &r);
        ASSERT_INT_EQ(r.verdict, v);
}

#define AC VERDICT_ACCEPTED
#define WA VERDICT_WRONG_ANSWER
#define IE VERDICT_INTERNAL_ERROR

/* Tolerances exactly representable, or values far enough from them that a rounding of theirs
 * cannot matter: 2^-20 is exact, and 1 + 2^-20 too, so 1 against it is exactly at the tolerance;
 * rel 0.25 of 4 is exactly 1. 1e-6 is not exact, so 1e9 is tried 500 and 2000 away from 1000. */
static const struct {
        const char *name;
        CheckerType type;
        double abs_tol, rel_tol;
        const char *actual;
        size_t actual_size;
        const char *expected;
        size_t expected_size;
        Verdict verdict;
        const char *message;        /* NULL: not checked */
} compare_cases[] = {
        /* lines: messages */
        { "lines: ok", CHECKER_LINES, 0, 0, T("1\n2\n3\n"), T("1\n2\n3"), AC, "ok: 3 lines" },
        { "lines: one", CHECKER_LINES, 0, 0, T("x"), T("x\n"), AC, "ok: 1 line" },
        { "lines: none", CHECKER_LINES, 0, 0, T("\n \n"), T(""), AC, "ok: 0 lines" },
        { "lines: a line differs", CHECKER_LINES, 0, 0, T("1\n6\n3\n"), T("1\n5\n3\n"), WA,
          "wrong answer: line 2 differs: expected '5', found '6'" },
        { "lines: the message quotes lines without trailing blanks", CHECKER_LINES, 0, 0, T("a  \nb \r\n"), T("a\nc\n"),
          WA, "wrong answer: line 2 differs: expected 'c', found 'b'" },
        { "lines: one line less", CHECKER_LINES, 0, 0, T("1\n2\n"), T("1\n2\n3\n"), WA,
          "wrong answer: expected 3 lines, found 2" },
        { "lines: one line more", CHECKER_LINES, 0, 0, T("1\n2\n3\n4\n"), T("1\n2\n3\n"), WA,
          "wrong answer: expected 3 lines, found 4" },
        { "lines: nothing", CHECKER_LINES, 0, 0, T(""), T("1\n"), WA, "wrong answer: expected 1 line, found 0" },
        { "lines: only empty lines found", CHECKER_LINES, 0, 0, T("\n\n\n"), T("1\n\n2\n"), WA,
          "wrong answer: expected 3 lines, found 0" },
        { "lines: an inner empty line counts", CHECKER_LINES, 0, 0, T("1\n\n2\n"), T("1\n"), WA,
          "wrong answer: expected 1 line, found 3" },
        { "lines: control bytes escaped", CHECKER_LINES, 0, 0, T("a\tb\0\x1b\x7f"), T("a b"), WA,
          "wrong answer: line 1 differs: expected 'a b', found 'a\\x09b\\x00\\x1b\\x7f'" },
        { "lines: 32 bytes shown whole", CHECKER_LINES, 0, 0, T("abcdefghijklmnopqrstuvwxyz012345"), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found 'abcdefghijklmnopqrstuvwxyz012345'" },
        { "lines: 33 bytes cut", CHECKER_LINES, 0, 0, T("abcdefghijklmnopqrstuvwxyz0123456"), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found 'abcdefghijklmnopqrstuvwxyz012...'" },
        { "lines: cut between UTF-8 characters", CHECKER_LINES, 0, 0,
          T("a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
          T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found 'a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...'" },
        { "lines: cut between escapes", CHECKER_LINES, 0, 0, T("\1\1\1\1\1\1\1\1\1\1"), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found '\\x01\\x01\\x01\\x01\\x01\\x01\\x01...'" },
        /* Bytes that are no UTF-8 character are one each: the cut comes after 28 a's and \xc3 (or \xf8). */
        { "lines: a lead byte without its continuation is one byte", CHECKER_LINES, 0, 0,
          T("aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3((((("), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3...'" },
        { "lines: \\xf8 is no lead byte", CHECKER_LINES, 0, 0, T("aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xf8\x80\x80\x80" "b"), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa\xf8...'" },
        /* The text ends inside the sequence (the byte after it is not the text's): 32 bytes, shown whole. */
        { "lines: a sequence cut by the end of the text", CHECKER_LINES, 0, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x82\xac", 32,
          T("x"), WA, "wrong answer: line 1 differs: expected 'x', found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe2\x82'" },
        { "lines: a broken UTF-8 sequence is bytes", CHECKER_LINES, 0, 0, T("\xc3("), T("x"), WA,
          "wrong answer: line 1 differs: expected 'x', found '\xc3('" },

        /* exact */
        { "exact: equal", CHECKER_EXACT, 0, 0, T("1 2\n3\n"), T("1 2\n3\n"), AC, "ok: 6 bytes" },
        { "exact: one byte", CHECKER_EXACT, 0, 0, T("x"), T("x"), AC, "ok: 1 byte" },
        { "exact: trailing newline missing", CHECKER_EXACT, 0, 0, T("abc"), T("abc\n"), WA,
          "wrong answer: expected 4 bytes, found 3" },
        { "exact: trailing newline more", CHECKER_EXACT, 0, 0, T("abc\n"), T("abc"), WA,
          "wrong answer: expected 3 bytes, found 4" },
        { "exact: trailing space", CHECKER_EXACT, 0, 0, T("abc \n"), T("abc\n"), WA, "wrong answer: byte 4 differs (line 1)" },
        { "exact: CRLF", CHECKER_EXACT, 0, 0, T("a\r\n"), T("a\n"), WA, "wrong answer: byte 2 differs (line 1)" },
        { "exact: NUL bytes equal", CHECKER_EXACT, 0, 0, T("a\0b"), T("a\0b"), AC, "ok: 3 bytes" },
        { "exact: NUL bytes differ", CHECKER_EXACT, 0, 0, T("a\0b"), T("a\0c"), WA, "wrong answer: byte 3 differs (line 1)" },
        { "exact: a NUL against nothing", CHECKER_EXACT, 0, 0, T("a\0"), T("a"), WA, "wrong answer: expected 1 byte, found 2" },
        { "exact: on line 2", CHECKER_EXACT, 0, 0, T("1\n6\n3\n"), T("1\n5\n3\n"), WA, "wrong answer: byte 3 differs (line 2)" },
        { "exact: at a line break", CHECKER_EXACT, 0, 0, T("a b"), T("a\nb"), WA, "wrong answer: byte 2 differs (line 1)" },
        { "exact: line 3", CHECKER_EXACT, 0, 0, T("\n\nx"), T("\n\ny"), WA, "wrong answer: byte 3 differs (line 3)" },
        { "exact: empty vs empty", CHECKER_EXACT, 0, 0, T(""), T(""), AC, "ok: 0 bytes" },
        { "exact: empty vs something", CHECKER_EXACT, 0, 0, T(""), T("x"), WA, "wrong answer: expected 1 byte, found 0" },
        { "exact: something vs empty", CHECKER_EXACT, 0, 0, T("x\n"), T(""), WA, "wrong answer: expected 0 bytes, found 2" },

        /* tokens */
        { "tokens: equal", CHECKER_TOKENS, 0, 0, T("1 2 3 4\n"), T("1 2 3 4\n"), AC, "ok: 4 tokens" },
        { "tokens: spacing and lines differ", CHECKER_TOKENS, 0, 0, T("  1\t2\r\n\n3\v4\f"), T("1 2\n3 4"), AC,
          "ok: 4 tokens" },
        { "tokens: one", CHECKER_TOKENS, 0, 0, T("x"), T("\nx\n"), AC, "ok: 1 token" },
        { "tokens: one more", CHECKER_TOKENS, 0, 0, T("1 2 3 4 5"), T("1 2 3 4"), WA,
          "wrong answer: expected 4 tokens, found 5" },
        { "tokens: one less", CHECKER_TOKENS, 0, 0, T("1 2 3\n"), T("1 2 3 4\n"), WA,
          "wrong answer: expected 4 tokens, found 3" },
        { "tokens: nothing", CHECKER_TOKENS, 0, 0, T(" \n"), T("1 2"), WA, "wrong answer: expected 2 tokens, found 0" },
        { "tokens: both empty", CHECKER_TOKENS, 0, 0, T(""), T(""), AC, "ok: 0 tokens" },
        { "tokens: only whitespace", CHECKER_TOKENS, 0, 0, T(" \t\n"), T("\r\n"), AC, "ok: 0 tokens" },
        { "tokens: a token differs", CHECKER_TOKENS, 0, 0, T("1 2 1.6"), T("1 2 1.5"), WA,
          "wrong answer: token 3 differs: expected '1.5', found '1.6'" },
        { "tokens: not numbers", CHECKER_TOKENS, 0, 0, T("1.0"), T("1"), WA,
          "wrong answer: token 1 differs: expected '1', found '1.0'" },
        { "tokens: case", CHECKER_TOKENS, 0, 0, T("Yes"), T("YES"), WA, "wrong answer: token 1 differs: expected 'YES', found 'Yes'" },
        { "tokens: a prefix", CHECKER_TOKENS, 0, 0, T("ab"), T("a b"), WA, "wrong answer: token 1 differs: expected 'a', found 'ab'" },
        { "tokens: NUL inside a token, equal", CHECKER_TOKENS, 0, 0, T("a\0b c"), T("a\0b\nc"), AC, "ok: 2 tokens" },
        { "tokens: NUL is not whitespace", CHECKER_TOKENS, 0, 0, T("a\0b"), T("a b"), WA,
          "wrong answer: token 1 differs: expected 'a', found 'a\\x00b'" },
        { "tokens: NUL inside a token differs", CHECKER_TOKENS, 0, 0, T("a\0c"), T("a\0b"), WA,
          "wrong answer: token 1 differs: expected 'a\\x00b', found 'a\\x00c'" },

        /* float: the tolerances */
        { "float: exactly at abs_tol", CHECKER_FLOAT, 0x1p-20, 0, T("1.00000095367431640625"), T("1"), AC, "ok: 1 token" },
        { "float: exactly at abs_tol, below", CHECKER_FLOAT, 0x1p-20, 0, T("0.99999904632568359375"), T("1"), AC, NULL },
        { "float: beyond abs_tol", CHECKER_FLOAT, 0x1p-20, 0, T("1.0000019073486328125"), T("1"), WA,
          "wrong answer: token 1 differs: expected '1', found '1.0000019073486328125'" },
        { "float: exactly at rel_tol", CHECKER_FLOAT, 0, 0.25, T("5"), T("4"), AC, NULL },
        { "float: exactly at rel_tol, negative", CHECKER_FLOAT, 0, 0.25, T("-3"), T("-4"), AC, NULL },
        { "float: beyond rel_tol", CHECKER_FLOAT, 0, 0.25, T("5.5"), T("4"), WA, NULL },
        { "float: rel_tol is of the expected value", CHECKER_FLOAT, 0, 0.5, T("2"), T("1"), WA, NULL },
        { "float: rel_tol on large values", CHECKER_FLOAT, 0, 1e-6, T("1000000500"), T("1e9"), AC, NULL },
        { "float: beyond rel_tol on large values", CHECKER_FLOAT, 0, 1e-6, T("1000002000"), T("1e9"), WA, NULL },
        { "float: either tolerance", CHECKER_FLOAT, 0.5, 1e-9, T("1.5"), T("1"), AC, NULL },
        { "float: either tolerance, rel", CHECKER_FLOAT, 1e-9, 0.5, T("1.5"), T("1"), AC, NULL },
        { "float: no tolerance", CHECKER_FLOAT, 0, 0, T("0.1"), T("0.10"), AC, NULL },
        { "float: no tolerance, the next double", CHECKER_FLOAT, 0, 0, T("1.0000000000000002"), T("1"), WA, NULL },
        { "float: 2nd token", CHECKER_FLOAT, 0.01, 0, T("1 2.5\n"), T("1.001 2.4"), WA,
          "wrong answer: token 2 differs: expected '2.4', found '2.5'" },
        /* float: syntax */
        { "float: exponent", CHECKER_FLOAT, 0, 0, T("1e3"), T("1000.0"), AC, NULL },
        { "float: exponent, signed", CHECKER_FLOAT, 0, 0, T("1E+3 25e-1"), T("1000 2.5"), AC, "ok: 2 tokens" },
        { "float: -0 and 0", CHECKER_FLOAT, 0, 0, T("-0"), T("0"), AC, NULL },
        { "float: -0.0 and +0", CHECKER_FLOAT, 0, 0, T("-0.0"), T("+0"), AC, NULL },
        { "float: +1 and 1", CHECKER_FLOAT, 0, 0, T("+1"), T("1"), AC, NULL },
        { "float: -1 and 1", CHECKER_FLOAT, 0, 0, T("-1"), T("1"), WA, NULL },
        { "float: 5. and .5", CHECKER_FLOAT, 0, 0, T("5. .5"), T("5 0.5"), AC, NULL },
        { "float: a dot is text", CHECKER_FLOAT, 1, 0, T("."), T("0"), WA, NULL },
        { "float: a dot against a dot", CHECKER_FLOAT, 0, 0, T("."), T("."), AC, NULL },
        { "float: an exponent without digits is text", CHECKER_FLOAT, 1, 0, T("1e"), T("1"), WA, NULL },
        { "float: an exponent sign without digits is text", CHECKER_FLOAT, 1, 0, T("1e+"), T("1"), WA, NULL },
        { "float: a sign alone is text", CHECKER_FLOAT, 1, 0, T("+"), T("-"), WA, NULL },
        { "float: a decimal comma is text", CHECKER_FLOAT, 1, 0, T("1,5"), T("1.5"), WA, NULL },
        { "float: trailing garbage is text", CHECKER_FLOAT, 1, 0, T("1.5x"), T("1.5"), WA, NULL },
        { "float: hex is text", CHECKER_FLOAT, 1, 0, T("0x10"), T("16"), WA,
          "wrong answer: token 1 differs: expected '16', found '0x10'" },
        { "float: hex against the same hex", CHECKER_FLOAT, 0, 0, T("0x10"), T("0x10"), AC, NULL },
        { "float: hex float is text", CHECKER_FLOAT, 1, 0, T("0x1p0"), T("1"), WA, NULL },
        { "float: underflow is 0", CHECKER_FLOAT, 0, 0, T("1e-400"), T("0"), AC, NULL },
        { "float: NaN and NaN", CHECKER_FLOAT, 0, 0, T("NaN"), T("nan"), AC, NULL },
        { "float: -nan and nan", CHECKER_FLOAT, 0, 0, T("-nan"), T("+NAN"), AC, NULL },
        { "float: NaN and 1", CHECKER_FLOAT, 1e300, 1e300, T("nan"), T("1"), WA, NULL },
        { "float: 1 and NaN", CHECKER_FLOAT, 1e300, 1e300, T("1"), T("nan"), WA, NULL },
        { "float: nan(...) is text", CHECKER_FLOAT, 0, 0, T("nan(1)"), T("nan"), WA, NULL },
        { "float: inf and Infinity", CHECKER_FLOAT, 0, 0, T("inf"), T("Infinity"), AC, NULL },
        { "float: INF and +inf", CHECKER_FLOAT, 0, 0, T("INF"), T("+inf"), AC, NULL },
        { "float: inf and -inf", CHECKER_FLOAT, 1e300, 1e300, T("inf"), T("-inf"), WA, NULL },
        { "float: inf and a large number", CHECKER_FLOAT, 1e308, 1e308, T("inf"), T("1e308"), WA, NULL },
        { "float: a large number and inf", CHECKER_FLOAT, 1e308, 1e308, T("1e308"), T("inf"), WA, NULL },
        { "float: infinit is text", CHECKER_FLOAT, 0, 0, T("infinit"), T("inf"), WA, NULL },
        { "float: 1e999 is inf", CHECKER_FLOAT, 0, 0, T("1e999"), T("inf"), AC, NULL },
        { "float: -1e999 is -inf", CHECKER_FLOAT, 0, 0, T("-inf"), T("-1e999"), AC, NULL },
        { "float: 1e999 and 1e308", CHECKER_FLOAT, 1e308, 0, T("1e999"), T("1e308"), WA, NULL },
        { "float: a huge difference", CHECKER_FLOAT, 1e308, 0, T("1.7e308"), T("-1.7e308"), WA, NULL },
        { "float: a huge exponent", CHECKER_FLOAT, 0, 0, T("1e99999999999999999999"), T("inf"), AC, NULL },
        { "float: a NUL makes text", CHECKER_FLOAT, 1, 0, T("1\0"), T("1"), WA,
          "wrong answer: token 1 differs: expected '1', found '1\\x00'" },
        { "float: a NUL in both, equal bytes", CHECKER_FLOAT, 0, 0, T("1\0"), T("1\0"), AC, NULL },
        { "float: inf with a NUL is text", CHECKER_FLOAT, 0, 0, T("inf\0"), T("inf"), WA, NULL },
        /* float: words */
        { "float: words equal", CHECKER_FLOAT, 0.1, 0.1, T("abc 1"), T("abc 1.01"), AC, "ok: 2 tokens" },
        { "float: words differ", CHECKER_FLOAT, 0.1, 0.1, T("abd"), T("abc"), WA,
          "wrong answer: token 1 differs: expected 'abc', found 'abd'" },
        { "float: a word against a number", CHECKER_FLOAT, 1, 1, T("one"), T("1"), WA, NULL },
        /* float: strtod()'s terminator, a whitespace byte or none */
        { "float: the last token", CHECKER_FLOAT, 0, 0, T("1.5"), T("1.50"), AC, NULL },
        { "float: followed by whitespace", CHECKER_FLOAT, 0, 0, T("1.5\n"), T("1.50\n"), AC, NULL },
        { "float: followed by a token", CHECKER_FLOAT, 0, 0, T("1.5 2"), T("1.50\t2"), AC, NULL },
        /* The byte after a text is not its own: strtod() must not read it. */
        { "float: the text ends where its size says", CHECKER_FLOAT, 0, 0, "1.59", 3, "1.57", 3, AC, NULL },
        /* float: counts */
        { "float: nothing against 1", CHECKER_FLOAT, 1, 1, T(""), T("1"), WA, "wrong answer: expected 1 token, found 0" },
        { "float: one less", CHECKER_FLOAT, 1, 1, T("1 2"), T("1 2 3"), WA, "wrong answer: expected 3 tokens, found 2" },
        { "float: both empty", CHECKER_FLOAT, 0, 0, T(""), T("\n"), AC, "ok: 0 tokens" },

        /* not built in */
        { "custom is not built in", CHECKER_CUSTOM, 0, 0, T("1"), T("1"), IE, "checker failed: custom is not a built-in checker" },
        { "an unknown type", (CheckerType) 99, 0, 0, T("1"), T("1"), IE, "checker failed: unknown checker type 99" },
        { "a negative type", (CheckerType) -1, 0, 0, T("1"), T("1"), IE, "checker failed: unknown checker type -1" },
};

static void test_compare(size_t i) {
        const __typeof__(compare_cases[0]) *c = &compare_cases[i];
        CheckResult r;

        test_case_begin("checker_compare: %s", c->name);
        memset(&r, 'x', sizeof(r));
        checker_compare(c->type, c->abs_tol, c->rel_tol, c->actual, c->actual_size, c->expected, c->expected_size, &r);
        ASSERT_INT_EQ(r.verdict, c->verdict);
        ASSERT_TRUE(isnan(r.score));
        ASSERT_TRUE(memchr(r.message, 0, sizeof(r.message)) != NULL);
        ASSERT_TRUE(r.message[0] != 0);
        ASSERT_TRUE(strchr(r.message, '\n') == NULL);
        if (c->message)
                ASSERT_STR_EQ(r.message, c->message);
}

/* A Buffer that never grew has no data. */
static void test_compare_null(void) {
        CheckResult r;

        for (CheckerType t = 0; t < CHECKER_CUSTOM; t++) {
                checker_compare(t, 0, 0, NULL, 0, NULL, 0, &r);
                ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
                checker_compare(t, 0, 0, NULL, 0, T("1"), &r);
                ASSERT_INT_EQ(r.verdict, VERDICT_WRONG_ANSWER);
        }
}

/* @n bytes of @fill, then @tail (which may be NULL). */
static char *make_text(char fill, size_t n, const char *tail, size_t *ret_size) {
        size_t k = tail ? strlen(tail) : 0;
        char *s = malloc(n + k + 1);

        if (!s)
                abort();
        memset(s, fill, n);
        memcpy(s + n, tail ?: "", k + 1);
        *ret_size = n + k;
        return s;
}

/* Huge texts: each would take minutes if some step were quadratic, or crash with a stack copy. */
static const struct {
        const char *name;
        CheckerType type;
        double abs_tol;
        char fill_a;                /* actual: MIB of this, then tail_a */
        const char *tail_a;
        char fill_e;                /* expected: MIB of this, then tail_e; 0: tail_e alone */
        const char *tail_e;
        Verdict verdict;
        const char *message;        /* NULL: not checked */
} huge_cases[] = {
        { "tokens: a 1 MiB token", CHECKER_TOKENS, 0, 'a', NULL, 'a', NULL, AC, "ok: 1 token" },
        { "tokens: a 1 MiB token differs in its last byte", CHECKER_TOKENS, 0, 'a', "b", 'a', "c", WA,
          "wrong answer: token 1 differs: expected 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...', found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
        { "float: 1 MiB of digits", CHECKER_FLOAT, 0, '1', NULL, '1', NULL, AC, NULL },
        { "float: a 1 MiB word differs in its last byte", CHECKER_FLOAT, 0, 'a', "b", 'a', "c", WA, NULL },
        /* Both overflow to +inf, and two infinities alike are equal. */
        { "float: 1 MiB of digits differs in its last byte", CHECKER_FLOAT, 0, '1', "1", '1', "2", AC, NULL },
        { "float: 1 MiB of digits differs in its last byte, then a newline", CHECKER_FLOAT, 0, '1', "1\n", '1', "2\n",
          AC, NULL },
        { "float: 1 MiB of digits and inf", CHECKER_FLOAT, 0, '9', NULL, 0, "inf", AC, NULL },
        { "float: 1 MiB of leading zeros", CHECKER_FLOAT, 0, '0', "1.5", 0, "1.5", AC, NULL },
        { "float: 1 MiB of leading zeros, then a newline", CHECKER_FLOAT, 0, '0', "1.5\n", 0, "1.5", AC, NULL },
        { "float: 1 MiB of leading zeros, a different number", CHECKER_FLOAT, 0, '0', "1.5", 0, "1.25", WA, NULL },
        { "float: 1 MiB of leading zeros and text", CHECKER_FLOAT, 0, '0', "x", 0, "0x", WA, NULL },
        { "lines: 1 MiB of empty lines, then one", CHECKER_LINES, 0, '\n', "x", '\n', "x", AC, "ok: 1048577 lines" },
        { "lines: 1 MiB of empty lines, then one differs", CHECKER_LINES, 0, '\n', "x", '\n', "y", WA,
          "wrong answer: line 1048577 differs: expected 'y', found 'x'" },
        { "lines: 1 MiB of blank lines", CHECKER_LINES, 0, ' ', "\n", 0, "", AC, "ok: 0 lines" },
        { "exact: 1 MiB", CHECKER_EXACT, 0, 'a', "\n", 'a', "\n", AC, "ok: 1048577 bytes" },
        { "tokens: 1 MiB of whitespace", CHECKER_TOKENS, 0, '\n', "1", ' ', "1", AC, "ok: 1 token" },
};

static void test_huge(size_t i) {
        const __typeof__(huge_cases[0]) *c = &huge_cases[i];
        _cleanup_free_ char *a = NULL, *e = NULL;
        size_t na, ne;
        CheckResult r;

        test_case_begin("checker_compare, huge: %s", c->name);
        a = make_text(c->fill_a, MIB, c->tail_a, &na);
        e = make_text(c->fill_e, c->fill_e ? MIB : 0, c->tail_e, &ne);
        checker_compare(c->type, c->abs_tol, 0, a, na, e, ne, &r);
        ASSERT_INT_EQ(r.verdict, c->verdict);
        if (c->message)
                ASSERT_STR_EQ(r.message, c->message);
}

/* A long numeral is read whole, at any length: its digits past 512 bytes still count. */
static void test_long_numerals(void) {
        _cleanup_free_ char *one = NULL, *tiny = NULL, *big = NULL;
        size_t n;
        CheckResult r;

        /* 1.000...0001: rounds to 1, not to the next double. */
        one = make_text('0', MIB, "1", &n);
        memcpy(one, "1.", 2);
        checker_compare(CHECKER_FLOAT, 0, 0, one, n, T("1"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
        checker_compare(CHECKER_FLOAT, 0, 0, one, n, T("1.0000000000000002"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_WRONG_ANSWER);

        /* Its size ends it, whatever the byte after: "000...0001.5" of "000...0001.52". */
        free(one);
        one = make_text('0', MIB, "1.52", &n);
        checker_compare(CHECKER_FLOAT, 0, 0, one, n - 1, T("1.5"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
        checker_compare(CHECKER_FLOAT, 0, 0, T("1.5"), one, n - 1, &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);

        /* 1000...000e-100000 (100000 zeros) is 1. */
        big = make_text('0', 100001, "e-100000", &n);
        big[0] = '1';
        checker_compare(CHECKER_FLOAT, 0, 0, big, n, T("1"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
        checker_compare(CHECKER_FLOAT, 0, 0, T("1"), big, n, &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);

        /* 0.000...0003e601 (600 zeros): the 3, past 512 bytes, still counts. */
        tiny = make_text('0', 602, "3e601 2", &n);
        tiny[1] = '.';
        checker_compare(CHECKER_FLOAT, 0, 0, tiny, n, T("3 2"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
        checker_compare(CHECKER_FLOAT, 0, 0, tiny, n, T("3.0000001 2"), &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_WRONG_ANSWER);
        ASSERT_STR_EQ(r.message, "wrong answer: token 1 differs: expected '3.0000001', found '0.000000000000000000000000000...'");
}

static const struct {
        CheckerType type;
        const char *name;
} type_cases[] = {
        { CHECKER_LINES, "lines" },
        { CHECKER_EXACT, "exact" },
        { CHECKER_TOKENS, "tokens" },
        { CHECKER_FLOAT, "float" },
        { CHECKER_CUSTOM, "custom" },
};

static void test_type_names(size_t i) {
        test_case_begin("checker_type: %s", type_cases[i].name);
        ASSERT_STR_EQ(checker_type_to_string(type_cases[i].type), type_cases[i].name);
        ASSERT_INT_EQ(checker_type_from_string(type_cases[i].name), (int) type_cases[i].type);
}

static const char *const unknown_types[] = { "", "LINES", "Exact", "line", "lines ", " lines", "tokens\n", "floats", "testlib", NULL };

static void test_type_unknown(size_t i) {
        test_case_begin("checker_type_from_string(\"%s\")", unknown_types[i] ?: "(null)");
        ASSERT_ERRNO_EQ(checker_type_from_string(unknown_types[i]), -EINVAL);
}

static void test_type_out_of_range(void) {
        ASSERT_TRUE(checker_type_to_string(_CHECKER_TYPE_MAX) == NULL);
        ASSERT_TRUE(checker_type_to_string((CheckerType) -1) == NULL);
        ASSERT_TRUE(checker_type_to_string((CheckerType) 1000) == NULL);
}

#define PE VERDICT_PRESENTATION_ERROR

static const struct {
        const char *name;
        bool exited;
        int status;
        const char *out;
        size_t out_size;
        const char *err;
        size_t err_size;
        Verdict verdict;
        double score;               /* NAN: none */
        const char *message;
} judge_cases[] = {
        { "0", true, 0, T(""), T(""), AC, 1, "accepted" },
        { "0 with a message", true, 0, T("ignored"), T("ok 3 numbers\n"), AC, 1, "ok 3 numbers" },
        { "1", true, 1, T(""), T(""), WA, 0, "wrong answer" },
        { "1 with a message", true, 1, T(""), T("wrong answer 1st numbers differ - expected: '5', found: '6'\nsecond line\n"),
          WA, 0, "wrong answer 1st numbers differ - expected: '5', found: '6'" },
        { "1, the first line empty", true, 1, T(""), T("\nsecond line\n"), WA, 0, "wrong answer" },
        { "1, the first line blank", true, 1, T(""), T(" \t\r\nsecond line\n"), WA, 0, "wrong answer" },
        { "1, no newline", true, 1, T(""), T("wrong"), WA, 0, "wrong" },
        { "1, CRLF and trailing blanks", true, 1, T(""), T("wrong  \r\n"), WA, 0, "wrong" },
        { "1, leading blanks kept", true, 1, T(""), T("  wrong\n"), WA, 0, "  wrong" },
        { "1, control bytes", true, 1, T(""), T("a\tb\x1b[31m\0\n"), WA, 0, "a\\x09b\\x1b[31m\\x00" },
        { "2", true, 2, T(""), T(""), PE, 0, "presentation error" },
        { "2 with a message", true, 2, T(""), T("extra spaces\r\n"), PE, 0, "extra spaces" },
        { "3", true, 3, T(""), T(""), IE, NAN, "checker failed (exit 3)" },
        { "3 with a message", true, 3, T("1"), T("cannot open answer file\n"), IE, NAN,
          "checker failed (exit 3): cannot open answer file" },
        { "7, 1", true, 7, T("1"), T(""), AC, 1, "partial score 1" },
        { "7, 1.0", true, 7, T("1.0\n"), T(""), AC, 1, "partial score 1" },
        { "7, 1e0", true, 7, T("1e0"), T(""), AC, 1, "partial score 1" },
        { "7, 0.5", true, 7, T("0.5\n"), T(""), WA, 0.5, "partial score 0.5" },
        { "7, 0.5 with a message", true, 7, T("0.5\n"), T("points 5/10\n"), WA, 0.5, "points 5/10" },
        { "7, the first token", true, 7, T("\n  0.25 of 1\n"), T(""), WA, 0.25, "partial score 0.25" },
        { "7, 0", true, 7, T("0"), T(""), WA, 0, "partial score 0" },
        { "7, -0", true, 7, T("-0"), T(""), WA, 0, "partial score 0" },
        { "7, .75", true, 7, T(".75"), T(""), WA, 0.75, "partial score 0.75" },
        { "7, 0.999999", true, 7, T("0.999999"), T(""), WA, 0.999999, "partial score 0.999999" },
        { "7, 1.5", true, 7, T("1.5"), T(""), IE, NAN,
          "checker failed (exit 7): score '1.5' is not a decimal number in [0, 1]" },
        { "7, -0.1", true, 7, T("-0.1"), T(""), IE, NAN,
          "checker failed (exit 7): score '-0.1' is not a decimal number in [0, 1]" },
        { "7, abc", true, 7, T("abc"), T(""), IE, NAN,
          "checker failed (exit 7): score 'abc' is not a decimal number in [0, 1]" },
        { "7, abc with a message", true, 7, T("abc 1"), T("oops\n"), IE, NAN,
          "checker failed (exit 7): score 'abc' is not a decimal number in [0, 1]: oops" },
        { "7, nan", true, 7, T("nan"), T(""), IE, NAN,
          "checker failed (exit 7): score 'nan' is not a decimal number in [0, 1]" },
        { "7, inf", true, 7, T("inf"), T(""), IE, NAN,
          "checker failed (exit 7): score 'inf' is not a decimal number in [0, 1]" },
        { "7, hex", true, 7, T("0x1"), T(""), IE, NAN,
          "checker failed (exit 7): score '0x1' is not a decimal number in [0, 1]" },
        { "7, 0.5 and a NUL", true, 7, T("0.5\0"), T(""), IE, NAN,
          "checker failed (exit 7): score '0.5\\x00' is not a decimal number in [0, 1]" },
        { "7, no stdout", true, 7, T(""), T("partial\n"), IE, NAN, "checker failed (exit 7): no score on stdout: partial" },
        { "7, blank stdout", true, 7, T(" \n\t"), T(""), IE, NAN, "checker failed (exit 7): no score on stdout" },
        { "4", true, 4, T(""), T(""), IE, NAN, "checker failed (exit 4)" },
        { "4 with a message", true, 4, T(""), T("x\n"), IE, NAN, "checker failed (exit 4): x" },
        { "255", true, 255, T(""), T(""), IE, NAN, "checker failed (exit 255)" },
        { "SIGKILL", false, 9, T(""), T(""), IE, NAN, "checker failed (killed by signal 9)" },
        { "SIGSEGV with a message", false, 11, T("1"), T("Segmentation fault\n"), IE, NAN,
          "checker failed (killed by signal 11): Segmentation fault" },
        { "signal 0 is a signal too", false, 0, T(""), T(""), IE, NAN, "checker failed (killed by signal 0)" },
};

static void test_judge_exit(size_t i) {
        const __typeof__(judge_cases[0]) *c = &judge_cases[i];
        CheckResult r;

        test_case_begin("checker_judge_exit: %s", c->name);
        memset(&r, 'x', sizeof(r));
        checker_judge_exit(c->exited, c->status, c->out, c->out_size, c->err, c->err_size, &r);
        ASSERT_INT_EQ(r.verdict, c->verdict);
        ASSERT_FAIL_IF(isnan(c->score) ? !isnan(r.score) : r.score != c->score || signbit(r.score),
                       "score %g, not %g", r.score, c->score);
        ASSERT_STR_EQ(r.message, c->message);
}

static void test_judge_exit_null(void) {
        CheckResult r;

        checker_judge_exit(true, 0, NULL, 0, NULL, 0, &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_ACCEPTED);
        ASSERT_STR_EQ(r.message, "accepted");
        checker_judge_exit(true, 7, NULL, 0, NULL, 0, &r);
        ASSERT_INT_EQ(r.verdict, VERDICT_INTERNAL_ERROR);
        ASSERT_STR_EQ(r.message, "checker failed (exit 7): no score on stdout");
}

/* stderr's first line, cut to fit CHECK_MESSAGE_MAX with "...": @fill @n times after @lead. */
static const struct {
        const char *name;
        int status;
        const char *lead;
        const char *fill;
        size_t n;
        const char *prefix;         /* of the message */
        size_t kept;                /* how many of @fill it keeps */
        bool cut;
} cut_cases[] = {
        { "fits exactly", 1, "", "x", CHECK_MESSAGE_MAX - 1, "", CHECK_MESSAGE_MAX - 1, false },
        { "one byte more", 1, "", "x", CHECK_MESSAGE_MAX, "", CHECK_MESSAGE_MAX - 4, true },
        { "1 MiB", 1, "", "x", MIB, "", CHECK_MESSAGE_MAX - 4, true },
        { "after a head", 3, "", "x", 1000, "checker failed (exit 3): ", CHECK_MESSAGE_MAX - 4 - 25, true },
        /* 1 + 2k <= 252: 125 two-byte characters, then "...", 254 bytes. */
        { "between UTF-8 characters", 1, "a", "\xc3\xa9", 200, "a", 125, true },
        /* 1 + 3k <= 252: 83 three-byte characters. */
        { "between 3-byte UTF-8 characters", 1, "a", "\xe2\x82\xac", 100, "a", 83, true },
        /* 4k <= 252: 63 escapes. */
        { "between escapes", 0, "", "\x01", 100, "", 63, true },
};

static void test_message_cut(size_t i) {
        const __typeof__(cut_cases[0]) *c = &cut_cases[i];
        size_t nl = strlen(c->lead), nf = strlen(c->fill), np = strlen(c->prefix);
        _cleanup_free_ char *err = malloc(nl + nf * c->n + 1), *want = malloc(CHECK_MESSAGE_MAX * 2);
        CheckResult r;

        test_case_begin("checker_judge_exit, cut: %s", c->name);
        ASSERT_TRUE(err && want);
        memcpy(err, c->lead, nl);
        for (size_t k = 0; k < c->n; k++)
                memcpy(err + nl + k * nf, c->fill, nf);
        err[nl + nf * c->n] = '\n';
        checker_judge_exit(true, c->status, NULL, 0, err, nl + nf * c->n + 1, &r);

        size_t len = 0;
        memcpy(want, c->prefix, np);
        len = np;
        for (size_t k = 0; k < c->kept; k++) {
                const char *shown = strcmp(c->fill, "\x01") == 0 ? "\\x01" : c->fill;
                memcpy(want + len, shown, strlen(shown));
                len += strlen(shown);
        }
        memcpy(want + len, c->cut ? "..." : "", c->cut ? 4 : 1);
        ASSERT_TRUE(strlen(r.message) < CHECK_MESSAGE_MAX);
        ASSERT_STR_EQ(r.message, want);
}

int main(void) {
        TEST_TABLE(test_output_matches, match_cases);
        TEST_TABLE(test_lines_verdict, match_cases);
        TEST_TABLE(test_compare, compare_cases);
        TEST_RUN(test_compare_null);
        TEST_TABLE(test_huge, huge_cases);
        TEST_RUN(test_long_numerals);
        TEST_TABLE(test_type_names, type_cases);
        TEST_TABLE(test_type_unknown, unknown_types);
        TEST_RUN(test_type_out_of_range);
        TEST_TABLE(test_judge_exit, judge_cases);
        TEST_RUN(test_judge_exit_null);
        TEST_TABLE(test_message_cut, cut_cases);
        return test_summary();
}
