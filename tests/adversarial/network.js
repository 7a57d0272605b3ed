// Network from Node: TCP to the metadata service and loopback, UDP, and an IPv6 listener.
// Expected: every attempt fails (EAFNOSUPPORT from socket()); nothing connects or listens.
const net = require("net"), dgram = require("dgram");
const results = [];
let pending = 0;
function done(name, outcome) { results.push(name + ": " + outcome); if (--pending === 0) { results.sort(); console.log(results.join("\n")); } }
function tcp(name, host, port) {
  pending++;
  try {
    const s = net.connect({ host, port, timeout: 1000 });
    s.on("connect", () => { done(name, "SUCCEEDED (connected)"); s.destroy(); });
    s.on("timeout", () => { done(name, "blocked TIMEOUT"); s.destroy(); });
    s.on("error", (e) => done(name, "blocked " + e.code));
  } catch (e) { done(name, "blocked " + e.code); }
}
tcp("tcp 169.254.169.254:80", "169.254.169.254", 80);
tcp("tcp 127.0.0.1:22", "127.0.0.1", 22);
tcp("tcp [::1]:80", "::1", 80);
tcp("tcp 127.0.0.1:47470 (honeypot)", "127.0.0.1", 47470);
pending++;
try {
  const u = dgram.createSocket("udp4");
  u.on("error", (e) => { done("udp 169.254.169.254:53", "blocked " + e.code); });
  u.send("x", 53, "169.254.169.254", (e) => { done("udp 169.254.169.254:53", e ? "blocked " + e.code : "SUCCEEDED (sent)"); u.close(); });
} catch (e) { done("udp 169.254.169.254:53", "blocked " + e.code); }
pending++;
const srv = net.createServer();
srv.on("error", (e) => done("listen 0.0.0.0:8080", "blocked " + e.code));
srv.listen(8080, "0.0.0.0", () => { done("listen 0.0.0.0:8080", "SUCCEEDED (listening)"); srv.close(); });
