// attention.js — masks, scaled dot-product attention and the soft lookup of chapter 2.
import { combine, dot } from "./linalg.js";
import { negSqDistance } from "./scores.js";
import { softmax, softmaxRows } from "./softmax.js";

/** Causal mask (n_q, n_k) of booleans, True = may attend: query i may attend key j iff
 *  j ≤ i + offset — the top-left alignment of torch's ``is_causal=True`` (offset 0);
 *  a decoding step with a cache passes offset = n_k − n_q (↔ ``attn_course.causal_mask``). */
export function causalMask(nQ, nK = nQ, offset = 0) {
  return Array.from({ length: nQ }, (_, i) => Array.from({ length: nK }, (_, j) => j <= i + offset));
}

/** Scaled dot-product attention: weights = softmax(Q Kᵀ · scale), out = weights V
 *  (↔ ``attn_course.scaled_dot_product_attention``). Q (n_q, d_k), K (n_k, d_k), V (n_k, d_v);
 *  mask (n_q, n_k) booleans or null; scale defaults to 1/√d_k.
 *  Returns {out (n_q, d_v), weights (n_q, n_k)}. */
export function attention(Q, K, V, mask = null, scale = null) {
  const s = scale ?? 1 / Math.sqrt(Q[0].length);
  const S = Array.from(Q, (q) => Array.from(K, (k) => dot(q, k) * s));
  const weights = softmaxRows(S, 1, mask);
  return { out: weights.map((w) => combine(w, V)), weights };
}

/** Soft lookup: weights = softmax(−‖q − k_i‖² / temperature), value = Σ_i w_i v_i
 *  (↔ ``attn_course.core.retrieval.soft_lookup``). query (d,), keys (n, d), values (n,) or (n, d_v).
 *  Returns {value, weights (n,)}. */
export function softLookup(query, keys, values, temperature = 1) {
  const weights = softmax(negSqDistance(query, keys), temperature);
  return { value: combine(weights, values), weights };
}

/** Mean attention distance of each head, in pixels (Dosovitskiy et al. 2021, Fig. 7):
 *  ``maps`` flat (H, n, n) with n = offset + gh·gw; for every patch query, the centre-to-centre
 *  distance to each key patch weighted by its attention renormalised over the patches, summed,
 *  then averaged over the patch queries; returns (H,)
 *  (↔ ``attn_course.experiments.vit.mean_attention_distance``). */
export function meanAttentionDistance(maps, H, gh, gw, patchSize, offset = 0) {
  const N = gh * gw;
  const n = offset + N;
  const out = new Array(H).fill(0);
  for (let hd = 0; hd < H; hd++) {
    let acc = 0;
    for (let i = 0; i < N; i++) {
      const base = (hd * n + offset + i) * n + offset;
      let total = 0;
      for (let j = 0; j < N; j++) total += maps[base + j];
      total = Math.max(total, 1e-12);
      const ri = Math.floor(i / gw), ci = i % gw;
      let d = 0;
      for (let j = 0; j < N; j++) {
        const dr = ri - Math.floor(j / gw), dc = ci - (j % gw);
        d += (maps[base + j] / total) * Math.sqrt(dr * dr + dc * dc) * patchSize;
      }
      acc += d;
    }
    out[hd] = acc / N;
  }
  return out;
}
