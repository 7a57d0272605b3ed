// Leftover processes from Node: a detached, unref'd child in its own session, and a shell that
// backgrounds a nohup'd sleep, then Node exits at once.
// Expected: accepted, and nothing of the run survives it (the script checks with ps).
const { spawn, spawnSync } = require("child_process");
const c = spawn("/usr/bin/sleep", ["300"], { detached: true, stdio: "ignore" });
c.unref();
console.log("detached child", c.pid > 0 ? "started" : "not started");
const r = spawnSync("/bin/sh", ["-c", "nohup /usr/bin/sleep 300 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
console.log("nohup'd background sleep", /^[0-9]+/.test(r.stdout) ? "started" : "not started");
process.exit(0);
