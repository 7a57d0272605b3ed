/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <sys/wait.h>
#include <string.h>

#include "protocol.h"
#include "report.h"

/* Length of the valid UTF-8 sequence at @p (RFC 3629: no overlongs, no surrogates, <= U+10FFFF), or 0. */
static size_t utf8_valid_length(const unsigned char *p, size_t n) {
        size_t len;
        unsigned min;
        unsigned c = p[0];

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                len = 2, min = 0x80, c &= 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                len = 3, min = 0x800, c &= 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                len = 4, min = 0x10000, c &= 0x07;
        else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        return len;
}

/* @s as a JSON string whose content takes at most @max bytes, cut between characters; *ret_size is
 * that content's size, *ret_cut whether @s was cut. */
static int json_append_string_max(Buffer *b, const char *s, size_t n, size_t max, size_t *ret_size, bool *ret_cut) {
        const unsigned char *p = (const unsigned char *) s;
        size_t written = 0, i = 0;
        int r = buffer_append(b, "\"", 1);

        while (r >= 0 && i < n) {
                unsigned char c = p[i];
                char esc[8];
                const char *out;
                size_t len, in;

                if (c == '"' || c == '\\') {
                        esc[0] = '\\', esc[1] = (char) c, esc[2] = 0;
                        out = esc, len = 2, in = 1;
                } else if (c < 0x20) {
                        out = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                            : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
                        if (!out) {
                                snprintf(esc, sizeof(esc), "\\u%04x", c);
                                out = esc;
                        }
                        len = strlen(out), in = 1;
                } else {
                        in = utf8_valid_length(p + i, n - i);
                        if (in == 0)
                                out = "\\ufffd", len = 6, in = 1;
                        else
                                out = (const char *) p + i, len = in;
                }
                if (len > max - written)
                        break;
                r = buffer_append(b, out, len);
                written += len;
                i += in;
        }
        if (r >= 0)
                r = buffer_append(b, "\"", 1);
        if (ret_size)
                *ret_size = written;
        if (ret_cut)
                *ret_cut = i < n;
        return r;
}

int json_append_string(Buffer *b, const char *s, size_t n) {
        return json_append_string_max(b, s, n, SIZE_MAX, NULL, NULL);
}

int json_append_string_or_null(Buffer *b, const char *s) {
        if (!s)
                return buffer_append(b, "null", 4);
        return json_append_string(b, s, strlen(s));
}

#define STDERR_TAIL 2048

/* The end of stderr, cut at a line start, where tracebacks and stacks put what matters. */
static void stderr_tail(const Buffer *err, const char **ret, size_t *ret_size) {
        const char *p = err->data ? err->data : "";
        size_t n = err->size;

        if (n > STDERR_TAIL) {
                const char *start = p + n - STDERR_TAIL;
                const char *nl = memchr(start, '\n', STDERR_TAIL);
                if (nl && (size_t) (p + n - nl) > 1)
                        start = nl + 1;
                n = (size_t) (p + n - start);
                p = start;
        }
        while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' '))
                n--;
        *ret = p;
        *ret_size = n;
}

ssize_t report_first_failure(const Job *job, const RunResult *results) {
        for (size_t i = 0; i < job_n_runs(job); i++)
                if (!verdict_is_normal(results[i].verdict))
                        return (ssize_t) i;
        return -1;
}

Verdict report_overall(const Job *job, const RunResult *results) {
        ssize_t first = report_first_failure(job, results);

        if (first >= 0)
                return results[first].verdict;
        for (size_t i = 0; i < job_n_runs(job); i++)
                if (results[i].verdict != VERDICT_ACCEPTED)
                        return results[i].verdict;
        return VERDICT_ACCEPTED;
}

/* What the compiler said, stderr first (where compilers write), then stdout, kept to the language's
 * message_bytes. */
static int compile_messages(const Job *job, const RunResult *c, Buffer *ret, bool *ret_cut) {
        uint64_t max = job->language->compile->message_bytes;
        int k = buffer_append(ret, c->err.data ?: "", c->err.size);
        if (k >= 0)
                k = buffer_append(ret, c->out.data ?: "", c->out.size);
        *ret_cut = ret->size > max;
        if (*ret_cut) {
                ret->size = (size_t) max;
                /* Between characters: not inside a UTF-8 sequence (continuation bytes are 10xxxxxx). */
                for (int back = 0; back < 3 && ret->size > 0 && ((unsigned char) ret->data[ret->size] & 0xc0) == 0x80; back++)
                        ret->size--;
        }
        return k;
}

/* A compilation error: why, and the compiler's @messages. */
static int append_compile_error(Buffer *b, const Job *job, const RunResult *c, const Buffer *messages) {
        _cleanup_(buffer_done) Buffer e = {};
        int k = outcome_explain(&e, c, &job->language->compile->limits);

        if (k >= 0 && messages->size > 0)
                k = buffer_printf(&e, "\n");
        if (k >= 0)
                k = buffer_append(&e, messages->data ?: "", messages->size);
        if (k >= 0)
                k = json_append_string(b, e.data ?: "", e.size);
        return k;
}

static int append_compile(Buffer *b, const RunResult *c, const Buffer *messages, bool cut) {
        int k;

        k = buffer_printf(b, ",\"compile\":{\"verdict\":\"%s\",\"time_ms\":%" PRIu64 ",\"wall_time_ms\":%" PRIu64
                          ",\"memory_bytes\":", verdict_to_string(c->verdict), c->cpu_usec / 1000, c->outcome.wall_usec / 1000);
        if (k >= 0)
                k = c->outcome.memory_peak == UINT64_MAX ? buffer_printf(b, "null")
                                                         : buffer_printf(b, "%" PRIu64, c->outcome.memory_peak);
        if (k >= 0)
                k = c->outcome.exit_code == CLD_EXITED ? buffer_printf(b, ",\"exit_code\":%d", c->outcome.exit_status)
                                                       : buffer_printf(b, ",\"exit_code\":null");
        if (k >= 0)
                k = buffer_printf(b, ",\"output\":");
        if (k >= 0)
                k = json_append_string(b, messages->data ?: "", messages->size);
        if (k >= 0 && cut)
                k = buffer_printf(b, ",\"output_truncated\":true");
        if (k >= 0)
                k = buffer_printf(b, "}");
        return k;
}

/* A case's score: what its checker gave, else 1 if it passed, 0 if not. */
static double case_score(const RunResult *r) {
        if (!isnan(r->score))
                return r->score;
        return r->verdict == VERDICT_ACCEPTED ? 1 : 0;
}

static int append_error(Buffer *b, const Job *job, const RunResult *results, ssize_t first) {
        _cleanup_(buffer_done) Buffer e = {};
        const RunResult *r = &results[first];
        size_t others = 0;
        const char *tail;
        size_t tail_size;
        int k = 0;

        for (size_t i = (size_t) first + 1; i < job_n_runs(job); i++)
                others += !verdict_is_normal(results[i].verdict);
        if (job->has_cases)
                k = buffer_printf(&e, "Test %zd: ", first + 1);
        if (k >= 0)
                k = outcome_explain(&e, r, &job->limits);
        if (k >= 0 && others > 0)
                k = buffer_printf(&e, " (and %zu more test%s did not end normally)", others, others > 1 ? "s" : "");
        stderr_tail(&r->err, &tail, &tail_size);
        if (k >= 0 && tail_size > 0) {
                k = buffer_printf(&e, "\n");
                if (k >= 0)
                        k = buffer_append(&e, tail, tail_size);
        }
        if (k >= 0)
                k = json_append_string(b, e.data ? e.data : "", e.size);
        return k;
}

/* How much of the runs' output a result may still carry (policy [job] result_*_bytes). */
typedef struct ReportBudget {
        uint64_t case_bytes;
        uint64_t left;
} ReportBudget;

/* A run's stdout or stderr as the string field @name, within the budget; "@name_truncated": true
 * beside it if cut. */
static int append_output(Buffer *b, ReportBudget *budget, const char *name, const Buffer *s) {
        size_t max = (size_t) (budget->case_bytes < budget->left ? budget->case_bytes : budget->left), size;
        bool cut;
        int k;

        k = buffer_printf(b, ",\"%s\":", name);
        if (k >= 0)
                k = json_append_string_max(b, s->data ? s->data : "", s->size, max, &size, &cut);
        if (k < 0)
                return k;
        budget->left -= size;
        return cut ? buffer_printf(b, ",\"%s_truncated\":true", name) : 0;
}

static int append_run_details(Buffer *b, ReportBudget *budget, const RunResult *r) {
        char sig[16];
        bool killed = r->outcome.exit_code == CLD_KILLED || r->outcome.exit_code == CLD_DUMPED;
        int k;

        k = buffer_printf(b, ",\"verdict\":\"%s\",\"time_ms\":%" PRIu64 ",\"wall_time_ms\":%" PRIu64
                          ",\"memory_bytes\":",
                          verdict_to_string(r->verdict), r->cpu_usec / 1000, r->outcome.wall_usec / 1000);
        if (k >= 0)
                k = r->outcome.memory_peak == UINT64_MAX ? buffer_printf(b, "null")
                                                         : buffer_printf(b, "%" PRIu64, r->outcome.memory_peak);
        if (k >= 0)
                k = buffer_printf(b, ",\"exit_code\":");
        if (k >= 0)
                k = r->outcome.exit_code == CLD_EXITED ? buffer_printf(b, "%d", r->outcome.exit_status)
                                                       : buffer_printf(b, "null");
        if (k >= 0)
                k = buffer_printf(b, ",\"signal\":");
        if (k >= 0)
                k = json_append_string_or_null(b, killed ? signal_name(r->outcome.exit_status, sig) : NULL);
        if (k >= 0)
                k = append_output(b, budget, "stderr", &r->err);
        return k;
}

int report_job(Buffer *b, const Job *job, const JobCaps *caps, const char *job_id, const RunResult *results,
               const RunResult *compile) {
        ReportBudget budget = { .case_bytes = caps->result_case_bytes, .left = caps->result_bytes };
        ssize_t first = report_first_failure(job, results);
        const RunResult *r0 = &results[0];
        _cleanup_(buffer_done) Buffer messages = {};
        bool messages_cut = false, unscored = false;
        double score = 0;
        int k = 0;

        /* The compiler's messages, once: in "error" for a compilation error, and in "compile". */
        if (compile)
                k = compile_messages(job, compile, &messages, &messages_cut);

        if (k >= 0)
                k = buffer_printf(b, "{\"status\":\"%s\"", first < 0 ? "success" : "error");
        if (k >= 0)
                k = append_output(b, &budget, "output", &r0->out);
        if (k >= 0)
                k = buffer_printf(b, ",\"error\":");
        if (k >= 0)
                k = first < 0 ? buffer_printf(b, "null")
                    : compile && compile->verdict == VERDICT_COMPILATION_ERROR ? append_compile_error(b, job, compile, &messages)
                    : append_error(b, job, results, first);
        if (k >= 0)
                k = buffer_printf(b, ",\"test_results\":[");
        for (size_t i = 0; k >= 0 && job->has_cases && i < job->n_cases; i++) {
                const TestCase *c = &job->cases[i];
                const RunResult *r = &results[i];
                k = buffer_printf(b, "%s{\"input\":", i ? "," : "");
                if (k >= 0)
                        k = json_append_string(b, c->input, c->input_size);
                if (k >= 0)
                        k = buffer_printf(b, ",\"expected\":");
                if (k >= 0)
                        k = json_append_string(b, c->expected, c->expected_size);
                if (k >= 0)
                        k = append_output(b, &budget, "actual", &r->out);
                if (k >= 0)
                        k = buffer_printf(b, ",\"passed\":%s", r->verdict == VERDICT_ACCEPTED ? "true" : "false");
                if (k >= 0)
                        k = buffer_printf(b, ",\"checker_message\":");
                if (k >= 0)
                        k = json_append_string_or_null(b, r->checker_message[0] ? r->checker_message : NULL);
                if (k >= 0 && !isnan(r->score))
                        k = buffer_printf(b, ",\"score\":%.17g", r->score);
                if (k >= 0)
                        k = append_run_details(b, &budget, r);
                if (k >= 0)
                        k = buffer_printf(b, "}");
                score += case_score(r);
                unscored = unscored || r->verdict == VERDICT_INTERNAL_ERROR;
        }
        if (k >= 0)
                k = buffer_printf(b, "],\"job_id\":\"%s\"", job_id);
        /* A job without tests has a single run: its details sit at the top level. */
        if (k >= 0 && !job->has_cases)
                k = append_run_details(b, &budget, r0);
        else if (k >= 0)
                /* No score where kw (or a checker) failed a case: a 0 would be the contestant's. */
                k = unscored ? buffer_printf(b, ",\"verdict\":\"%s\",\"score\":null", verdict_to_string(report_overall(job, results)))
                             : buffer_printf(b, ",\"verdict\":\"%s\",\"score\":%.17g", verdict_to_string(report_overall(job, results)),
                                             score / (double) job->n_cases);
        if (k >= 0 && compile)
                k = append_compile(b, compile, &messages, messages_cut);
        if (k >= 0)
                k = buffer_printf(b, "}\n");
        return k;
}

int report_exit_status(const Job *job, const RunResult *results) {
        if (report_overall(job, results) == VERDICT_INTERNAL_ERROR)
                return EXIT_INTERNAL;
        return report_first_failure(job, results) < 0 ? EXIT_JUDGED_OK : EXIT_JUDGED_ERROR;
}
