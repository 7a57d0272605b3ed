/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "job.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete);

_printf_(2, 3) static int fail(char **ret_error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : -EINVAL;
}

/* cJSON silently cuts a string at an escaped NUL, which would run different code than was sent. */
static bool has_escaped_nul(const char *text, size_t size) {
        for (size_t i = 0; i + 1 < size; i++) {
                if (text[i] != '\\')
                        continue;
                if (text[i + 1] == 'u' && i + 5 < size && strncmp(text + i + 2, "0000", 4) == 0)
                        return true;
                i++; /* skip the escaped character, so "\\u0000" is not mistaken */
        }
        return false;
}

static int check_duplicates(const cJSON *object, const char *where, char **ret_error) {
        for (const cJSON *a = object->child; a; a = a->next)
                for (const cJSON *b = a->next; b; b = b->next)
                        if (strcmp(a->string, b->string) == 0)
                                return fail(ret_error, "%s%s: given more than once", where, a->string);
        return 0;
}

/* Every field of @object is one of @known, and none comes twice; @where, before a field's name in
 * the errors, says where the object is ("", "checker.", "test_cases[2]."). */
static int check_fields(const cJSON *object, const char *where, const char *const *known, size_t n_known,
                        char **ret_error) {
        for (const cJSON *k = object->child; k; k = k->next) {
                bool ok = false;
                for (size_t i = 0; i < n_known; i++)
                        ok = ok || strcmp(k->string, known[i]) == 0;
                if (ok)
                        continue;
                _cleanup_(buffer_done) Buffer list = {};
                for (size_t i = 0; i < n_known; i++)
                        if (buffer_printf(&list, "%s%s", i ? ", " : "", known[i]) < 0 || buffer_terminate(&list) < 0)
                                return -ENOMEM;
                return fail(ret_error, "%s%s: unknown field (known: %s)", where, k->string, list.data);
        }
        /* Only known names are left, so this pairwise check ends within the first few. */
        return check_duplicates(object, where, ret_error);
}

static int copy_string(const cJSON *item, const char *field, uint64_t max, char **ret, size_t *ret_size,
                       char **ret_error) {
        if (!cJSON_IsString(item))
                return fail(ret_error, "%s: must be a string", field);
        size_t n = strlen(item->valuestring);
        if (n > max)
                return fail(ret_error, "%s: %zu bytes is over the limit of %" PRIu64 " bytes", field, n, max);
        *ret = strdup(item->valuestring);
        if (!*ret)
                return -ENOMEM;
        *ret_size = n;
        return 0;
}

static int parse_limits(const cJSON *object, const Policy *policy, Limits *limits, char **ret_error) {
        if (!cJSON_IsObject(object))
                return fail(ret_error, "limits: must be an object");
        for (const cJSON *item = object->child; item; item = item->next) {
                const LimitField *f = NULL;
                for (size_t i = 0; i < n_limit_fields; i++)
                        if (strcmp(item->string, limit_fields[i].name) == 0)
                                f = &limit_fields[i];
                if (!f)
                        return fail(ret_error, "limits.%s: unknown limit", item->string);
                uint64_t max = *limits_field((Limits *) &policy->limits, f);
                double v = item->valuedouble;
                /* Converting a double outside [0, 2^64) to uint64_t is undefined: range first. */
                if (!cJSON_IsNumber(item) || v < 1 || (v < 0x1p64 && v != (double) (uint64_t) v))
                        return fail(ret_error, "limits.%s: must be a positive integer", item->string);
                if (v >= 0x1p64 || (uint64_t) v > max)
                        return fail(ret_error, "limits.%s: %.0f is above the maximum of %" PRIu64,
                                    item->string, v, max);
                *limits_field(limits, f) = (uint64_t) v;
        }
        /* Only after unknown names are refused: the pairwise check is quadratic in the names. */
        return check_duplicates(object, "limits.", ret_error);
}

static int parse_case(const cJSON *item, size_t index, const Policy *policy, TestCase *c, char **ret_error) {
        static const char *const known[] = { "input", "expected" };
        char field[64];
        int r;

        if (!cJSON_IsObject(item))
                return fail(ret_error, "test_cases[%zu]: must be an object", index);
        snprintf(field, sizeof(field), "test_cases[%zu].", index);
        r = check_fields(item, field, known, ELEMENTSOF(known), ret_error);
        if (r < 0)
                return r;

        const cJSON *input = cJSON_GetObjectItemCaseSensitive(item, "input");
        snprintf(field, sizeof(field), "test_cases[%zu].input", index);
        if (input)
                r = copy_string(input, field, policy->caps.max_input_bytes, &c->input, &c->input_size, ret_error);
        else {
                c->input = strdup("");
                r = c->input ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;

        const cJSON *expected = cJSON_GetObjectItemCaseSensitive(item, "expected");
        snprintf(field, sizeof(field), "test_cases[%zu].expected", index);
        if (!expected)
                return fail(ret_error, "%s: missing", field);
        return copy_string(expected, field, policy->caps.max_input_bytes, &c->expected, &c->expected_size,
                           ret_error);
}

static int parse_language(const cJSON *item, const char *field, const Policy *policy, const Language **ret,
                          char **ret_error) {
        if (!item)
                return fail(ret_error, "%s: missing", field);
        if (!cJSON_IsString(item))
                return fail(ret_error, "%s: must be a string", field);
        const Language *l = policy_find_language(policy, item->valuestring);
        if (l) {
                *ret = l;
                return 0;
        }

        _cleanup_(buffer_done) Buffer known = {};
        for (size_t i = 0; i < policy->n_languages; i++)
                if (buffer_printf(&known, "%s%s", i ? ", " : "", policy->languages[i].name) < 0 ||
                    buffer_terminate(&known) < 0)
                        return -ENOMEM;
        _cleanup_free_ char *name = strndup(item->valuestring, 40);
        if (!name)
                return -ENOMEM;
        for (char *p = name; *p; p++)
                if (!isprint((unsigned char) *p))
                        *p = '?';
        return fail(ret_error, "%s: unknown language '%s' (known: %s)", field, name, known.data);
}

static bool is_blank(const char *s) {
        for (; *s; s++)
                if (!isspace((unsigned char) *s))
                        return false;
        return true;
}

/* Code to run: a string within the policy's bound, not blank. */
static int parse_code(const cJSON *item, const char *field, const Policy *policy, char **ret, size_t *ret_size,
                      char **ret_error) {
        if (!item)
                return fail(ret_error, "%s: missing", field);
        int r = copy_string(item, field, policy->caps.max_code_bytes, ret, ret_size, ret_error);
        if (r < 0)
                return r;
        return is_blank(*ret) ? fail(ret_error, "%s: must not be empty", field) : 0;
}

static int parse_tolerance(const cJSON *item, const char *field, double *ret, char **ret_error) {
        if (!item)
                return 0;
        /* cJSON reads no NaN or infinity, but 1e999 overflows to one. */
        if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0)
                return fail(ret_error, "%s: must be a number, 0 or more", field);
        *ret = item->valuedouble;
        return 0;
}

static int parse_checker(const cJSON *object, const Policy *policy, JobChecker *c, char **ret_error) {
        static const char *const known[] = { "type", "abs_tol", "rel_tol", "language", "code" };
        int r;

        if (!cJSON_IsObject(object))
                return fail(ret_error, "checker: must be an object");
        r = check_fields(object, "checker.", known, ELEMENTSOF(known), ret_error);
        if (r < 0)
                return r;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(object, "type");
        if (!type)
                return fail(ret_error, "checker.type: missing");
        r = cJSON_IsString(type) ? checker_type_from_string(type->valuestring) : -EINVAL;
        if (r < 0)
                return fail(ret_error, "checker.type: must be one of exact, lines, tokens, float, custom");
        c->type = (CheckerType) r;
        /* Each field belongs to one type: one given to another is a mistake worth telling. */
        for (size_t i = 1; i < ELEMENTSOF(known); i++) {
                bool own = i <= 2 ? c->type == CHECKER_FLOAT : c->type == CHECKER_CUSTOM;
                if (!own && cJSON_GetObjectItemCaseSensitive(object, known[i]))
                        return fail(ret_error, "checker.%s: not a field of checker type %s", known[i],
                                    checker_type_to_string(c->type));
        }
        r = parse_tolerance(cJSON_GetObjectItemCaseSensitive(object, "abs_tol"), "checker.abs_tol", &c->abs_tol, ret_error);
        if (r >= 0)
                r = parse_tolerance(cJSON_GetObjectItemCaseSensitive(object, "rel_tol"), "checker.rel_tol", &c->rel_tol,
                                    ret_error);
        if (r < 0 || c->type != CHECKER_CUSTOM)
                return r;
        r = parse_language(cJSON_GetObjectItemCaseSensitive(object, "language"), "checker.language", policy, &c->language,
                           ret_error);
        if (r < 0)
                return r;
        return parse_code(cJSON_GetObjectItemCaseSensitive(object, "code"), "checker.code", policy, &c->code,
                          &c->code_size, ret_error);
}

int job_parse(const char *text, size_t size, const Policy *policy, Job **ret, char **ret_error) {
        static const char *const known[] = { "code", "language", "test_cases", "limits", "checker" };
        _cleanup_(job_freep) Job *j = NULL;
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        int r;

        if (memchr(text, 0, size))
                return fail(ret_error, "job: contains a NUL byte");
        if (has_escaped_nul(text, size))
                return fail(ret_error, "job: strings must not contain \\u0000");
        const char *end = NULL;
        root = cJSON_ParseWithLengthOpts(text, size, &end, false);
        if (!root) {
                const char *at = cJSON_GetErrorPtr();
                size_t offset = at && at >= text && at <= text + size ? (size_t) (at - text) : 0;
                return fail(ret_error, "job: not valid JSON (at byte %zu)", offset);
        }
        /* cJSON stops after the first value; anything but white space after it is not JSON either. */
        while (end && end < text + size && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
                end++;
        if (end && end < text + size)
                return fail(ret_error, "job: not valid JSON (at byte %zu)", (size_t) (end - text));
        if (!cJSON_IsObject(root))
                return fail(ret_error, "job: must be a JSON object");
        r = check_fields(root, "", known, ELEMENTSOF(known), ret_error);
        if (r < 0)
                return r;

        j = calloc(1, sizeof(Job));
        if (!j)
                return -ENOMEM;
        j->limits = policy->limits;
        j->checker = (JobChecker) { .type = CHECKER_LINES, .abs_tol = 1e-6, .rel_tol = 1e-6 };

        r = parse_code(cJSON_GetObjectItemCaseSensitive(root, "code"), "code", policy, &j->code, &j->code_size, ret_error);
        if (r < 0)
                return r;

        r = parse_language(cJSON_GetObjectItemCaseSensitive(root, "language"), "language", policy, &j->language, ret_error);
        if (r < 0)
                return r;

        const cJSON *limits = cJSON_GetObjectItemCaseSensitive(root, "limits");
        if (limits) {
                r = parse_limits(limits, policy, &j->limits, ret_error);
                if (r < 0)
                        return r;
        }

        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "test_cases");
        if (cases && !cJSON_IsNull(cases)) {
                if (!cJSON_IsArray(cases))
                        return fail(ret_error, "test_cases: must be an array");
                size_t n = (size_t) cJSON_GetArraySize(cases);
                if (n > policy->caps.max_test_cases)
                        return fail(ret_error, "test_cases: %zu cases is over the limit of %" PRIu64, n,
                                    policy->caps.max_test_cases);
                j->has_cases = n > 0; /* an empty list is a plain run, as without one */
                j->cases = calloc(n ? n : 1, sizeof(TestCase));
                if (!j->cases)
                        return -ENOMEM;
                size_t i = 0;
                for (const cJSON *c = cases->child; c; c = c->next, i++) {
                        j->n_cases = i + 1; /* so job_free() frees a half-filled case */
                        r = parse_case(c, i, policy, &j->cases[i], ret_error);
                        if (r < 0)
                                return r;
                }
        }

        const cJSON *checker = cJSON_GetObjectItemCaseSensitive(root, "checker");
        if (cJSON_IsNull(checker)) /* as test_cases: null is absent */
                checker = NULL;
        if (checker && !j->has_cases)
                return fail(ret_error, "checker: a job without test_cases has nothing to check");
        if (checker) {
                r = parse_checker(checker, policy, &j->checker, ret_error);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(j);
        return 0;
}

size_t job_n_runs(const Job *j) {
        return j->has_cases ? j->n_cases : 1;
}

Job *job_free(Job *j) {
        if (!j)
                return NULL;
        for (size_t i = 0; i < j->n_cases; i++) {
                free(j->cases[i].input);
                free(j->cases[i].expected);
        }
        free(j->cases);
        free(j->code);
        free(j->checker.code);
        free(j);
        return NULL;
}
