// Symlink tricks from Node: links in /tmp to /etc/shadow, /etc/passwd and /run/kw, then writes and
// reads through them, and writes to the run's own source.
// Expected: every read or write through them is blocked.
const fs = require("fs");
function attempt(name, f) {
  try { f(); console.log(name + ": SUCCEEDED"); }
  catch (e) { console.log(name + ": blocked " + e.code); }
}
fs.symlinkSync("/etc/shadow", "/tmp/shadow");
fs.symlinkSync("/etc/passwd", "/tmp/passwd");
fs.symlinkSync("/run/kw", "/tmp/kw");
console.log("planted 3 symlinks in /tmp");
attempt("read /etc/shadow via /tmp/shadow", () => fs.readFileSync("/tmp/shadow"));
attempt("append /etc/passwd via /tmp/passwd", () => fs.appendFileSync("/tmp/passwd", "x::0:0::/:/bin/sh\n"));
attempt("create in /run/kw via /tmp/kw", () => fs.writeFileSync("/tmp/kw/evil", "x"));
attempt("overwrite /run/kw/main.js", () => fs.writeFileSync("/run/kw/main.js", "x"));
attempt("copy /etc/shadow", () => fs.copyFileSync("/etc/shadow", "/tmp/copy"));
attempt("rename /tmp away", () => fs.renameSync("/tmp", "/tmp2"));
attempt("chmod /etc/passwd", () => fs.chmodSync("/etc/passwd", 0o666));
attempt("list /root", () => fs.readdirSync("/root"));
