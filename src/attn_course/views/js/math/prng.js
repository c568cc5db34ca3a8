// prng.js — the views' random numbers, identical in Python (attn_course.views.prng).

/** mulberry32: a tiny 32-bit generator; returns a function giving floats in [0, 1)
 *  (↔ ``attn_course.views.prng.uniforms``, one float per call). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first n floats of mulberry32(seed) (↔ ``attn_course.views.prng.uniforms``). */
export function uniforms(seed, n) {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, rand);
}

/** n standard normal samples from a generator, Box–Muller with one sample per pair of
 *  uniforms (↔ ``attn_course.views.prng.normals(seed, n)`` for ``rand = mulberry32(seed)``). */
export function normals(rand, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = 1 - rand(); // in (0, 1]: log is finite
    const u2 = rand();
    out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}
