/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"

static const char *const stage_names[_PROGRESS_STAGE_MAX] = {
        [PROGRESS_COMPILING] = "compiling",
        [PROGRESS_RUNNING] = "running",
};

const char *progress_stage_to_string(ProgressStage s) {
        return s >= 0 && s < _PROGRESS_STAGE_MAX ? stage_names[s] : NULL;
}

/* Columns of UTF-8 text: its code points (all of ours are one column wide). */
static size_t columns(const char *s, size_t n) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += ((unsigned char) s[i] & 0xc0) != 0x80;
        return c;
}

/* The bytes of @s's first @cols columns. */
static size_t prefix_bytes(const char *s, size_t n, size_t cols) {
        size_t i = 0;
        for (size_t c = 0; i < n; i++) {
                if (((unsigned char) s[i] & 0xc0) != 0x80 && c++ == cols)
                        break;
        }
        return i;
}

/* "3.2 s" under a minute (tenths, cut, not rounded: the clock never runs back), "2 min 05 s" after. */
static void format_elapsed(uint64_t usec, char buf[static 32]) {
        uint64_t s = usec / 1000000;
        if (s < 60)
                snprintf(buf, 32, "%" PRIu64 ".%" PRIu64 " s", s, usec / 100000 % 10);
        else
                snprintf(buf, 32, "%" PRIu64 " min %02" PRIu64 " s", s / 60, s % 60);
}

size_t progress_format(const Progress *p, uint64_t elapsed_usec, unsigned width, char buf[static PROGRESS_LINE_MAX]) {
        /* The head, the verdicts (10 of "4294967295 memory_limit_exceeded" at most), the tail: together
         * within a line's bytes. */
        char head[32], middle[400] = "", tail[48], elapsed[32];
        size_t m = 0;

        if (p->stage == PROGRESS_COMPILING)
                snprintf(head, sizeof(head), "compiling…");
        else
                snprintf(head, sizeof(head), "[%u/%u]", p->done, p->total);
        for (Verdict v = 0; v < _VERDICT_MAX; v++) {
                if (p->verdicts[v] == 0)
                        continue;
                int k = snprintf(middle + m, sizeof(middle) - m, "%s%u %s", m ? ", " : " ", p->verdicts[v],
                                 verdict_to_string(v));
                m = k < 0 || (size_t) k >= sizeof(middle) - m ? sizeof(middle) - 1 : m + (size_t) k;
        }
        format_elapsed(elapsed_usec, elapsed);
        snprintf(tail, sizeof(tail), " · %s", elapsed);

        size_t hn = strlen(head), tn = strlen(tail);
        size_t hc = columns(head, hn), mc = columns(middle, m), tc = columns(tail, tn);
        if (hc + mc + tc > width && hc + 1 + tc <= width) {
                /* The verdicts, as many columns as fit with the "…" that says they go on. */
                m = prefix_bytes(middle, m, width - hc - tc - 1);
                memcpy(middle + m, "…", strlen("…"));
                m += strlen("…");
        }
        int n = snprintf(buf, PROGRESS_LINE_MAX, "%s%.*s%s", head, (int) m, middle, tail);
        size_t len = n < 0 ? 0 : (size_t) n >= PROGRESS_LINE_MAX ? PROGRESS_LINE_MAX - 1 : (size_t) n;
        /* Too narrow even for that: the line's first columns. */
        len = prefix_bytes(buf, len, width);
        buf[len] = 0;
        return len;
}
