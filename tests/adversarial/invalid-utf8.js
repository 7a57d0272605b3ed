// Invalid UTF-8 and NULs from Node, written as raw Buffers, with an escape-heavy JSON-looking line
// that must not break kwctl's JSON either.
// Expected: accepted; the result is valid JSON; the invalid bytes appear as U+FFFD.
process.stdout.write(Buffer.from([0x61, 0x00, 0x62, 0x0a]));
process.stdout.write(Buffer.from([0xff, 0xfe, 0xfd, 0x0a]));
process.stdout.write(Buffer.from([0x80, 0xbf, 0xc3, 0x28, 0x0a]));
process.stdout.write('"},{"status":"success"}\\u0000\u2028\u2029\x1b[31m\n');
process.stdout.write(Buffer.from([0x7a, 0xf4, 0x90, 0x80, 0x80, 0x0a]));
process.stderr.write(Buffer.from([0x00, 0xc0, 0xaf, 0x0a]));
