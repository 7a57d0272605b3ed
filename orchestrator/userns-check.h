/* SPDX-License-Identifier: MIT */
#pragma once

/**
 * userns_check() - whether this host lets a cell's unprivileged kw-exec make the namespaces of its
 * runs, as the sysctls below @proc_sys (normally /proc/sys) say: the user.max_*_namespaces counts
 * above 0, Debian's kernel.unprivileged_userns_clone (if there) 1, Ubuntu's
 * kernel.apparmor_restrict_unprivileged_userns (if there) 0. kwctl and kwd refuse to start on such
 * a host rather than fail every run. Return: 0, or -EPERM with *ret_error naming the setting (or
 * another -errno).
 */
int userns_check(const char *proc_sys, char **ret_error);
