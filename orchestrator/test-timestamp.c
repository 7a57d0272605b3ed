/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "test-helpers.h"
#include "timestamp.h"

#define S(x) ((uint64_t) (x) * USEC_PER_SEC)
/* 2026-12-02 06:19:50.25 UTC. */
#define NOW (S(1796192390) + 250000)
/* Central European Time without tzdata: UTC+1, UTC+2 in summer. */
#define CET "CET-1CEST,M3.5.0,M10.5.0/3"

static const struct {
        const char *tz;
        const char *in;
        int r;
        uint64_t usec;
} stamps[] = {
        { "UTC", "now", 0, NOW },
        { "UTC", "today", 0, S(1796169600) },
        { "UTC", "yesterday", 0, S(1796083200) },
        { "UTC", "tomorrow", 0, S(1796256000) },
        { "UTC", "2026-12-02 06:19:50", 0, S(1796192390) },
        { "UTC", "2026-12-02T06:19:50", 0, S(1796192390) },
        { "UTC", "2026-12-02 06:19", 0, S(1796192340) },
        { "UTC", "2026-12-02", 0, S(1796169600) },
        { "UTC", "2026-12-2", 0, S(1796169600) },
        { "UTC", "2026-12-02 06:19:50.5", 0, S(1796192390) + 500000 },
        { "UTC", "2026-12-02 06:19:50.123456789", 0, S(1796192390) + 123456 },
        { "UTC", "2024-02-29 23:59:59", 0, S(1709251199) },
        { "UTC", "06:00", 0, S(1796169600 + 6 * 3600) },
        { "UTC", "06:00:30", 0, S(1796169600 + 6 * 3600 + 30) },
        { "UTC", "@1796192390", 0, S(1796192390) },
        { "UTC", "@1796192390.25", 0, S(1796192390) + 250000 },
        { "UTC", "@0", 0, 0 },
        { "UTC", "-1h", 0, NOW - S(3600) },
        { "UTC", "-30min", 0, NOW - S(1800) },
        { "UTC", "+1d", 0, NOW + S(86400) },
        { "UTC", "-1h 30min", 0, NOW - S(5400) },
        { "UTC", "-1h30min", 0, NOW - S(5400) },
        { "UTC", "-1.5h", 0, NOW - S(5400) },
        { "UTC", "-500ms", 0, NOW - 500000 },
        { "UTC", "-90", 0, NOW - S(90) },
        { "UTC", "-1M", 0, NOW - S(2629800) },
        { "UTC", "-1y", 0, NOW - S(31557600) },
        { "UTC", "1h ago", 0, NOW - S(3600) },
        { "UTC", "5 min ago", 0, NOW - S(300) },
        { "UTC", "2s left", 0, NOW + S(2) },
        /* Local time, winter and summer; " UTC" overrides it. */
        { CET, "today", 0, S(1796169600 - 3600) },
        { CET, "2026-12-02 07:19:50", 0, S(1796192390) },
        { CET, "2026-07-01 12:00:00", 0, S(1782907200 - 7200) },
        { CET, "06:00", 0, S(1796169600 - 3600 + 6 * 3600) },
        { CET, "2026-12-02 06:19:50 UTC", 0, S(1796192390) },
        { CET, "today UTC", 0, S(1796169600) },
        { CET, "@1796192390", 0, S(1796192390) },
        /* Not times. */
        { "UTC", "", -EINVAL, 0 },
        { "UTC", "soon", -EINVAL, 0 },
        { "UTC", "Today", -EINVAL, 0 },
        { "UTC", "2026-02-29", -EINVAL, 0 },
        { "UTC", "2026-04-31", -EINVAL, 0 },
        { "UTC", "2026-13-01", -EINVAL, 0 },
        { "UTC", "2026-00-10", -EINVAL, 0 },
        { "UTC", "2026-12-00", -EINVAL, 0 },
        { "UTC", "2026-12-32", -EINVAL, 0 },
        { "UTC", "2026-12-02 24:00", -EINVAL, 0 },
        { "UTC", "2026-12-02 06:60", -EINVAL, 0 },
        { "UTC", "2026-12-02 06:19:60", -EINVAL, 0 },
        { "UTC", "2026-12-02 06", -EINVAL, 0 },
        { "UTC", "2026-12-02 06:19:50x", -EINVAL, 0 },
        { "UTC", "2026-12-02  06:19", -EINVAL, 0 },
        { "UTC", "2026-12-02 UTC UTC", -EINVAL, 0 },
        { "UTC", "26-12-02", -EINVAL, 0 },
        { "UTC", "-", -EINVAL, 0 },
        { "UTC", "+", -EINVAL, 0 },
        { "UTC", "-1 fortnight", -EINVAL, 0 },
        { "UTC", "-1h -2h", -EINVAL, 0 },
        { "UTC", "-1.2.3h", -EINVAL, 0 },
        { "UTC", "@", -EINVAL, 0 },
        { "UTC", "@12x", -EINVAL, 0 },
        { "UTC", " ago", -EINVAL, 0 },
        /* Out of range: before the epoch, or past 64 bits of µs. */
        { "UTC", "-1000y", -ERANGE, 0 },
        { "UTC", "1969-12-31", -ERANGE, 0 },
        { "UTC", "+99999999999y", -ERANGE, 0 },
        { "UTC", "@99999999999999999999", -ERANGE, 0 },
};

static void test_timestamp(size_t i) {
        uint64_t v = 7;

        test_case_begin("timestamp_parse(\"%s\") in %s", stamps[i].in, stamps[i].tz);
        setenv("TZ", stamps[i].tz, 1);
        tzset();
        ASSERT_ERRNO_EQ(timestamp_parse(stamps[i].in, NOW, &v), stamps[i].r);
        ASSERT_U64_EQ(v, stamps[i].r < 0 ? 7 : stamps[i].usec);
}

static const struct {
        const char *in;
        int r;
        uint64_t usec;
} spans[] = {
        { "1h 30min", 0, S(5400) },
        { "90s", 0, S(90) },
        { "90", 0, S(90) },
        { "1.5h", 0, S(5400) },
        { ".5s", 0, 500000 },
        { "2 weeks", 0, S(14 * 86400) },
        { "1d1h1min1s1ms1us", 0, S(90061) + 1001 },
        { "1\xc2\xb5s", 0, 1 },
        { "3m", 0, S(180) },
        { "3M", 0, S(3 * 2629800) },
        { "18446744073709551615us", 0, UINT64_MAX },
        { "18446744073709551616us", -ERANGE, 0 },
        { "584555y 1y", -ERANGE, 0 },
        { "", -EINVAL, 0 },
        { "  ", -EINVAL, 0 },
        { "h", -EINVAL, 0 },
        { "1x", -EINVAL, 0 },
        { "1 h m", -EINVAL, 0 },
        { "1.", 0, S(1) },
        { ".", -EINVAL, 0 },
};

static void test_timespan(size_t i) {
        uint64_t v = 7;

        test_case_begin("timespan_parse(\"%s\")", spans[i].in);
        ASSERT_ERRNO_EQ(timespan_parse(spans[i].in, &v), spans[i].r);
        ASSERT_U64_EQ(v, spans[i].r < 0 ? 7 : spans[i].usec);
}

int main(void) {
        TEST_TABLE(test_timestamp, stamps);
        TEST_TABLE(test_timespan, spans);
        return test_summary();
}
