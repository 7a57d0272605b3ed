/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <sys/statvfs.h>

#include "rundir.h"
#include "test-helpers.h"

#define NAME "0123456789abcdef0123456789abcdef"
#define CODE "print('hi')\n\0binary"

static int count_open_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        if (!d)
                return -1;
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static mode_t mode_of(const char *path) {
        struct stat st;
        return lstat(path, &st) < 0 ? (mode_t) -1 : st.st_mode;
}

static const struct {
        mode_t umask;
        size_t code_size;
        bool base_exists;
} create_cases[] = {
        { 0022, sizeof(CODE) - 1, false },
        { 0000, sizeof(CODE) - 1, true },
        { 0077, sizeof(CODE) - 1, true },
        { 0777, sizeof(CODE) - 1, true },       /* needs root: the directories are made 0000 first */
        { 0022, 0, false },
};

static void test_create(size_t i) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *base = NULL, *dir = NULL, *code = NULL, *file = NULL, *content = NULL;
        _cleanup_(run_dir_remove) RunDir d = RUN_DIR_NULL;
        size_t size;
        int fds = count_open_fds();

        test_case_begin("run_dir_create with umask %04o, %zu bytes, base %s", create_cases[i].umask,
                        create_cases[i].code_size, create_cases[i].base_exists ? "made before" : "made by it");
        if (create_cases[i].umask == 0777 && geteuid() != 0) {
                test_skip("needs root");
                return;
        }
        ASSERT_TRUE(asprintf_safe(&base, "%s/base", tmp) >= 0);
        ASSERT_TRUE(asprintf_safe(&dir, "%s/" NAME, base) >= 0);
        ASSERT_TRUE(asprintf_safe(&code, "%s/code", dir) >= 0);
        ASSERT_TRUE(asprintf_safe(&file, "%s/main.py", code) >= 0);
        if (create_cases[i].base_exists)
                ASSERT_OK(mkdir(base, 0700) < 0 ? negative_errno() : 0);

        mode_t old = umask(create_cases[i].umask);
        int r = run_dir_create(base, NAME, &d);
        if (r >= 0)
                r = run_dir_write(&d, "main.py", CODE, create_cases[i].code_size);
        umask(old);
        ASSERT_OK(r);

        ASSERT_TRUE(d.base_fd >= 0 && d.fd >= 0 && d.code_fd >= 0);
        ASSERT_STR_EQ(d.name, NAME);
        ASSERT_STR_EQ(d.path, dir);
        ASSERT_STR_EQ(d.code_path, code);
        ASSERT_TRUE(d.scratch_path == NULL);
        ASSERT_INT_EQ(mode_of(dir), S_IFDIR | 0755);
        ASSERT_INT_EQ(mode_of(code), S_IFDIR | 0755);
        ASSERT_INT_EQ(mode_of(file), S_IFREG | 0644);
        ASSERT_OK(read_file_all(file, 1024, &content, &size));
        ASSERT_MEM_EQ(content, size, CODE, create_cases[i].code_size);

        /* Written once: a second write of the same file is refused, as is a path. */
        ASSERT_ERRNO_EQ(run_dir_write(&d, "main.py", "x", 1), -EEXIST);
        ASSERT_ERRNO_EQ(run_dir_write(&d, "../main.py", "x", 1), -EINVAL);
        ASSERT_ERRNO_EQ(run_dir_write(&d, "..", "x", 1), -EINVAL);
        ASSERT_OK(run_dir_write(&d, ".kw-run", "x", 1));

        run_dir_remove(&d);
        ASSERT_INT_EQ(mode_of(dir), (mode_t) -1);
        ASSERT_INT_EQ(mode_of(base) & S_IFMT, S_IFDIR);   /* the base stays */
        ASSERT_TRUE(d.fd == -EBADF && d.base_fd == -EBADF && d.code_fd == -EBADF && !d.name && !d.path);
        run_dir_remove(&d);                               /* twice is fine */
        ASSERT_INT_EQ(count_open_fds(), fds);
}

/* What is at BASE (and at BASE/NAME) before run_dir_create() is called. */
typedef enum Setup {
        SETUP_NONE,
        SETUP_BASE_MODE,        /* BASE a directory of @mode */
        SETUP_BASE_OTHER_OWNER,
        SETUP_BASE_SYMLINK,     /* BASE a link to a good directory */
        SETUP_BASE_FILE,
        SETUP_NAME_DIR,         /* BASE/NAME a directory with a file in it */
        SETUP_NAME_FILE,
        SETUP_NAME_SYMLINK,     /* BASE/NAME a link to a directory elsewhere */
} Setup;

static const struct {
        const char *what;
        Setup setup;
        mode_t mode;
        const char *name;
        int result;
} refuse_cases[] = {
        { "group-writable base", SETUP_BASE_MODE, 0775, NAME, -EPERM },
        { "world-writable base", SETUP_BASE_MODE, 0757, NAME, -EPERM },
        { "sticky world-writable base", SETUP_BASE_MODE, 01777, NAME, -EPERM },
        { "base owned by somebody else", SETUP_BASE_OTHER_OWNER, 0755, NAME, -EPERM },
        { "base a symlink", SETUP_BASE_SYMLINK, 0755, NAME, -ENOTDIR },  /* O_NOFOLLOW|O_DIRECTORY */
        { "base a file", SETUP_BASE_FILE, 0644, NAME, -ENOTDIR },
        { "name with '/'", SETUP_NONE, 0, "a/b", -EINVAL },
        { "name '..'", SETUP_NONE, 0, "..", -EINVAL },
        { "name '.'", SETUP_NONE, 0, ".", -EINVAL },
        { "hidden name", SETUP_NONE, 0, ".job", -EINVAL },
        { "name exists, a directory", SETUP_NAME_DIR, 0755, NAME, -EEXIST },
        { "name exists, a file", SETUP_NAME_FILE, 0755, NAME, -EEXIST },
        { "name exists, a symlink", SETUP_NAME_SYMLINK, 0755, NAME, -EEXIST },
};

static int setup(const char *tmp, const char *base, Setup s, mode_t mode) {
        _cleanup_free_ char *real = NULL, *entry = NULL;

        if (asprintf_safe(&real, "%s/real", tmp) < 0 || asprintf_safe(&entry, "%s/" NAME, base) < 0)
                return -ENOMEM;
        switch (s) {
        case SETUP_NONE:
                return 0;
        case SETUP_BASE_MODE:
        case SETUP_NAME_DIR:
        case SETUP_NAME_FILE:
        case SETUP_NAME_SYMLINK:
                if (mkdir(base, 0700) < 0 || chmod(base, mode) < 0)
                        return negative_errno();
                if (s == SETUP_NAME_DIR)
                        return test_write_string(base, NAME "/keep", "somebody's");
                if (s == SETUP_NAME_FILE)
                        return test_write_string(base, NAME, "somebody's");
                if (s == SETUP_NAME_SYMLINK)
                        return mkdir(real, 0755) < 0 || symlink(real, entry) < 0 ? negative_errno() : 0;
                return 0;
        case SETUP_BASE_OTHER_OWNER:
                return mkdir(base, 0755) < 0 || chown(base, 4242, 4242) < 0 ? negative_errno() : 0;
        case SETUP_BASE_SYMLINK:
                return mkdir(real, 0755) < 0 || symlink(real, base) < 0 ? negative_errno() : 0;
        case SETUP_BASE_FILE:
                return test_write_string(tmp, "base", "");
        }
        return -EINVAL;
}

static void test_refuse(size_t i) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *base = NULL, *entry = NULL, *real_entry = NULL;
        RunDir d = { .base_fd = 42, .fd = 42, .code_fd = 42 };
        Setup s = refuse_cases[i].setup;
        int fds = count_open_fds();

        test_case_begin("run_dir_create refuses: %s", refuse_cases[i].what);
        if (s == SETUP_BASE_OTHER_OWNER && geteuid() != 0) {
                test_skip("needs root");
                return;
        }
        ASSERT_TRUE(asprintf_safe(&base, "%s/base", tmp) >= 0);
        ASSERT_TRUE(asprintf_safe(&entry, "%s/" NAME, base) >= 0);
        ASSERT_TRUE(asprintf_safe(&real_entry, "%s/real/" NAME, tmp) >= 0);
        ASSERT_OK(setup(tmp, base, s, refuse_cases[i].mode));

        ASSERT_ERRNO_EQ(run_dir_create(base, refuse_cases[i].name, &d), refuse_cases[i].result);
        ASSERT_TRUE(d.base_fd == 42 && d.fd == 42 && d.code_fd == 42 && !d.name);   /* untouched */
        ASSERT_INT_EQ(count_open_fds(), fds);

        switch (s) {
        case SETUP_NONE:
                /* Refused before anything was made. */
                ASSERT_INT_EQ(mode_of(base), (mode_t) -1);
                break;
        case SETUP_NAME_DIR:
                /* Never removes what somebody else made. */
                ASSERT_INT_EQ(mode_of(entry) & S_IFMT, S_IFDIR);
                {
                        _cleanup_free_ char *keep = NULL;
                        ASSERT_TRUE(asprintf_safe(&keep, "%s/keep", entry) >= 0);
                        ASSERT_INT_EQ(mode_of(keep) & S_IFMT, S_IFREG);
                }
                break;
        case SETUP_NAME_FILE:
                ASSERT_INT_EQ(mode_of(entry) & S_IFMT, S_IFREG);
                break;
        case SETUP_NAME_SYMLINK:
                ASSERT_INT_EQ(mode_of(entry) & S_IFMT, S_IFLNK);
                ASSERT_INT_EQ(mode_of(real_entry), (mode_t) -1);
                break;
        case SETUP_BASE_SYMLINK:
                /* Nothing made through the link. */
                ASSERT_INT_EQ(mode_of(real_entry), (mode_t) -1);
                break;
        case SETUP_BASE_MODE:
        case SETUP_BASE_OTHER_OWNER:
        case SETUP_BASE_FILE:
                ASSERT_INT_EQ(mode_of(entry), (mode_t) -1);
                break;
        }
}

/* A tmpfs per run; needs root and the right to mount, else skipped. */
static void test_scratch(void) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *base = NULL, *want = NULL, *scratch = NULL, *dir = NULL;
        _cleanup_(run_dir_remove) RunDir d = RUN_DIR_NULL;
        struct statvfs sv;
        struct stat st, parent;
        int r;

        if (geteuid() != 0) {
                test_skip("needs root");
                return;
        }
        ASSERT_TRUE(asprintf_safe(&base, "%s/base", tmp) >= 0);
        ASSERT_OK(run_dir_create(base, NAME, &d));

        r = run_dir_mount_scratch(&d, 1 << 20);
        if (r == -EPERM || r == -ENOSYS || r == -EACCES) {
                test_skip("cannot mount a tmpfs here");
                return;
        }
        ASSERT_OK(r);
        ASSERT_TRUE(asprintf_safe(&want, "%s/scratch", d.path) >= 0);
        ASSERT_STR_EQ(d.scratch_path, want);

        ASSERT_OK(statvfs(d.scratch_path, &sv));
        ASSERT_U64_EQ((uint64_t) sv.f_blocks * sv.f_frsize, 1 << 20);
        ASSERT_U64_EQ(sv.f_files, 16384);
        ASSERT_TRUE(sv.f_flag & ST_NOSUID);
        ASSERT_TRUE(sv.f_flag & ST_NODEV);
        ASSERT_OK(stat(d.scratch_path, &st));
        ASSERT_OK(stat(d.path, &parent));
        ASSERT_TRUE(st.st_dev != parent.st_dev);
        /* Root's, holding the run's /tmp, /var/tmp and /dev/shm, which anybody may write. */
        ASSERT_INT_EQ(st.st_mode, S_IFDIR | 0755);
        ASSERT_INT_EQ(st.st_uid, 0);
        for (size_t i = 0; i < ELEMENTSOF(run_dir_scratch_dirs); i++) {
                _cleanup_free_ char *sub = NULL;
                ASSERT_TRUE(asprintf_safe(&sub, "%s/%s", d.scratch_path, run_dir_scratch_dirs[i]) >= 0);
                ASSERT_INT_EQ(mode_of(sub), S_IFDIR | 01777);
        }
        ASSERT_OK(test_write_string(d.scratch_path, "tmp/run-wrote-this", "data"));

        /* Once per run: the mount point exists. */
        scratch = strdup(d.scratch_path);
        ASSERT_NOT_NULL(scratch);
        ASSERT_ERRNO_EQ(run_dir_mount_scratch(&d, 1 << 20), -EEXIST);

        /* run_dir_remove() detaches it whole, with what the run wrote in it. */
        dir = strdup(d.path);
        ASSERT_NOT_NULL(dir);
        run_dir_remove(&d);
        ASSERT_INT_EQ(mode_of(scratch), (mode_t) -1);
        ASSERT_INT_EQ(mode_of(dir), (mode_t) -1);
}

/* Mount points below @path, from /proc/self/mountinfo; -errno if it cannot be read. */
static int count_mounts_below(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size, n = strlen(path);
        int count = 0;

        int r = read_file_all("/proc/self/mountinfo", 1 << 20, &text, &size);
        if (r < 0)
                return r;
        /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field. */
        for (char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                char *p = line;
                for (int field = 0; p && field < 4; field++)
                        p = strchr(p, ' '), p = p ? p + 1 : NULL;
                if (p && strncmp(p, path, n) == 0 && p[n] == '/')
                        count++;
        }
        return count;
}

/* What a crashed kw leaves behind goes; nothing else does, and no link is followed. */
static void test_cleanup_all(void) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *base = NULL, *outside = NULL, *path = NULL;
        _cleanup_(run_dir_remove) RunDir a = RUN_DIR_NULL;
        bool mounted = false;

        ASSERT_TRUE(asprintf_safe(&base, "%s/base", tmp) >= 0);
        ASSERT_TRUE(asprintf_safe(&outside, "%s/outside", tmp) >= 0);
        ASSERT_OK(run_dir_create(base, NAME, &a));
        ASSERT_OK(run_dir_write(&a, "main.py", "x", 1));
        if (geteuid() == 0 && run_dir_mount_scratch(&a, 1 << 20) >= 0) {
                mounted = true;
                ASSERT_OK(test_write_string(a.scratch_path, "tmp/left-by-the-run", "x"));
                ASSERT_INT_EQ(count_mounts_below(base), 1);
        }
        ASSERT_OK(test_write_string(base, "other-run/code/main.js", "x"));
        ASSERT_OK(test_write_string(base, "odd-run/code/sub/keep", "x"));
        ASSERT_OK(test_write_string(base, "stray-file", "x"));
        ASSERT_OK(test_write_string(base, ".hidden/keep", "x"));
        ASSERT_OK(test_write_string(base, "odd/sub/keep", "x"));
        ASSERT_OK(test_write_string(outside, "keep", "x"));
        ASSERT_TRUE(asprintf_safe(&path, "%s/link", base) >= 0);
        ASSERT_OK(symlink(outside, path) < 0 ? negative_errno() : 0);

        run_dir_cleanup_all(base);

        static const struct {
                const char *path;       /* below tmp */
                mode_t type;            /* 0: gone */
        } after[] = {
                { "base", S_IFDIR },
                { "base/" NAME, 0 },
                { "base/other-run", 0 },
                { "base/odd-run/code/sub/keep", S_IFREG },  /* code/ holds files only: a directory is not ours */
                { "base/stray-file", S_IFREG },
                { "base/.hidden/keep", S_IFREG },
                { "base/odd/sub/keep", S_IFREG },       /* never recurses into what it did not make */
                { "base/link", S_IFLNK },
                { "outside/keep", S_IFREG },
        };
        for (size_t i = 0; i < ELEMENTSOF(after); i++) {
                _cleanup_free_ char *p = NULL;
                ASSERT_TRUE(asprintf_safe(&p, "%s/%s", tmp, after[i].path) >= 0);
                test_case_begin("run_dir_cleanup_all: %s", after[i].path);
                ASSERT_INT_EQ(mode_of(p) == (mode_t) -1 ? 0 : mode_of(p) & S_IFMT, after[i].type);
        }
        if (mounted)
                ASSERT_INT_EQ(count_mounts_below(base), 0);
        else
                printf("test_cleanup_all: no scratch mount here (needs root and the right to mount)\n");
}

/* A base somebody else could write is not touched at all. */
static void test_cleanup_all_unsafe_base(void) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *base = NULL, *file = NULL;

        ASSERT_TRUE(asprintf_safe(&base, "%s/base", tmp) >= 0);
        ASSERT_OK(test_write_string(base, NAME "/code/main.py", "x"));
        ASSERT_OK(chmod(base, 0777) < 0 ? negative_errno() : 0);
        run_dir_cleanup_all(base);
        ASSERT_INT_EQ(mode_of(base), S_IFDIR | 0777);
        ASSERT_OK(asprintf_safe(&file, "%s/" NAME "/code/main.py", base) < 0 ? -ENOMEM : 0);
        ASSERT_INT_EQ(mode_of(file), S_IFREG | 0644);
}

int main(void) {
        TEST_TABLE(test_create, create_cases);
        TEST_TABLE(test_refuse, refuse_cases);
        TEST_RUN(test_scratch);
        TEST_RUN(test_cleanup_all);
        TEST_RUN(test_cleanup_all_unsafe_base);
        return test_summary();
}
