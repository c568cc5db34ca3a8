// softmax.js — the softmax with temperature and mask, and the entropy of a distribution.

/** Softmax of x / temperature over a vector (↔ ``attn_course.softmax``, 1-D); masked entries
 *  (``mask[i] === false``: True = may attend) get 0, and a vector with nothing kept gives
 *  all zeros, never NaN. */
export function softmax(x, temperature = 1, mask = null) {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a positive, finite number, got ${temperature}`);
  }
  const n = x.length;
  const z = new Array(n);
  let zMax = -Infinity;
  for (let i = 0; i < n; i++) {
    z[i] = mask && !mask[i] ? -Infinity : x[i] / temperature;
    if (z[i] > zMax) zMax = z[i];
  }
  if (!Number.isFinite(zMax)) zMax = 0;
  let total = 0;
  const e = new Array(n);
  for (let i = 0; i < n; i++) {
    e[i] = Math.exp(z[i] - zMax);
    total += e[i];
  }
  const safe = total > 0 ? total : 1;
  for (let i = 0; i < n; i++) e[i] /= safe;
  return e;
}

/** Row-wise softmax of a matrix (↔ ``attn_course.softmax(S, axis=-1)``); ``mask`` is a
 *  matrix of booleans (True = may attend) or null. */
export function softmaxRows(S, temperature = 1, mask = null) {
  return Array.from(S, (row, i) => softmax(row, temperature, mask ? mask[i] : null));
}

/** Shannon entropy −Σ p log p in nats, with 0 log 0 = 0 (↔ ``attn_course.entropy``). */
export function entropy(p) {
  let h = 0;
  for (const pi of p) if (pi > 0) h -= pi * Math.log(pi);
  return h;
}

/** The largest entropy over n outcomes, log n: the uniform distribution's
 *  (↔ ``attn_course.entropy(np.full(n, 1 / n))``); 0 for n = 0. */
export function maxEntropy(n) {
  return n > 0 ? Math.log(n) : 0;
}
