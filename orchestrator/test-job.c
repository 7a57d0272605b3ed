/* SPDX-License-Identifier: MIT */
#include "job.h"
#include "test-helpers.h"

/* The policy of the source tree, and the same with small caps for the size cases. */
static Policy *policy_real, *policy_small;

#define SMALL_CODE 16
#define SMALL_INPUT 8
#define SMALL_CASES 2

typedef struct JobCase {
        const char *name;
        const char *json;
        size_t size;            /* 0: strlen(json) */
        bool small;             /* against policy_small */
        const char *error;      /* NULL: valid, and then: */
        const char *code;
        const char *language;
        bool has_cases;
        size_t n_cases;
        const char *input0;     /* of the first case */
        const char *expected0;
        uint64_t time_ms;       /* 0: the policy's */
        uint64_t memory_bytes;  /* 0: the policy's */
        CheckerType checker;    /* CHECKER_LINES (0) where the job names none */
        bool tolerances;        /* abs_tol and rel_tol as below; else both 1e-6 */
        double abs_tol, rel_tol;
        const char *checker_language;   /* custom */
        const char *checker_code;
} JobCase;

#define PY "\"language\":\"python\""
/* The languages of the real policy, as an error lists them: test_job_parse() puts them in. */
#define KNOWN "@"
#define CODE "\"code\":\"print(1)\""
/* A valid job with more fields. */
#define JOB(fields) "{" CODE "," PY "," fields "}"
/* A job with one case, and a checker. */
#define CASES "\"test_cases\":[{\"input\":\"1\",\"expected\":\"2\"}]"
#define CHECKED(checker) JOB(CASES ",\"checker\":" checker)
#define CHECKED_JOB .code = "print(1)", .language = "python", .has_cases = true, .n_cases = 1, .input0 = "1", .expected0 = "2"
#define TYPE_ERROR "checker.type: must be one of exact, lines, tokens, float, custom"
/* A text with NUL bytes in it. */
#define JSON_SIZED(s) .json = s, .size = sizeof(s) - 1

static const JobCase cases[] = {
        /* Valid jobs. */
        { .name = "plain", .json = "{" CODE "," PY "}", .code = "print(1)", .language = "python" },
        { .name = "javascript, white space around",
          .json = " \n{\"language\" : \"javascript\",\t\"code\":\"1\"}\r\n",
          .code = "1", .language = "javascript" },
        { .name = "with test_cases",
          .json = JOB("\"test_cases\":[{\"input\":\"1\\n\",\"expected\":\"2\\n\"},"
                      "{\"input\":\"\",\"expected\":\"\"}]"),
          .code = "print(1)", .language = "python", .has_cases = true, .n_cases = 2, .input0 = "1\n", .expected0 = "2\n" },
        { .name = "empty test_cases: one plain run", .json = JOB("\"test_cases\":[]"),
          .code = "print(1)", .language = "python" },
        { .name = "test_cases null: one plain run", .json = JOB("\"test_cases\":null"),
          .code = "print(1)", .language = "python" },
        { .name = "input omitted is empty", .json = JOB("\"test_cases\":[{\"expected\":\"x\"}]"),
          .code = "print(1)", .language = "python", .has_cases = true, .n_cases = 1, .input0 = "", .expected0 = "x" },
        { .name = "escaped backslash before u0000 is fine", .json = "{\"code\":\"print('\\\\u0000')\"," PY "}",
          .code = "print('\\u0000')", .language = "python" },
        { .name = "three backslashes and u0001", .json = "{\"code\":\"\\\\\\u0001\"," PY "}",
          .code = "\\\001", .language = "python" },
        { .name = "unicode escapes", .json = "{\"code\":\"\\u00e9\\ud83d\\ude00 \\\"q\\\"\"," PY "}",
          .code = "\xc3\xa9\xf0\x9f\x98\x80 \"q\"", .language = "python" },
        { .name = "raw UTF-8", .json = "{\"code\":\"s = '\xc3\xa9'\"," PY "}", .code = "s = '\xc3\xa9'",
          .language = "python" },
        { .name = "limits lowered", .json = JOB("\"limits\":{\"time_ms\":500,\"memory_bytes\":1048576}"),
          .code = "print(1)", .language = "python", .time_ms = 500, .memory_bytes = 1 << 20 },
        { .name = "limits at the maximum, written as 3e4", .json = JOB("\"limits\":{\"time_ms\":3e4}"),
          .code = "print(1)", .language = "python", .time_ms = 30000 },
        { .name = "limits 1.0 is a whole number", .json = JOB("\"limits\":{\"time_ms\":1.0}"),
          .code = "print(1)", .language = "python", .time_ms = 1 },
        { .name = "empty limits", .json = JOB("\"limits\":{}"), .code = "print(1)", .language = "python" },
        { .name = "code and input exactly at the caps", .small = true,
          .json = "{\"code\":\"0123456789abcdef\"," PY ","
                  "\"test_cases\":[{\"input\":\"01234567\",\"expected\":\"01234567\"},{\"expected\":\"\"}]}",
          .code = "0123456789abcdef", .language = "python", .has_cases = true, .n_cases = 2, .input0 = "01234567",
          .expected0 = "01234567" },
        { .name = "the cap counts bytes after unescaping", .small = true,
          .json = "{\"code\":\"\\u0041\\u0042\\u0043\\u0044\\u0045\\u0046\\u0047\\u0048\"," PY "}",
          .code = "ABCDEFGH", .language = "python" },

        /* checker: valid. */
        { .name = "checker exact", .json = CHECKED("{\"type\":\"exact\"}"), CHECKED_JOB, .checker = CHECKER_EXACT },
        /* null is absent, as for test_cases: the default rule. */
        { .name = "checker null", .json = CHECKED("null"), CHECKED_JOB, .checker = CHECKER_LINES },
        { .name = "checker lines, said", .json = CHECKED("{\"type\":\"lines\"}"), CHECKED_JOB, .checker = CHECKER_LINES },
        { .name = "checker tokens", .json = CHECKED("{\"type\":\"tokens\"}"), CHECKED_JOB, .checker = CHECKER_TOKENS },
        { .name = "checker float, default tolerances", .json = CHECKED("{\"type\":\"float\"}"), CHECKED_JOB,
          .checker = CHECKER_FLOAT },
        { .name = "checker float, abs_tol", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":0.001}"), CHECKED_JOB,
          .checker = CHECKER_FLOAT, .tolerances = true, .abs_tol = 0.001, .rel_tol = 1e-6 },
        { .name = "checker float, rel_tol 0", .json = CHECKED("{\"rel_tol\":0,\"type\":\"float\"}"), CHECKED_JOB,
          .checker = CHECKER_FLOAT, .tolerances = true, .abs_tol = 1e-6, .rel_tol = 0 },
        { .name = "checker float, both", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":1e-9,\"rel_tol\":0.5}"),
          CHECKED_JOB, .checker = CHECKER_FLOAT, .tolerances = true, .abs_tol = 1e-9, .rel_tol = 0.5 },
        { .name = "checker float, a huge finite tolerance", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":1e308}"),
          CHECKED_JOB, .checker = CHECKER_FLOAT, .tolerances = true, .abs_tol = 1e308, .rel_tol = 1e-6 },
        { .name = "checker float, an integer tolerance", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":2}"),
          CHECKED_JOB, .checker = CHECKER_FLOAT, .tolerances = true, .abs_tol = 2, .rel_tol = 1e-6 },
        { .name = "checker custom, python",
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"import sys\\nsys.exit(0)\"}"),
          CHECKED_JOB, .checker = CHECKER_CUSTOM, .checker_language = "python", .checker_code = "import sys\nsys.exit(0)" },
        { .name = "checker custom, fields in any order",
          .json = CHECKED("{\"code\":\"x\",\"language\":\"javascript\",\"type\":\"custom\"}"), CHECKED_JOB,
          .checker = CHECKER_CUSTOM, .checker_language = "javascript", .checker_code = "x" },
        { .name = "checker custom, compiled", .json = CHECKED("{\"type\":\"custom\",\"language\":\"cpp\",\"code\":\"int main(){}\"}"),
          CHECKED_JOB, .checker = CHECKER_CUSTOM, .checker_language = "cpp", .checker_code = "int main(){}" },
        { .name = "checker before test_cases",
          .json = "{\"checker\":{\"type\":\"tokens\"}," CODE "," PY "," CASES "}", CHECKED_JOB, .checker = CHECKER_TOKENS },
        { .name = "checker code exactly at the cap", .small = true,
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"0123456789abcdef\"}"), CHECKED_JOB,
          .checker = CHECKER_CUSTOM, .checker_language = "python", .checker_code = "0123456789abcdef" },

        /* checker: refused, the field named. */
        { .name = "checker without test_cases", .json = JOB("\"checker\":{\"type\":\"exact\"}"),
          .error = "checker: a job without test_cases has nothing to check" },
        { .name = "checker with empty test_cases", .json = JOB("\"test_cases\":[],\"checker\":{\"type\":\"exact\"}"),
          .error = "checker: a job without test_cases has nothing to check" },
        { .name = "checker with test_cases null", .json = JOB("\"checker\":{\"type\":\"float\"},\"test_cases\":null"),
          .error = "checker: a job without test_cases has nothing to check" },
        { .name = "checker a string", .json = CHECKED("\"exact\""), .error = "checker: must be an object" },
        { .name = "checker an array", .json = CHECKED("[{\"type\":\"exact\"}]"), .error = "checker: must be an object" },

        { .name = "checker a number", .json = CHECKED("1"), .error = "checker: must be an object" },
        { .name = "checker twice", .json = CHECKED("{\"type\":\"exact\"},\"checker\":{\"type\":\"lines\"}"),
          .error = "checker: given more than once" },
        { .name = "checker empty", .json = CHECKED("{}"), .error = "checker.type: missing" },
        { .name = "checker.type unknown", .json = CHECKED("{\"type\":\"regex\"}"), .error = TYPE_ERROR },
        { .name = "checker.type is case-sensitive", .json = CHECKED("{\"type\":\"Exact\"}"), .error = TYPE_ERROR },
        { .name = "checker.type empty", .json = CHECKED("{\"type\":\"\"}"), .error = TYPE_ERROR },
        { .name = "checker.type a number", .json = CHECKED("{\"type\":1}"), .error = TYPE_ERROR },
        { .name = "checker.type null", .json = CHECKED("{\"type\":null}"), .error = TYPE_ERROR },
        { .name = "checker.type an array", .json = CHECKED("{\"type\":[\"exact\"]}"), .error = TYPE_ERROR },
        { .name = "checker, an unknown field", .json = CHECKED("{\"type\":\"float\",\"tolerance\":0.1}"),
          .error = "checker.tolerance: unknown field (known: type, abs_tol, rel_tol, language, code)" },
        { .name = "checker, an unknown field before type", .json = CHECKED("{\"Type\":\"float\"}"),
          .error = "checker.Type: unknown field (known: type, abs_tol, rel_tol, language, code)" },
        { .name = "checker, a duplicate type", .json = CHECKED("{\"type\":\"exact\",\"type\":\"lines\"}"),
          .error = "checker.type: given more than once" },
        { .name = "checker, a duplicate abs_tol", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":1,\"abs_tol\":2}"),
          .error = "checker.abs_tol: given more than once" },
        { .name = "checker tokens with abs_tol", .json = CHECKED("{\"type\":\"tokens\",\"abs_tol\":0.1}"),
          .error = "checker.abs_tol: not a field of checker type tokens" },
        { .name = "checker exact with rel_tol", .json = CHECKED("{\"rel_tol\":0.1,\"type\":\"exact\"}"),
          .error = "checker.rel_tol: not a field of checker type exact" },
        { .name = "checker lines with abs_tol", .json = CHECKED("{\"type\":\"lines\",\"abs_tol\":0}"),
          .error = "checker.abs_tol: not a field of checker type lines" },
        { .name = "checker custom with abs_tol",
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"x\",\"abs_tol\":0.1}"),
          .error = "checker.abs_tol: not a field of checker type custom" },
        { .name = "checker float with language", .json = CHECKED("{\"type\":\"float\",\"language\":\"python\"}"),
          .error = "checker.language: not a field of checker type float" },
        { .name = "checker tokens with code", .json = CHECKED("{\"type\":\"tokens\",\"code\":\"x\"}"),
          .error = "checker.code: not a field of checker type tokens" },
        { .name = "checker.abs_tol negative", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":-1}"),
          .error = "checker.abs_tol: must be a number, 0 or more" },
        { .name = "checker.rel_tol a little negative", .json = CHECKED("{\"type\":\"float\",\"rel_tol\":-1e-300}"),
          .error = "checker.rel_tol: must be a number, 0 or more" },
        { .name = "checker.abs_tol a string", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":\"0.1\"}"),
          .error = "checker.abs_tol: must be a number, 0 or more" },
        { .name = "checker.abs_tol null", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":null}"),
          .error = "checker.abs_tol: must be a number, 0 or more" },
        { .name = "checker.rel_tol true", .json = CHECKED("{\"type\":\"float\",\"rel_tol\":true}"),
          .error = "checker.rel_tol: must be a number, 0 or more" },
        { .name = "checker.abs_tol infinite", .json = CHECKED("{\"type\":\"float\",\"abs_tol\":1e999}"),
          .error = "checker.abs_tol: must be a number, 0 or more" },
        { .name = "checker.rel_tol -infinite", .json = CHECKED("{\"type\":\"float\",\"rel_tol\":-1e999}"),
          .error = "checker.rel_tol: must be a number, 0 or more" },
        { .name = "checker custom without code", .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\"}"),
          .error = "checker.code: missing" },
        { .name = "checker custom, code empty", .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"\"}"),
          .error = "checker.code: must not be empty" },
        { .name = "checker custom, code blank",
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\" \\n\\t\"}"),
          .error = "checker.code: must not be empty" },
        { .name = "checker custom, code a number", .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":7}"),
          .error = "checker.code: must be a string" },
        { .name = "checker custom, code over the cap", .small = true,
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"0123456789abcdefg\"}"),
          .error = "checker.code: 17 bytes is over the limit of 16 bytes" },
        { .name = "checker custom, \\u0000 in code",
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"python\",\"code\":\"a\\u0000b\"}"),
          .error = "job: strings must not contain \\u0000" },
        { .name = "checker custom without language", .json = CHECKED("{\"type\":\"custom\",\"code\":\"x\"}"),
          .error = "checker.language: missing" },
        { .name = "checker custom, an unknown language",
          .json = CHECKED("{\"type\":\"custom\",\"language\":\"ruby\",\"code\":\"x\"}"),
          .error = "checker.language: unknown language 'ruby' (known: " KNOWN ")" },
        { .name = "checker custom, language a number", .json = CHECKED("{\"type\":\"custom\",\"language\":1,\"code\":\"x\"}"),
          .error = "checker.language: must be a string" },
        { .name = "checker custom, language null", .json = CHECKED("{\"type\":\"custom\",\"language\":null,\"code\":\"x\"}"),
          .error = "checker.language: must be a string" },
        { .name = "checker custom, both missing", .json = CHECKED("{\"type\":\"custom\"}"),
          .error = "checker.language: missing" },

        /* Not JSON, or not an object. */
        { .name = "empty text", .json = "", .error = "job: not valid JSON (at byte 0)" },
        { .name = "unterminated object", .json = "{" CODE, .error = "job: not valid JSON (at byte 17)" },
        { .name = "trailing comma", .json = "{" CODE ",}", .error = "job: not valid JSON (at byte 19)" },
        { .name = "words", .json = "run this", .error = "job: not valid JSON (at byte 0)" },
        { .name = "trailing garbage", .json = "{" CODE "," PY "} x", .error = "job: not valid JSON (at byte 40)" },
        { .name = "a second object", .json = "{" CODE "," PY "}\n{\"code\":\"evil\"}",
          .error = "job: not valid JSON (at byte 40)" },
        { .name = "lone surrogate", .json = "{\"code\":\"\\ud800\"}", .error = "job: not valid JSON (at byte 9)" },
        { .name = "an array", .json = "[{" CODE "," PY "}]", .error = "job: must be a JSON object" },
        { .name = "a string", .json = "\"print(1)\"", .error = "job: must be a JSON object" },
        { .name = "null", .json = "null", .error = "job: must be a JSON object" },
        { .name = "a number", .json = "42", .error = "job: must be a JSON object" },

        /* NUL, raw or escaped. */
        { .name = "raw NUL byte", JSON_SIZED("{\"code\":\"a\0b\"," PY "}"), .error = "job: contains a NUL byte" },
        { .name = "raw NUL byte after the object", JSON_SIZED("{" CODE "," PY "}\0"),
          .error = "job: contains a NUL byte" },
        { .name = "\\u0000 in code", .json = "{\"code\":\"print(1)\\u0000rm -rf\"," PY "}",
          .error = "job: strings must not contain \\u0000" },
        { .name = "\\u0000 after an escaped backslash", .json = "{\"code\":\"\\\\\\u0000\"," PY "}",
          .error = "job: strings must not contain \\u0000" },
        { .name = "\\u0000 in a key", .json = JOB("\"x\\u0000\":1"),
          .error = "job: strings must not contain \\u0000" },
        { .name = "\\u0000 in expected",
          .json = JOB("\"test_cases\":[{\"expected\":\"1\\u0000\"}]"),
          .error = "job: strings must not contain \\u0000" },

        /* Fields of the job. */
        { .name = "unknown field", .json = JOB("\"timeout\":1"),
          .error = "timeout: unknown field (known: code, language, test_cases, limits, checker)" },
        { .name = "field names are case-sensitive", .json = "{\"Code\":\"x\"," PY "}",
          .error = "Code: unknown field (known: code, language, test_cases, limits, checker)" },
        { .name = "duplicate code", .json = JOB("\"code\":\"evil\""), .error = "code: given more than once" },
        { .name = "duplicate language", .json = "{" CODE "," PY "," PY "}", .error = "language: given more than once" },
        { .name = "code missing", .json = "{" PY "}", .error = "code: missing" },
        { .name = "code empty", .json = "{\"code\":\"\"," PY "}", .error = "code: must not be empty" },
        { .name = "code white space", .json = "{\"code\":\" \\n\\t\\r \"," PY "}", .error = "code: must not be empty" },
        { .name = "code a number", .json = "{\"code\":1," PY "}", .error = "code: must be a string" },
        { .name = "code null", .json = "{\"code\":null," PY "}", .error = "code: must be a string" },
        { .name = "code an array", .json = "{\"code\":[\"print(1)\"]," PY "}", .error = "code: must be a string" },
        { .name = "code over the cap", .small = true, .json = "{\"code\":\"0123456789abcdefg\"," PY "}",
          .error = "code: 17 bytes is over the limit of 16 bytes" },
        { .name = "language missing", .json = "{" CODE "}", .error = "language: missing" },
        { .name = "language a number", .json = "{" CODE ",\"language\":3}", .error = "language: must be a string" },
        { .name = "language null", .json = "{" CODE ",\"language\":null}", .error = "language: must be a string" },
        { .name = "unknown language", .json = "{" CODE ",\"language\":\"ruby\"}",
          .error = "language: unknown language 'ruby' (known: " KNOWN ")" },
        { .name = "language names are case-sensitive", .json = "{" CODE ",\"language\":\"Python\"}",
          .error = "language: unknown language 'Python' (known: " KNOWN ")" },
        { .name = "unknown language, long and unprintable",
          .json = "{" CODE ",\"language\":\"\\u0001\\n\\u00e9" "0123456789012345678901234567890123456789\"}",
          .error = "language: unknown language '????012345678901234567890123456789012345' "
                   "(known: " KNOWN ")" },

        /* test_cases. */
        { .name = "test_cases an object", .json = JOB("\"test_cases\":{}"),
          .error = "test_cases: must be an array" },
        { .name = "test_cases a string", .json = JOB("\"test_cases\":\"1\""),
          .error = "test_cases: must be an array" },
        { .name = "too many test_cases", .small = true,
          .json = JOB("\"test_cases\":[{\"expected\":\"\"},{\"expected\":\"\"},{\"expected\":\"\"}]"),
          .error = "test_cases: 3 cases is over the limit of 2" },
        { .name = "a case a number", .json = JOB("\"test_cases\":[1]"),
          .error = "test_cases[0]: must be an object" },
        { .name = "the second case a string", .json = JOB("\"test_cases\":[{\"expected\":\"\"},\"x\"]"),
          .error = "test_cases[1]: must be an object" },
        { .name = "a case an array", .json = JOB("\"test_cases\":[[]]"),
          .error = "test_cases[0]: must be an object" },
        { .name = "expected missing", .json = JOB("\"test_cases\":[{\"input\":\"1\"}]"),
          .error = "test_cases[0].expected: missing" },
        { .name = "expected missing in the second case",
          .json = JOB("\"test_cases\":[{\"expected\":\"\"},{}]"),
          .error = "test_cases[1].expected: missing" },
        { .name = "expected a number", .json = JOB("\"test_cases\":[{\"expected\":2}]"),
          .error = "test_cases[0].expected: must be a string" },
        { .name = "expected null", .json = JOB("\"test_cases\":[{\"expected\":null}]"),
          .error = "test_cases[0].expected: must be a string" },
        { .name = "input a number", .json = JOB("\"test_cases\":[{\"input\":1,\"expected\":\"\"}]"),
          .error = "test_cases[0].input: must be a string" },
        { .name = "input null", .json = JOB("\"test_cases\":[{\"input\":null,\"expected\":\"\"}]"),
          .error = "test_cases[0].input: must be a string" },
        { .name = "input over the cap", .small = true,
          .json = JOB("\"test_cases\":[{\"input\":\"012345678\",\"expected\":\"\"}]"),
          .error = "test_cases[0].input: 9 bytes is over the limit of 8 bytes" },
        { .name = "expected over the cap", .small = true,
          .json = JOB("\"test_cases\":[{\"expected\":\"\"},{\"expected\":\"012345678\"}]"),
          .error = "test_cases[1].expected: 9 bytes is over the limit of 8 bytes" },
        { .name = "unknown field in a case",
          .json = JOB("\"test_cases\":[{\"input\":\"\",\"expected\":\"\",\"output\":\"\"}]"),
          .error = "test_cases[0].output: unknown field (known: input, expected)" },
        { .name = "duplicate field in a case",
          .json = JOB("\"test_cases\":[{\"input\":\"a\",\"expected\":\"\",\"input\":\"b\"}]"),
          .error = "test_cases[0].input: given more than once" },
        { .name = "duplicate test_cases",
          .json = JOB("\"test_cases\":[],\"test_cases\":[]"),
          .error = "test_cases: given more than once" },

        /* limits. */
        { .name = "limits an array", .json = JOB("\"limits\":[]"), .error = "limits: must be an object" },
        { .name = "limits a number", .json = JOB("\"limits\":1000"), .error = "limits: must be an object" },
        { .name = "unknown limit", .json = JOB("\"limits\":{\"cpu_time\":1}"),
          .error = "limits.cpu_time: unknown limit" },
        { .name = "duplicate limit", .json = JOB("\"limits\":{\"time_ms\":1,\"time_ms\":2}"),
          .error = "limits.time_ms: given more than once" },
        { .name = "limit zero", .json = JOB("\"limits\":{\"time_ms\":0}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit negative", .json = JOB("\"limits\":{\"processes\":-1}"),
          .error = "limits.processes: must be a positive integer" },
        { .name = "limit very negative", .json = JOB("\"limits\":{\"processes\":-1e30}"),
          .error = "limits.processes: must be a positive integer" },
        { .name = "limit a fraction", .json = JOB("\"limits\":{\"time_ms\":1.5}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit below one", .json = JOB("\"limits\":{\"time_ms\":0.5}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit a string", .json = JOB("\"limits\":{\"time_ms\":\"100\"}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit true", .json = JOB("\"limits\":{\"time_ms\":true}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit null", .json = JOB("\"limits\":{\"time_ms\":null}"),
          .error = "limits.time_ms: must be a positive integer" },
        { .name = "limit above the maximum", .json = JOB("\"limits\":{\"time_ms\":30001}"),
          .error = "limits.time_ms: 30001 is above the maximum of 30000" },
        { .name = "limit far above the maximum",
          .json = JOB("\"limits\":{\"memory_bytes\":1e30}"),
          .error = "limits.memory_bytes: 1000000000000000019884624838656 is above the maximum of 536870912" },
        { .name = "limit 2^64", .json = JOB("\"limits\":{\"memory_bytes\":18446744073709551616}"),
          .error = "limits.memory_bytes: 18446744073709551616 is above the maximum of 536870912" },
        { .name = "limit infinite", .json = JOB("\"limits\":{\"cpu_percent\":1e999}"),
          .error = "limits.cpu_percent: inf is above the maximum of 100" },
};

#define ASSERT_DOUBLE_EQ(a, b)                                                                     \
        do {                                                                                       \
                double _a = (a), _b = (b);                                                         \
                ASSERT_FAIL_IF(!(_a == _b), "%s == %s: %.17g != %.17g", #a, #b, _a, _b);            \
        } while (0)

/* @error with "(known: @)" spelt out: every language of @policy, in its order. */
static char *known_languages(const char *error, const Policy *policy) {
        _cleanup_(buffer_done) Buffer b = {};
        const char *at = strstr(error, "(known: @)");
        int r;

        if (!at)
                return strdup(error);
        r = buffer_append(&b, error, (size_t) (at - error) + strlen("(known: "));
        for (size_t i = 0; r >= 0 && i < policy->n_languages; i++)
                r = buffer_printf(&b, "%s%s", i ? ", " : "", policy->languages[i].name);
        if (r >= 0)
                r = buffer_printf(&b, "%s", at + strlen("(known: @"));
        if (r >= 0)
                r = buffer_terminate(&b);
        return r < 0 ? NULL : TAKE_PTR(b.data);
}

static void test_job_parse(size_t i) {
        const JobCase *c = &cases[i];
        const Policy *policy = c->small ? policy_small : policy_real;
        _cleanup_(job_freep) Job *j = NULL;
        _cleanup_free_ char *error = NULL;

        test_case_begin("job_parse: %s", c->name);
        int r = job_parse(c->json, c->size ? c->size : strlen(c->json), policy, &j, &error);
        if (c->error) {
                _cleanup_free_ char *want = known_languages(c->error, policy);
                ASSERT_NOT_NULL(want);
                ASSERT_STR_EQ(error, want);
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_TRUE(j == NULL);
                return;
        }
        ASSERT_STR_EQ(error, NULL);
        ASSERT_OK(r);
        ASSERT_NOT_NULL(j);
        ASSERT_STR_EQ(j->code, c->code);
        ASSERT_U64_EQ(j->code_size, strlen(c->code));
        ASSERT_TRUE(j->language == policy_find_language(policy, c->language));
        ASSERT_INT_EQ(j->has_cases, c->has_cases);
        ASSERT_U64_EQ(j->n_cases, c->n_cases);
        ASSERT_U64_EQ(job_n_runs(j), c->has_cases ? c->n_cases : 1);
        if (c->n_cases > 0) {
                ASSERT_STR_EQ(j->cases[0].input, c->input0);
                ASSERT_U64_EQ(j->cases[0].input_size, strlen(c->input0));
                ASSERT_STR_EQ(j->cases[0].expected, c->expected0);
                ASSERT_U64_EQ(j->cases[0].expected_size, strlen(c->expected0));
        }
        for (size_t k = 0; k < j->n_cases; k++)
                ASSERT_TRUE(j->cases[k].input && j->cases[k].expected);

        /* The checker: lines unless the job says, and its tolerances 1e-6 unless it says. */
        ASSERT_INT_EQ(j->checker.type, c->checker);
        ASSERT_DOUBLE_EQ(j->checker.abs_tol, c->tolerances ? c->abs_tol : 1e-6);
        ASSERT_DOUBLE_EQ(j->checker.rel_tol, c->tolerances ? c->rel_tol : 1e-6);
        if (c->checker_language)
                ASSERT_TRUE(j->checker.language == policy_find_language(policy, c->checker_language));
        else
                ASSERT_TRUE(j->checker.language == NULL);
        ASSERT_STR_EQ(j->checker.code, c->checker_code);
        ASSERT_U64_EQ(j->checker.code_size, c->checker_code ? strlen(c->checker_code) : 0);

        /* The policy's limits, but where the job lowered them. */
        Limits want = policy->limits;
        if (c->time_ms)
                want.time_ms = c->time_ms;
        if (c->memory_bytes)
                want.memory_bytes = c->memory_bytes;
        for (size_t f = 0; f < n_limit_fields; f++) {
                test_case_begin("job_parse: %s: %s", c->name, limit_fields[f].name);
                ASSERT_U64_EQ(*limits_field(&j->limits, &limit_fields[f]),
                              *limits_field(&want, &limit_fields[f]));
        }
}

/* A job with @code_size bytes of code and @n_cases cases, each with @input_size bytes of input. */
static char *job_text(size_t code_size, size_t n_cases, size_t input_size) {
        _cleanup_(buffer_done) Buffer b = {};
        int r;

        r = buffer_printf(&b, "{\"language\":\"python\",\"code\":\"");
        for (size_t i = 0; r >= 0 && i < code_size; i++)
                r = buffer_append(&b, "x", 1);
        if (r >= 0)
                r = buffer_printf(&b, "\",\"test_cases\":[");
        for (size_t i = 0; r >= 0 && i < n_cases; i++) {
                r = buffer_printf(&b, "%s{\"input\":\"", i ? "," : "");
                for (size_t k = 0; r >= 0 && k < input_size; k++)
                        r = buffer_append(&b, "i", 1);
                if (r >= 0)
                        r = buffer_printf(&b, "\",\"expected\":\"%zu\"}", i);
        }
        if (r >= 0)
                r = buffer_printf(&b, "]}");
        if (r >= 0)
                r = buffer_terminate(&b);
        return r < 0 ? NULL : TAKE_PTR(b.data);
}

/* The real policy's caps, on each side of the line. */
static const struct {
        size_t code_size, n_cases, input_size;
        const char *error;
} cap_cases[] = {
        { 65536, 1, 0, NULL },
        { 65537, 1, 0, "code: 65537 bytes is over the limit of 65536 bytes" },
        { 1, 64, 0, NULL },
        { 1, 65, 0, "test_cases: 65 cases is over the limit of 64" },
        { 1, 2, 1 << 20, NULL },
        { 1, 2, (1 << 20) + 1, "test_cases[0].input: 1048577 bytes is over the limit of 1048576 bytes" },
};

static void test_caps(size_t i) {
        _cleanup_free_ char *text = job_text(cap_cases[i].code_size, cap_cases[i].n_cases,
                                             cap_cases[i].input_size);
        _cleanup_(job_freep) Job *j = NULL;
        _cleanup_free_ char *error = NULL;

        test_case_begin("job_parse caps: %zu bytes of code, %zu cases of %zu bytes", cap_cases[i].code_size,
                        cap_cases[i].n_cases, cap_cases[i].input_size);
        ASSERT_NOT_NULL(text);
        int r = job_parse(text, strlen(text), policy_real, &j, &error);
        ASSERT_STR_EQ(error, cap_cases[i].error);
        ASSERT_ERRNO_EQ(r, cap_cases[i].error ? -EINVAL : 0);
        if (r < 0)
                return;
        ASSERT_U64_EQ(j->code_size, cap_cases[i].code_size);
        ASSERT_U64_EQ(j->n_cases, cap_cases[i].n_cases);
        ASSERT_U64_EQ(job_n_runs(j), cap_cases[i].n_cases);
        for (size_t k = 0; k < j->n_cases; k++) {
                char want[32];
                snprintf(want, sizeof(want), "%zu", k);
                ASSERT_STR_EQ(j->cases[k].expected, want);
                ASSERT_U64_EQ(j->cases[k].input_size, cap_cases[i].input_size);
        }
}

/* Objects with very many names: refused in linear time, not after comparing every pair. */
static const struct {
        const char *prefix;
        const char *name;       /* numbered, unless "language" or "type" */
        const char *value;
        const char *suffix;
        const char *error;
} many_keys_cases[] = {
        { "{", "k", "0", CODE "," PY "}", "k0: unknown field (known: code, language, test_cases, limits, checker)" },
        { "{" CODE ",", "language", "\"python\"", "\"limits\":{}}", "language: given more than once" },
        { "{" CODE "," PY ",\"test_cases\":[{", "k", "\"\"", "\"expected\":\"\"}]}",
          "test_cases[0].k0: unknown field (known: input, expected)" },
        { "{" CODE "," PY ",\"limits\":{", "l", "1", "\"time_ms\":1}}", "limits.l0: unknown limit" },
        { "{" CODE "," PY "," CASES ",\"checker\":{", "c", "1", "\"type\":\"exact\"}}",
          "checker.c0: unknown field (known: type, abs_tol, rel_tol, language, code)" },
        { "{" CODE "," PY "," CASES ",\"checker\":{", "type", "\"float\"", "\"abs_tol\":1}}",
          "checker.type: given more than once" },
};

static void test_many_keys(size_t i) {
        const __typeof__(many_keys_cases[0]) *c = &many_keys_cases[i];
        bool numbered = strcmp(c->name, "language") != 0 && strcmp(c->name, "type") != 0;
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_(job_freep) Job *j = NULL;
        _cleanup_free_ char *error = NULL;

        test_case_begin("job_parse: 100000 names, %s", c->error);
        ASSERT_OK(buffer_printf(&b, "%s", c->prefix));
        for (size_t k = 0; k < 100000; k++)
                if (numbered)
                        ASSERT_OK(buffer_printf(&b, "\"%s%zu\":%s,", c->name, k, c->value));
                else
                        ASSERT_OK(buffer_printf(&b, "\"%s\":%s,", c->name, c->value));
        ASSERT_OK(buffer_printf(&b, "%s", c->suffix));
        uint64_t start = now_usec();
        ASSERT_ERRNO_EQ(job_parse(b.data, b.size, policy_real, &j, &error), -EINVAL);
        ASSERT_STR_EQ(error, c->error);
        /* Comparing every pair took minutes here; linear takes milliseconds (seconds under valgrind). */
        ASSERT_TRUE(now_usec() - start < 10 * 1000000ULL);
}

/* job_parse() reads exactly @size bytes: the text need not be NUL-terminated. */
static void test_not_terminated(void) {
        static const char text[] = "{" CODE "," PY "}XXXX";
        _cleanup_free_ char *copy = malloc(sizeof(text) - 5), *error = NULL;
        _cleanup_(job_freep) Job *j = NULL;

        ASSERT_NOT_NULL(copy);
        memcpy(copy, text, sizeof(text) - 5);
        ASSERT_OK(job_parse(copy, sizeof(text) - 5, policy_real, &j, &error));
        ASSERT_STR_EQ(j->code, "print(1)");
}

/* The languages a job may name, compiled ones among them. */
static void test_known_languages(void) {
        _cleanup_free_ char *want = known_languages("language: unknown language 'x' (known: @)", policy_real);

        ASSERT_NOT_NULL(want);
        ASSERT_TRUE(strstr(want, "(known: c, cpp, java, javascript, python") != NULL);
}

static void test_job_free_null(void) {
        ASSERT_TRUE(job_free(NULL) == NULL);
}

int main(void) {
        policy_real = test_policy_load();
        policy_small = test_policy_load();
        policy_small->caps.max_code_bytes = SMALL_CODE;
        policy_small->caps.max_input_bytes = SMALL_INPUT;
        policy_small->caps.max_test_cases = SMALL_CASES;

        TEST_TABLE(test_job_parse, cases);
        TEST_TABLE(test_caps, cap_cases);
        TEST_TABLE(test_many_keys, many_keys_cases);
        TEST_RUN(test_not_terminated);
        TEST_RUN(test_known_languages);
        TEST_RUN(test_job_free_null);

        policy_free(policy_real);
        policy_free(policy_small);
        return test_summary();
}
