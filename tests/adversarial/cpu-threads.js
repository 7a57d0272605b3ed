// CPU burnt by four worker threads and the main thread at once.
// Expected: CPUQuota holds them to one core and the CPU-time limit ends the run:
// time_limit_exceeded.
const { Worker } = require("worker_threads");
for (let i = 0; i < 4; i++) new Worker("for (;;) {}", { eval: true });
console.log("4 workers spinning");
for (;;) {}
