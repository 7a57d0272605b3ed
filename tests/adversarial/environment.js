// Environment and descriptor leaks from Node.
// Expected: an empty process.env, and no descriptor of kw's beyond 0, 1, 2 (Node's own epoll,
// eventfd, pipe and /dev/null descriptors are fine, sockets or journal files are not).
const fs = require("fs");
console.log("env:", JSON.stringify(process.env));
const leaks = [];
for (const fd of fs.readdirSync("/proc/self/fd")) {
  if (Number(fd) <= 2) continue;
  let target;
  try { target = fs.readlinkSync("/proc/self/fd/" + fd); } catch (e) { continue; }
  if (!/^anon_inode:|^pipe:|^\/proc\/|^\/dev\/null$/.test(target)) leaks.push(fd + " -> " + target);
}
console.log("foreign fds:", JSON.stringify(leaks));
