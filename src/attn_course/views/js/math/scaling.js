// scaling.js — chapter 4's experiment: random queries and keys, scores with or without 1/√d_k.
import { argmax, meanStd } from "./linalg.js";
import { mulberry32, normals } from "./prng.js";
import { scores } from "./scores.js";
import { entropy, softmax } from "./softmax.js";

/** n_trials draws of a query (d_k,) and keys (n_keys, d_k), standard normal from
 *  mulberry32(seed) (each trial: its query, then its keys row by row); scores q·k (/√d_k if
 *  scaled) and their softmax (↔ ``attn_course.views.scaling.scaling_summary``).
 *  Returns {weights (n_keys,) and entropy of the first draw, mean_entropy, mean_max_weight,
 *  score_std (population std of all scores), entropies (n_trials,)}. */
export function scalingSummary(seed, dK, nKeys, nTrials, scaled = true) {
  const rand = mulberry32(seed);
  const kind = scaled ? "scaled_dot" : "dot";
  const all = new Float64Array(nTrials * nKeys);
  const entropies = new Array(nTrials);
  let first = null;
  let sumMax = 0;
  for (let t = 0; t < nTrials; t++) {
    const q = normals(rand, dK);
    const K = Array.from({ length: nKeys }, () => normals(rand, dK));
    const s = scores(kind, [q], K)[0];
    const w = softmax(s);
    if (t === 0) first = w;
    entropies[t] = entropy(w);
    sumMax += w[argmax(w)];
    all.set(s, t * nKeys);
  }
  const meanH = entropies.reduce((a, b) => a + b, 0) / nTrials;
  return { weights: first, entropy: entropies[0], mean_entropy: meanH,
    mean_max_weight: sumMax / nTrials, score_std: meanStd(all).std, entropies };
}
