/* SPDX-License-Identifier: MIT */
/* kw-runstat JOB_ID RUN UNIT SOCKET CGROUP_ROOT: run by systemd as a run's privileged ExecStopPost=, once every
 * process of the program is gone but its cgroup still exists. Logs the run's CPU time, memory peak
 * and OOM kills (from the cgroup tree bound at CGROUP_ROOT, as the program sees no /sys/fs/cgroup) to
 * journald's native SOCKET (reachable only by root inside the sandbox), beside the
 * run's output, where kwctl reads them. It reads kernel counters and touches nothing of the run's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cgstat.h"
#include "journal.h"

int main(int argc, char *argv[]) {
        _cleanup_free_ char *self = NULL;
        char message[256], job[64], run[32], unit[128], cpu[48], memory[64], oom[48];
        struct rusage ru;
        CgroupStats s;
        size_t n;
        int r;

        log_set_program("kw-runstat");
        if (argc != 6) {
                log_error("usage: kw-runstat JOB_ID RUN UNIT SOCKET CGROUP_ROOT");
                return 2;
        }
        r = read_file_all("/proc/self/cgroup", 1 << 16, &self, &n);
        if (r >= 0)
                r = cgroup_stats_read(argv[5], self, &s);
        if (r < 0)
                return log_error_errno(r, "Cannot read the cgroup of %s: %m", argv[3]), 1;

        /* Our own few microseconds are in the cgroup too. */
        if (s.cpu_usec != UINT64_MAX && getrusage(RUSAGE_SELF, &ru) == 0) {
                uint64_t own = (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
                               (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
                s.cpu_usec = s.cpu_usec > own ? s.cpu_usec - own : 0;
        }
        snprintf(message, sizeof(message), "MESSAGE=kw run %s of job %s: cpu %" PRIu64 " us, memory peak %" PRIu64
                 " bytes, %" PRIu64 " OOM kills", argv[2], argv[1], s.cpu_usec, s.memory_peak, s.oom_kills);
        snprintf(job, sizeof(job), "KW_JOB_ID=%s", argv[1]);
        snprintf(run, sizeof(run), "KW_RUN=%s", argv[2]);
        snprintf(unit, sizeof(unit), "KW_UNIT=%s", argv[3]);
        snprintf(cpu, sizeof(cpu), "KW_CPU_USEC=%" PRIu64, s.cpu_usec);
        snprintf(memory, sizeof(memory), "KW_MEMORY_PEAK_BYTES=%" PRIu64, s.memory_peak);
        snprintf(oom, sizeof(oom), "KW_OOM_KILLS=%" PRIu64, s.oom_kills);
        const char *fields[] = { message, "PRIORITY=6", "SYSLOG_IDENTIFIER=kw-runstat", job, run, unit,
                                 "KW_STATS=1", cpu, memory, oom };
        r = journal_send_to(argv[4], fields, ELEMENTSOF(fields));
        if (r < 0)
                return log_error_errno(r, "Cannot log to %s: %m", argv[4]), 1;
        return 0;
}
