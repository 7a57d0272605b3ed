// Killing kw from Node: process.kill(-1), PID 1, the parent, and every pid number up to 65536.
// Expected: nothing outside the run can be signalled (EPERM/ESRCH) and kw still judges the run.
const refused = {};
let delivered = 0;
for (let pid = 1; pid <= 65536; pid++) {
  if (pid === process.pid) continue;
  try { process.kill(pid, "SIGKILL"); delivered++; }
  catch (e) { refused[e.code] = (refused[e.code] || 0) + 1; }
}
console.log("blind SIGKILL to pids 1..65536:", delivered, "delivered; refused:", Object.keys(refused).sort().join(", "));
for (const [name, pid] of [["PID 1", 1], ["parent", process.ppid]]) {
  try { process.kill(pid, "SIGTERM"); console.log(name + ": SUCCEEDED"); }
  catch (e) { console.log(name + ": blocked " + e.code); }
}
