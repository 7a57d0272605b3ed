/* SPDX-License-Identifier: MIT */
/* kw-runstat UNIT SOCKET CGROUP_ROOT NOTE: run by systemd as a run's privileged ExecStopPost=, once
 * every process of the program is gone but its cgroup still exists. Logs the run's CPU time, memory
 * peak and OOM kills (from the cgroup tree bound at CGROUP_ROOT, as the program sees no
 * /sys/fs/cgroup) to journald's native SOCKET (reachable only by root inside the sandbox), beside the
 * run's output, where kw reads them. Whose run it was, NOTE says: "JOB_ID RUN", written by kw into
 * the read-only code directory when it handed the unit its job. No note: a warm unit that never got
 * a job, nothing to log. It reads kernel counters and touches nothing of the run's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cgstat.h"
#include "journal.h"

/* "JOB_ID RUN\n": 32 hex digits and a number. */
static int parse_note(const char *text, char job_id[static 33], unsigned *ret_run) {
        unsigned run;
        int end = 0;

        if (strspn(text, "0123456789abcdef") != 32 || text[32] != ' ')
                return -EINVAL;
        if (sscanf(text + 33, "%u%n", &run, &end) != 1 || strcmp(text + 33 + end, "\n") != 0)
                return -EINVAL;
        memcpy(job_id, text, 32);
        job_id[32] = 0;
        *ret_run = run;
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *self = NULL, *note = NULL;
        char message[256], job_id[33], job[64], run_field[32], unit[128], cpu[48], memory[64], oom[48];
        struct rusage ru;
        CgroupStats s;
        unsigned run;
        size_t n;
        int r;

        log_set_program("kw-runstat");
        if (argc != 5) {
                log_error("usage: kw-runstat UNIT SOCKET CGROUP_ROOT NOTE");
                return 2;
        }
        r = read_file_all(argv[4], 128, &note, &n);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = parse_note(note, job_id, &run);
        if (r < 0)
                return log_error_errno(r, "Cannot read the note %s of %s: %m", argv[4], argv[1]), 1;
        r = read_file_all("/proc/self/cgroup", 1 << 16, &self, &n);
        if (r >= 0)
                r = cgroup_stats_read(argv[3], self, &s);
        if (r < 0)
                return log_error_errno(r, "Cannot read the cgroup of %s: %m", argv[1]), 1;

        /* Our own few microseconds are in the cgroup too. */
        if (s.cpu_usec != UINT64_MAX && getrusage(RUSAGE_SELF, &ru) == 0) {
                uint64_t own = (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
                               (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
                s.cpu_usec = s.cpu_usec > own ? s.cpu_usec - own : 0;
        }
        snprintf(message, sizeof(message), "MESSAGE=kw run %u of job %s: cpu %" PRIu64 " us, memory peak %" PRIu64
                 " bytes, %" PRIu64 " OOM kills", run, job_id, s.cpu_usec, s.memory_peak, s.oom_kills);
        snprintf(job, sizeof(job), "KW_JOB_ID=%s", job_id);
        snprintf(run_field, sizeof(run_field), "KW_RUN=%u", run);
        snprintf(unit, sizeof(unit), "KW_UNIT=%s", argv[1]);
        snprintf(cpu, sizeof(cpu), "KW_CPU_USEC=%" PRIu64, s.cpu_usec);
        snprintf(memory, sizeof(memory), "KW_MEMORY_PEAK_BYTES=%" PRIu64, s.memory_peak);
        snprintf(oom, sizeof(oom), "KW_OOM_KILLS=%" PRIu64, s.oom_kills);
        const char *fields[] = { message, "PRIORITY=6", "SYSLOG_IDENTIFIER=kw-runstat", job, run_field, unit,
                                 "KW_STATS=1", cpu, memory, oom };
        r = journal_send_to(argv[2], fields, ELEMENTSOF(fields));
        if (r < 0)
                return log_error_errno(r, "Cannot log to %s: %m", argv[2]), 1;
        return 0;
}
