// Killing kw from Node: process.kill(-1), PID 1, the parent, and every pid number up to 65536.
// Expected: nothing outside the run can be signalled (EPERM/ESRCH) and kw still judges the run.
const fs = require("fs");
// Its own threads have ids in the same space; signalling one would kill Node itself.
const own = new Set(fs.readdirSync("/proc/self/task").map(Number));
const visible = fs.readdirSync("/proc").filter((p) => /^[0-9]+$/.test(p)).map(Number);
console.log("pids visible in /proc:", visible.every((p) => p === process.pid) ? "only its own" : visible.join(" "));
try { process.kill(-1, "SIGKILL"); console.log("kill(-1, SIGKILL): returned 0"); }
catch (e) { console.log("kill(-1, SIGKILL): " + e.code); }
const refused = {};
let delivered = 0;
for (let pid = 1; pid <= 65536; pid++) {
  if (pid === process.pid || own.has(pid)) continue;
  try { process.kill(pid, "SIGKILL"); delivered++; }
  catch (e) { refused[e.code] = (refused[e.code] || 0) + 1; }
}
console.log("blind SIGKILL to pids 1..65536:", delivered, "delivered; refused:", Object.keys(refused).sort().join(", "));
for (const [name, pid] of [["PID 1", 1], ["parent", process.ppid]]) {
  try { process.kill(pid, "SIGTERM"); console.log(name + ": SUCCEEDED"); }
  catch (e) { console.log(name + ": blocked " + e.code); }
}
