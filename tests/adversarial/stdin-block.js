// Blocking forever from Node: Atomics.wait on a SharedArrayBuffer nobody will ever notify.
// Expected: the wall-clock limit ends it: time_limit_exceeded.
const fs = require("fs");
const input = fs.readFileSync(0);
console.log("stdin gave", input.length, "bytes; now blocking in Atomics.wait");
const cell = new Int32Array(new SharedArrayBuffer(4));
Atomics.wait(cell, 0, 0);
console.log("Atomics.wait returned: the wall clock did not stop me");
