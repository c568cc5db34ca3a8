// scores.js — the alignment scores of attn_course.core.scores, and the retrieval score.
import { dot, matmul, norm } from "./linalg.js";

/** Alignment scores (n_q, n_k) of queries Q (n_q, d_q) against keys K (n_k, d_k)
 *  (↔ ``attn_course.core.scores.<kind>_score``; ``views.score_explorer.score_matrix``).
 *  kind: "dot" | "scaled_dot" | "general" (params.W (d_q, d_k)) |
 *  "additive" (params.W_q (d_q, d_a), params.W_k (d_k, d_a), params.w_v (d_a,)) |
 *  "cosine" (params.eps, default 1e-8) | "location" (params.W (d_q, n_k)). */
export function scores(kind, Q, K, params = {}) {
  switch (kind) {
    case "dot":
      return Array.from(Q, (q) => Array.from(K, (k) => dot(q, k)));
    case "scaled_dot": {
      const s = 1 / Math.sqrt(Q[0].length);
      return Array.from(Q, (q) => Array.from(K, (k) => dot(q, k) * s));
    }
    case "general": {
      const QW = matmul(Q, params.W);
      return QW.map((q) => Array.from(K, (k) => dot(q, k)));
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
        return Array.from(v, (x) => x / n);
      };
      const Kn = Array.from(K, unit);
      return Array.from(Q, unit).map((q) => Kn.map((k) => dot(q, k)));
    }
    case "location":
      return matmul(Q, params.W);
    default:
      throw new Error(`unknown score kind ${kind}`);
  }
}

/** −‖q − k_i‖² for each key: query (d,), keys (n_k, d) → (n_k,)
 *  (↔ ``attn_course.core.retrieval.neg_sq_distance``). */
export function negSqDistance(q, keys) {
  return Array.from(keys, (k) => {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += (q[i] - k[i]) ** 2;
    return -s;
  });
}
