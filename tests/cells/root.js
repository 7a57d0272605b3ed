// What a run's root holds, for JavaScript: the same JSON object as root.py prints (see there).
const fs = require("fs");

const PROBED = ["/opt", "/srv", "/home", "/root", "/boot", "/mnt", "/media", "/sys", "/var/lib", "/var/log",
        "/var/cache", "/var/spool", "/var/run", "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hostname",
        "/etc/hosts", "/etc/resolv.conf", "/etc/machine-id", "/etc/systemd", "/run/systemd", "/run/dbus",
        "/run/kw-exec", "/run/kw-private", "/run/kwd.sock", "/dev/mqueue", "/dev/pts", "/dev/tty",
        "/dev/console", "/dev/kmsg"];

function listing(d) {
        try {
                return fs.readdirSync(d).sort();
        } catch (e) {
                return "error " + e.code;
        }
}
function exists(p) {
        try {
                fs.lstatSync(p);
                return true;
        } catch (e) {
                return false;
        }
}

const status = {};
for (const line of fs.readFileSync("/proc/self/status", "utf8").split("\n")) {
        const i = line.indexOf(":");
        if (i > 0) status[line.slice(0, i)] = line.slice(i + 1).trim();
}
const listings = {};
for (const d of ["/", "/etc", "/var", "/run", "/run/kw", "/dev"]) listings[d] = listing(d);
const keep = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"];
console.log(JSON.stringify({
        listings: listings,
        exists: PROBED.filter(exists),
        pid: process.pid, ppid: process.ppid, uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(),
        environ: process.env,
        status: Object.fromEntries(keep.map((k) => [k, status[k]])),
}));
