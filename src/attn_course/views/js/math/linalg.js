// linalg.js — vectors and matrices as plain arrays (or typed arrays) of numbers.
// Matrices are arrays of rows. Each function mirrors a NumPy expression (named below).

/** Dot product of two vectors of equal length (↔ ``a @ b``). */
export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean norm (↔ ``np.linalg.norm(v)``). */
export function norm(v) {
  return Math.sqrt(dot(v, v));
}

/** Row vector times matrix: (d_in,) × (d_in, d_out) → (d_out,) (↔ ``v @ W``). */
export function vecMat(v, W) {
  const out = new Array(W[0].length).fill(0);
  for (let i = 0; i < v.length; i++) {
    const wi = W[i];
    const vi = v[i];
    for (let j = 0; j < out.length; j++) out[j] += vi * wi[j];
  }
  return out;
}

/** Matrix product (n, m) × (m, p) → (n, p) (↔ ``A @ B``). */
export function matmul(A, B) {
  return Array.from(A, (row) => vecMat(row, B));
}

/** Transpose (n, m) → (m, n) (↔ ``A.T``). */
export function transpose(A) {
  return Array.from(A[0], (_, j) => Array.from(A, (row) => row[j]));
}

/** Weighted sum of values: weights (n,) · values (n,) → scalar, or (n,) · (n, d_v) → (d_v,)
 *  (↔ ``weights @ values``). */
export function combine(weights, values) {
  if (typeof values[0] === "number") return dot(weights, values);
  const out = new Array(values[0].length).fill(0);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    const row = values[i];
    for (let j = 0; j < out.length; j++) out[j] += w * row[j];
  }
  return out;
}

/** Sum of the entries (↔ ``np.sum(x)``). */
export function sum(x) {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Largest entry (↔ ``np.max(x)``); -Infinity for an empty vector. */
export function max(x) {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}

/** Smallest entry (↔ ``np.min(x)``); Infinity for an empty vector. */
export function min(x) {
  let m = Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] < m) m = x[i];
  return m;
}

/** Index of the first largest entry (↔ ``np.argmax(x)``); -1 for an empty vector. */
export function argmax(x) {
  let best = x.length ? 0 : -1;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Index of the first smallest entry (↔ ``np.argmin(x)``); -1 for an empty vector. */
export function argmin(x) {
  let best = x.length ? 0 : -1;
  for (let i = 1; i < x.length; i++) if (x[i] < x[best]) best = i;
  return best;
}

/** Mean and population standard deviation of all entries, two passes
 *  (↔ ``np.mean(x)``, ``np.std(x)``). */
export function meanStd(x) {
  const n = x.length;
  const mean = sum(x) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / n) };
}

/** The rows of an (n, d) block of a flat array starting at ``offset``
 *  (↔ ``flat[offset:offset + n * d].reshape(n, d)``); the rows are views, not copies. */
export function rows(flat, offset, n, d) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = flat.subarray(offset + i * d, offset + (i + 1) * d);
  return out;
}
