/* SPDX-License-Identifier: MIT */
#pragma once

#include "util.h"

/* A job's source file, written by root into a directory no sandbox can write to. The sandbox sees
 * it through a read-only bind mount; root only ever creates and removes entries relative to file
 * descriptors it opened itself, so nothing a run does can redirect it (Judge0's CVE-2024-28185). */
typedef struct CodeDir {
        int base_fd;        /* the runtime directory, e.g. /run/kw */
        char *name;         /* the job's directory below it */
        char *path;         /* base/name */
        char *source_name;
        char *source_path;  /* base/name/source_name */
} CodeDir;

/**
 * code_dir_create() - make BASE/NAME/SOURCE holding @code.
 * BASE is created if missing and must be a root-owned directory nobody else can write, not a symlink.
 * Return: 0 or -errno.
 */
int code_dir_create(const char *base, const char *name, const char *source, const char *code, size_t size,
                    CodeDir *ret);

/* Remove the file and the directory; the base stays. Safe to call twice. */
void code_dir_remove(CodeDir *d);
