// scaling.js — chapter 4's experiment: random queries and keys, scores with or without 1/√d_k.
import { argmax, meanStd } from "./linalg.js";
import { mulberry32, normals } from "./prng.js";
import { scores } from "./scores.js";
import { entropy, softmax } from "./softmax.js";

/** n_trials draws of a query (d_k,) and keys (n_keys, d_k), standard normal from
 *  mulberry32(seed) (each trial: its query, then its keys row by row); scores q·k (/√d_k if
 *  scaled) and their softmax (↔ ``attn_course.views.scaling.scaling_summary``).
 *  Returns {weights (n_keys,) and entropy of the first draw, mean_entropy, mean_max_weight,
 *  score_std (population std of all scores), jac_norm (mean Frobenius norm of the softmax
 *  Jacobian diag(p) - p pᵀ), grad_median and grad_dead (median of |∂p_1/∂q| over the draws,
 *  and the share below 1e-3), entropies (n_trials,)}. */
export function scalingSummary(seed, dK, nKeys, nTrials, scaled = true) {
  const rand = mulberry32(seed);
  const kind = scaled ? "scaled_dot" : "dot";
  const all = new Float64Array(nTrials * nKeys);
  const entropies = new Array(nTrials);
  let first = null;
  let sumMax = 0;
  let sumJac = 0;
  const grads = new Float64Array(nTrials);
  const c = scaled ? 1 / Math.sqrt(dK) : 1;  // ∂z_j/∂q = c k_j
  for (let t = 0; t < nTrials; t++) {
    const q = normals(rand, dK);
    const K = Array.from({ length: nKeys }, () => normals(rand, dK));
    const s = scores(kind, [q], K)[0];
    const w = softmax(s);
    if (t === 0) first = w;
    entropies[t] = entropy(w);
    sumMax += w[argmax(w)];
    all.set(s, t * nKeys);
    let fro = 0;  // ‖diag(p) - p pᵀ‖_F²
    for (let i = 0; i < nKeys; i++) {
      for (let j = 0; j < nKeys; j++) fro += (w[i] * ((i === j ? 1 : 0) - w[j])) ** 2;
    }
    sumJac += Math.sqrt(fro);
    const g = new Float64Array(dK);  // ∂p_1/∂q = c Σ_j J_1j k_j
    for (let j = 0; j < nKeys; j++) {
      const J0j = w[0] * ((j === 0 ? 1 : 0) - w[j]);
      for (let d = 0; d < dK; d++) g[d] += c * J0j * K[j][d];
    }
    grads[t] = Math.sqrt(g.reduce((a, b) => a + b * b, 0));
  }
  const meanH = entropies.reduce((a, b) => a + b, 0) / nTrials;
  const sorted = Array.from(grads).sort((a, b) => a - b);
  const mid = Math.floor(nTrials / 2);
  const median = nTrials % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { weights: first, entropy: entropies[0], mean_entropy: meanH,
    mean_max_weight: sumMax / nTrials, score_std: meanStd(all).std, jac_norm: sumJac / nTrials,
    grad_median: median, grad_dead: grads.filter((x) => x < 1e-3).length / nTrials, entropies };
}
