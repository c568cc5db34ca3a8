// attn_math.js — the attention math of attn_course, in the browser.
//
// Shared by every view: the Python side concatenates this file in front of a view's own
// script (anywidget's ES module cannot import a sibling file in the static book). Each
// function mirrors a Python function of attn_course and agrees with it to 1e-6
// (tests/browser/test_views_math.py checks that on random inputs):
//   softmax        ↔ attn_course.softmax (temperature, mask: true = may attend)
//   entropy        ↔ attn_course.entropy (nats, 0 log 0 = 0)
//   scores         ↔ attn_course.scores.*_score (dot, scaled_dot, general, additive, cosine, location)
//   attention      ↔ attn_course.scaled_dot_product_attention
//   negSqDistance  ↔ attn_course.retrieval.neg_sq_distance
//   mulberry32 / normals ↔ attn_course.views.prng (the same generator in both languages)
// Vectors are plain arrays of numbers; matrices are arrays of rows.
const AttnMath = (() => {
  "use strict";

  /** Softmax of x / temperature over a vector; masked entries (mask[i] === false) get 0.
   *  A vector with nothing kept gives all zeros (never NaN). */
  function softmax(x, temperature = 1, mask = null) {
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

  /** Row-wise softmax of a matrix (array of rows); mask is a matrix of booleans or null. */
  function softmaxRows(S, temperature = 1, mask = null) {
    return S.map((row, i) => softmax(row, temperature, mask ? mask[i] : null));
  }

  /** Shannon entropy -sum p log p in nats, with 0 log 0 = 0. */
  function entropy(p) {
    let h = 0;
    for (const pi of p) if (pi > 0) h -= pi * Math.log(pi);
    return h;
  }

  function dot(a, b) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  /** Row vector times matrix: (d_in,) × (d_in, d_out) → (d_out,). */
  function vecMat(v, W) {
    const out = new Array(W[0].length).fill(0);
    for (let i = 0; i < v.length; i++) {
      const wi = W[i];
      const vi = v[i];
      for (let j = 0; j < out.length; j++) out[j] += vi * wi[j];
    }
    return out;
  }

  /** Matrix product (n, m) × (m, p) → (n, p). */
  function matmul(A, B) {
    return A.map((row) => vecMat(row, B));
  }

  function transpose(A) {
    return A[0].map((_, j) => A.map((row) => row[j]));
  }

  /** Weighted sum of rows (or scalars): weights (n,) · values (n,) or (n, d_v). */
  function combine(weights, values) {
    if (typeof values[0] === "number") return dot(weights, values);
    const out = new Array(values[0].length).fill(0);
    weights.forEach((w, i) => values[i].forEach((v, j) => (out[j] += w * v)));
    return out;
  }

  function norm(v) {
    return Math.sqrt(dot(v, v));
  }

  /** -‖q − k_i‖² for each key: query (d,), keys (n_k, d) → (n_k,). */
  function negSqDistance(q, keys) {
    return keys.map((k) => {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += (q[i] - k[i]) ** 2;
      return -s;
    });
  }

  /** Alignment scores (n_q, n_k) of queries Q (n_q, d_q) against keys K (n_k, d_k).
   *  kind: "dot" | "scaled_dot" | "general" (params.W (d_q, d_k)) |
   *  "additive" (params.W_q (d_q, d_a), params.W_k (d_k, d_a), params.w_v (d_a,)) |
   *  "cosine" (params.eps, default 1e-8) | "location" (params.W (d_q, n_k)). */
  function scores(kind, Q, K, params = {}) {
    switch (kind) {
      case "dot":
        return Q.map((q) => K.map((k) => dot(q, k)));
      case "scaled_dot": {
        const s = 1 / Math.sqrt(Q[0].length);
        return Q.map((q) => K.map((k) => dot(q, k) * s));
      }
      case "general": {
        const QW = matmul(Q, params.W);
        return QW.map((q) => K.map((k) => dot(q, k)));
      }
      case "additive": {
        const hq = matmul(Q, params.W_q);
        const hk = matmul(K, params.W_k);
        return hq.map((a) =>
          hk.map((b) => {
            let s = 0;
            for (let j = 0; j < a.length; j++) s += Math.tanh(a[j] + b[j]) * params.w_v[j];
            return s;
          }),
        );
      }
      case "cosine": {
        const eps = params.eps ?? 1e-8;
        const unit = (v) => {
          const n = Math.max(norm(v), eps);
          return v.map((x) => x / n);
        };
        const Kn = K.map(unit);
        return Q.map(unit).map((q) => Kn.map((k) => dot(q, k)));
      }
      case "location":
        return matmul(Q, params.W);
      default:
        throw new Error(`unknown score kind ${kind}`);
    }
  }

  /** Scaled dot-product attention: weights = softmax(Q Kᵀ · scale), out = weights V.
   *  Q (n_q, d_k), K (n_k, d_k), V (n_k, d_v); mask (n_q, n_k) booleans or null;
   *  scale defaults to 1/√d_k. Returns {out (n_q, d_v), weights (n_q, n_k)}. */
  function attention(Q, K, V, mask = null, scale = null) {
    const s = scale ?? 1 / Math.sqrt(Q[0].length);
    const S = Q.map((q) => K.map((k) => dot(q, k) * s));
    const weights = softmaxRows(S, 1, mask);
    return { out: weights.map((w) => combine(w, V)), weights };
  }

  /** mulberry32: a tiny 32-bit PRNG; returns a function giving floats in [0, 1). */
  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** n standard normal samples (Box–Muller, one sample per pair of uniforms). */
  function normals(rand, n) {
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const u1 = 1 - rand(); // in (0, 1]: log is finite
      const u2 = rand();
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
    return out;
  }

  return {
    attention, combine, dot, entropy, matmul, mulberry32, negSqDistance, norm, normals,
    scores, softmax, softmaxRows, transpose, vecMat,
  };
})();
