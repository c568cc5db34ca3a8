// Evaluates expressions next to the views' math module, for tests/views/test_js_math.py.
// Usage: node math_harness.mjs path/to/math/index.js
// Reads one JSON request a line, {"expr": "...", "args": {...}}, and answers one JSON line,
// {"ok": value} or {"error": message}. `M` is the module; typed arrays come back as arrays.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const M = await import(pathToFileURL(process.argv[2]).href);
const toJSON = (_, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v);
for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    const { expr, args } = JSON.parse(line);
    const names = Object.keys(args);
    const fn = new Function("M", ...names, `"use strict"; return (${expr});`);
    answer = { ok: fn(M, ...names.map((n) => args[n])) };
  } catch (err) {
    answer = { error: String(err && err.stack ? err.stack : err) };
  }
  process.stdout.write(JSON.stringify(answer, toJSON) + "\n");
}
