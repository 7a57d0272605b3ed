/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "timestamp.h"
#include "util.h"

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

/* systemd's units (time-util.c), matched whole: "m" is minutes, "M" months. */
static const struct {
        const char *name;
        uint64_t usec;
} units[] = {
        { "usec", 1 },
        { "us", 1 },
        { "\xc2\xb5s", 1 },             /* µs, MICRO SIGN */
        { "\xce\xbcs", 1 },             /* μs, GREEK SMALL LETTER MU */
        { "msec", 1000 },
        { "ms", 1000 },
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", USEC_PER_MINUTE },
        { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },
        { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },
        { "hour", USEC_PER_HOUR },
        { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },
        { "days", USEC_PER_DAY },
        { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },
        { "weeks", 7 * USEC_PER_DAY },
        { "week", 7 * USEC_PER_DAY },
        { "w", 7 * USEC_PER_DAY },
        { "months", 2629800 * USEC_PER_SEC },
        { "month", 2629800 * USEC_PER_SEC },
        { "M", 2629800 * USEC_PER_SEC },
        { "years", 31557600 * USEC_PER_SEC },
        { "year", 31557600 * USEC_PER_SEC },
        { "y", 31557600 * USEC_PER_SEC },
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* "DIGITS[.DIGITS]" at *p times @unit, exactly (a fraction finer than a µs is cut); *p moves past it. */
static int parse_number(const char **p, uint64_t unit, uint64_t *ret) {
        const char *s = *p;
        unsigned __int128 whole = 0, frac = 0, scale = 1;
        bool digits = false;

        for (; is_digit(*s); s++, digits = true) {
                whole = whole * 10 + (unsigned) (*s - '0');
                if (whole > UINT64_MAX)
                        return -ERANGE;
        }
        if (*s == '.')
                for (s++; is_digit(*s); s++, digits = true)
                        if (scale < 1000000000000000000ULL) /* 18 places: more cannot change a µs */
                                frac = frac * 10 + (unsigned) (*s - '0'), scale *= 10;
        if (!digits)
                return -EINVAL;
        unsigned __int128 v = whole * unit + frac * unit / scale;
        if (v > UINT64_MAX)
                return -ERANGE;
        *p = s;
        *ret = (uint64_t) v;
        return 0;
}

int timespan_parse(const char *s, uint64_t *ret) {
        uint64_t total = 0;
        bool any = false;
        int r;

        for (;;) {
                while (is_blank(*s))
                        s++;
                if (!*s)
                        break;
                /* The unit: what follows the number (after blanks) up to a blank, a digit or the end. */
                const char *n = s;
                while (*n && (is_digit(*n) || *n == '.'))
                        n++;
                const char *u = n;
                while (is_blank(*u))
                        u++;
                size_t len = 0;
                while (u[len] && !is_blank(u[len]) && !is_digit(u[len]) && u[len] != '.')
                        len++;
                uint64_t unit = USEC_PER_SEC, v;
                if (len > 0) {
                        size_t i = 0;
                        while (i < ELEMENTSOF(units) && !(strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0))
                                i++;
                        if (i == ELEMENTSOF(units))
                                return -EINVAL;
                        unit = units[i].usec;
                }
                r = parse_number(&s, unit, &v);
                if (r < 0)
                        return r;
                if (s != n || __builtin_add_overflow(total, v, &total))
                        return s != n ? -EINVAL : -ERANGE;
                s = u + len;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

/* 1 or 2 digits, at most @max, at *p. */
static int parse_field(const char **p, int max, int *ret) {
        const char *s = *p;
        int v = 0;

        if (!is_digit(*s))
                return -EINVAL;
        for (int i = 0; i < 2 && is_digit(*s); i++, s++)
                v = v * 10 + (*s - '0');
        if (v > max)
                return -EINVAL;
        *p = s;
        *ret = v;
        return 0;
}

static int days_in_month(int year, int month) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : days[month - 1];
}

/* @tm (fields as written, not normalised) in µs since the epoch; of local time unless @utc. */
static int tm_to_usec(struct tm *tm, bool utc, uint64_t frac_usec, uint64_t *ret) {
        tm->tm_isdst = -1;
        time_t t = utc ? timegm(tm) : mktime(tm);
        if (t < 0)
                return -ERANGE;
        *ret = (uint64_t) t * USEC_PER_SEC + frac_usec;
        return 0;
}

/* "HH:MM[:SS[.FRAC]]" at *p into @tm and *ret_frac. */
static int parse_clock(const char **p, struct tm *tm, uint64_t *ret_frac) {
        const char *s = *p;
        int r;

        r = parse_field(&s, 23, &tm->tm_hour);
        if (r >= 0 && *s++ != ':')
                r = -EINVAL;
        if (r >= 0)
                r = parse_field(&s, 59, &tm->tm_min);
        *ret_frac = 0;
        if (r >= 0 && *s == ':') {
                s++;
                r = parse_field(&s, 59, &tm->tm_sec);
                /* Of a second: ".5" is 500000 µs. */
                if (r >= 0 && *s == '.' && is_digit(s[1]))
                        r = parse_number(&s, USEC_PER_SEC, ret_frac);
        }
        if (r < 0)
                return r;
        *p = s;
        return 0;
}

/* The date and time forms. */
static int parse_absolute(const char *s, bool utc, uint64_t now, uint64_t *ret) {
        struct tm tm = {};
        uint64_t frac = 0;
        int r;

        if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-') {
                int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
                s += 5;
                r = parse_field(&s, 12, &tm.tm_mon);
                if (r >= 0 && *s++ != '-')
                        r = -EINVAL;
                if (r >= 0)
                        r = parse_field(&s, 31, &tm.tm_mday);
                if (r < 0 || tm.tm_mon < 1 || tm.tm_mday < 1 || tm.tm_mday > days_in_month(year, tm.tm_mon))
                        return -EINVAL;
                tm.tm_year = year - 1900;
                tm.tm_mon--;
                if (*s == ' ' || *s == 'T') {
                        s++;
                        r = parse_clock(&s, &tm, &frac);
                        if (r < 0)
                                return r;
                }
        } else {
                /* A time of day: today's. */
                time_t t = (time_t) (now / USEC_PER_SEC);
                if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
                        return -ERANGE;
                tm.tm_sec = 0;
                r = parse_clock(&s, &tm, &frac);
                if (r < 0)
                        return r;
        }
        if (*s)
                return -EINVAL;
        return tm_to_usec(&tm, utc, frac, ret);
}

/* "today", "yesterday", "tomorrow": a midnight. */
static int parse_day(const char *s, bool utc, uint64_t now, uint64_t *ret) {
        static const char *const days[] = { "yesterday", "today", "tomorrow" };
        struct tm tm;

        for (size_t i = 0; i < ELEMENTSOF(days); i++)
                if (strcmp(s, days[i]) == 0) {
                        time_t t = (time_t) (now / USEC_PER_SEC);
                        if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
                                return -ERANGE;
                        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
                        tm.tm_mday += (int) i - 1;
                        return tm_to_usec(&tm, utc, 0, ret);
                }
        return -EINVAL;
}

static bool strip_suffix(char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        if (n <= k || strcmp(s + n - k, suffix) != 0)
                return false;
        s[n - k] = 0;
        return true;
}

int timestamp_parse(const char *s, uint64_t now, uint64_t *ret) {
        _cleanup_free_ char *t = NULL;
        uint64_t span, v;
        int r;

        if (strcmp(s, "now") == 0) {
                *ret = now;
                return 0;
        }
        if (*s == '+' || *s == '-') {
                r = timespan_parse(s + 1, &span);
                if (r < 0)
                        return r;
                if (*s == '+' ? __builtin_add_overflow(now, span, &v) : __builtin_sub_overflow(now, span, &v))
                        return -ERANGE;
                *ret = v;
                return 0;
        }
        if (*s == '@') {
                const char *p = s + 1;
                r = parse_number(&p, USEC_PER_SEC, &v);
                if (r < 0 || *p)
                        return r < 0 ? r : -EINVAL;
                *ret = v;
                return 0;
        }
        t = strdup(s);
        if (!t)
                return -ENOMEM;
        if (strip_suffix(t, " ago") || strip_suffix(t, " left")) {
                bool ago = strlen(t) + 4 == strlen(s);
                r = timespan_parse(t, &span);
                if (r < 0)
                        return r;
                if (ago ? __builtin_sub_overflow(now, span, &v) : __builtin_add_overflow(now, span, &v))
                        return -ERANGE;
                *ret = v;
                return 0;
        }
        bool utc = strip_suffix(t, " UTC");
        r = parse_day(t, utc, now, &v);
        if (r == -EINVAL)
                r = parse_absolute(t, utc, now, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}
