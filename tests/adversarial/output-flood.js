// Output flood: write stdout as fast as Node can, forever.
// Expected: output_limit_exceeded, and exactly output_bytes (64 KiB here) of it kept.
const chunk = "flood ".repeat(1000) + "\n";
function pump() {
  while (process.stdout.write(chunk)) {}
  process.stdout.once("drain", pump);
}
pump();
