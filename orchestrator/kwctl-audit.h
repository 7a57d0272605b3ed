/* SPDX-License-Identifier: MIT */
#pragma once

#include "audit-query.h"
#include "audit.h"

/* kwctl show's exit status for a job id the journal has no entry of. */
#define EXIT_NO_SUCH_JOB 5

/**
 * kwctl_audit() - kwctl audit: the KW_AUDIT=1 entries of the system journal that pass @args, one row
 * a job under a header, or with @json >= 0 (a JsonFormat) one JSON object a job.
 * Return: kwctl's exit status (0; 2 for a bad option, named on stderr; 3 if the journal cannot be read).
 */
int kwctl_audit(const AuditArgs *args, int json);

/**
 * kwctl_show() - kwctl show: the entries of job @job_id in the system journal in time order, and with
 * @output each run's stdout and stderr (from the output namespace kw, or the system journal for a job
 * of kwctl --direct). Without the namespace, a note on stderr and the rest.
 * Return: kwctl's exit status (0; 2 for a bad id; 3 if the journal cannot be read; EXIT_NO_SUCH_JOB).
 */
int kwctl_show(const char *job_id, bool output);
