// Killing kw from Node: process.kill(-1), PID 1 (the run's init, its parent), and every pid number
// up to 65536. Expected: nothing outside the run has a pid in its namespace (ESRCH), its init
// ignores every signal from inside, and kw still judges the run.
const fs = require("fs");
// Its own threads have ids in the same space; signalling one would kill Node itself.
const own = new Set(fs.readdirSync("/proc/self/task").map(Number));
const visible = fs.readdirSync("/proc").filter((p) => /^[0-9]+$/.test(p)).map(Number);
console.log("pids visible in /proc:", visible.every((p) => p === process.pid) ? "only its own" : visible.join(" "));
try { process.kill(-1, "SIGKILL"); console.log("kill(-1, SIGKILL): returned 0"); }
catch (e) { console.log("kill(-1, SIGKILL): " + e.code); }
const refused = {};
let delivered = 0;
for (let pid = 2; pid <= 65536; pid++) {
  if (pid === process.pid || own.has(pid)) continue;
  try { process.kill(pid, "SIGKILL"); delivered++; }
  catch (e) { refused[e.code] = (refused[e.code] || 0) + 1; }
}
console.log("blind SIGKILL to pids 2..65536:", delivered, "delivered; refused:", Object.keys(refused).sort().join(", "));
console.log("parent:", process.ppid);
for (const sig of ["SIGTERM", "SIGKILL"]) {
  try { process.kill(1, sig); } catch (e) { console.log("PID 1: blocked " + e.code); }
}
setTimeout(() => {
  process.kill(1, 0); // ESRCH, were it gone
  console.log("PID 1, the run's init: SIGTERM and SIGKILL ignored, still there: true");
}, 100);
