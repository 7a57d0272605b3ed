# Other runs through the cgroup file system: two cases of this job run at once; each looks in
# /sys/fs/cgroup (read-only under ProtectControlGroups=, but readable) for units other than its
# own: the other run's kw-<job>-<n>.service (its job id, its pids in cgroup.procs, its memory and
# CPU use: a side channel on another contestant's program) and the host's services.
# Expected (secure): nothing but its own cgroup is visible: "saw nothing" twice.
import os, sys, time

me = sys.stdin.read().strip()
own = {line.split(":", 2)[2] for line in open("/proc/self/cgroup").read().splitlines()}
own_units = {os.path.basename(p) for p in own}
time.sleep(0.4)                          # the other run is up by now
runs, services, pids, stats = set(), set(), 0, 0
for d, subs, files in os.walk("/sys/fs/cgroup"):
    unit = os.path.basename(d)
    if not unit.endswith(".service") or unit in own_units:
        continue
    (runs if unit.startswith("kw-") else services).add(unit)
    for name in ("cgroup.procs", "memory.usage_in_bytes", "memory.current", "cpuacct.usage", "cpu.stat"):
        try:
            data = open(os.path.join(d, name)).read()
        except OSError:
            continue
        if name == "cgroup.procs":
            pids += len(data.split())
        else:
            stats += 1
if not runs and not services:
    print("run %s: saw nothing" % me)
else:
    print("run %s: SUCCEEDED, saw %d other kw runs%s, %d host services (%s), read %d of their pids and %d of their counters"
          % (me, len(runs), " (%s)" % ", ".join(sorted(runs)[:2]) if runs else "", len(services),
             ", ".join(sorted(services)[:3]), pids, stats))
