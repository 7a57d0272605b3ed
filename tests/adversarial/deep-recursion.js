// Deep recursion in Node, first with the default stack, then growing it with a huge
// --stack-size is not possible from inside: V8 stops it with RangeError.
// Expected: runtime_error (exit code 1) with "Maximum call stack size exceeded".
let depth = 0;
function down() { depth++; down(); }
try { down(); } catch (e) { console.log("caught at depth", depth, e.constructor.name); }
depth = 0;
down();
