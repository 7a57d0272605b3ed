/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

/* How far a job is, as the Runner tells it while it runs (run.h's RunnerProgressFn) and kwd passes
 * it on to kwctl (protocol.h's progress records). */
typedef enum ProgressStage {
        PROGRESS_COMPILING,                 /* the job's code (or its checker) is being compiled */
        PROGRESS_RUNNING,                   /* its cases run; @done of them are judged */
        _PROGRESS_STAGE_MAX,
} ProgressStage;

typedef struct Progress {
        ProgressStage stage;
        unsigned done, total;               /* cases judged, of the job's */
        unsigned verdicts[_VERDICT_MAX];    /* the judged ones by verdict: they add up to @done */
} Progress;

/* "compiling", "running"; NULL for no stage. */
const char *progress_stage_to_string(ProgressStage s);

/* A line fits PROGRESS_LINE_MAX bytes, NUL included, at any width. */
#define PROGRESS_LINE_MAX 512

/**
 * progress_format() - the one line a person at a terminal sees, e.g.
 * "[7/20] 6 accepted, 1 wrong_answer · 3.2 s" or "compiling… · 0.4 s", at most @width columns (the
 * verdicts are cut first, with "…", then the end of the line). No newline, no escape sequence.
 * Return: the line's length in bytes.
 */
size_t progress_format(const Progress *p, uint64_t elapsed_usec, unsigned width, char buf[static PROGRESS_LINE_MAX]);
