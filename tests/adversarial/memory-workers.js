// Memory spread over worker threads and child processes, each small on its own.
// Expected: MemoryMax on the run's cgroup counts them all: memory_limit_exceeded.
const { Worker } = require("worker_threads");
const { spawn } = require("child_process");
for (let i = 0; i < 4; i++) {
  new Worker("const b = Buffer.alloc(48 << 20, 1); setTimeout(() => {}, 10000);", { eval: true });
}
for (let i = 0; i < 4; i++) {
  const c = spawn("/usr/bin/python3", ["-c", "b = bytearray(48 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nimport time; time.sleep(10)"], { stdio: "inherit" });
  c.on("exit", (code, sig) => console.log("child", i, "ended", code, sig));
}
setTimeout(() => console.log("still alive after 5 s"), 5000);
