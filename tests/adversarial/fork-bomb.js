// Fork bomb started from Node: the classic shell bomb, then Node itself spawns until refused.
// Expected: TasksMax refuses new processes (EAGAIN); the run ends at the wall clock and nothing
// of the bomb survives it.
const { spawn, spawnSync } = require("child_process");
const r = spawnSync("/bin/sh", ["-c", "b(){ b|b& };b"], { stdio: "ignore" });
console.log("shell bomb started, sh exit status", r.status, r.error ? r.error.code : "");
let spawned = 0, refused = null;
function more() {
  for (let i = 0; i < 8; i++) {
    try {
      const c = spawn("/bin/sleep", ["100"], { stdio: "ignore" });
      c.on("error", (e) => { if (!refused) { refused = e.code; console.log("spawn refused after", spawned, "spawns:", e.code); } });
      spawned++;
    } catch (e) {
      if (!refused) { refused = e.code; console.log("spawn threw after", spawned, "spawns:", e.code); }
    }
  }
  setTimeout(more, 10);
}
more();
