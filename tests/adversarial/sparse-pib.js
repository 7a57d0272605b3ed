// A 1 PiB sparse file from Node: one byte written at offset 2^50.
// Expected: LimitFSIZE refuses it. Node ignores SIGXFSZ (like Python), so the write fails with
// EFBIG instead of the signal killing the run.
const fs = require("fs");
const fd = fs.openSync("/tmp/sparse", "w");
try {
  fs.writeSync(fd, Buffer.from("x"), 0, 1, 2 ** 50);
  console.log("pwrite at 1 PiB: SUCCEEDED, size", fs.fstatSync(fd).size);
} catch (e) {
  console.log("pwrite at 1 PiB: blocked", e.code);
}
try {
  fs.ftruncateSync(fd, 2 ** 50);
  console.log("ftruncate to 1 PiB: SUCCEEDED, size", fs.fstatSync(fd).size);
} catch (e) {
  console.log("ftruncate to 1 PiB: blocked", e.code);
}
