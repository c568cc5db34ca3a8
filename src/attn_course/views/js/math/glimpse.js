// glimpse.js — chapter 1: which pixels a budget-k observer looks at, and the ink it sees.
import { mulberry32 } from "./prng.js";

/** Flat indices (k,) of the pixels chosen by ``method`` (↔
 *  ``attn_course.views.glimpse.glimpse_selection``): "saliency" (the k most salient, ties to the
 *  lower index), "random" (sorted by mulberry32(seed) draws, ties to the lower index) or
 *  "grid" (evenly spaced: ⌊(2i(n−1) + k − 1) / (2(k−1))⌋). */
export function glimpseSelection(saliency, k, method, seed = 0) {
  const n = saliency.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  if (method === "saliency") {
    idx.sort((a, b) => (saliency[b] - saliency[a]) || (a - b));
    return idx.slice(0, k);
  }
  if (method === "random") {
    const rand = mulberry32(seed);
    const u = idx.map(() => rand());
    idx.sort((a, b) => (u[a] - u[b]) || (a - b));
    return idx.slice(0, k);
  }
  if (method !== "grid") throw new Error(`unknown method ${method}`);
  if (k <= 1) return k === 1 ? [0] : [];
  const out = [];
  for (let i = 0; i < k; i++) out.push(Math.floor((2 * i * (n - 1) + (k - 1)) / (2 * (k - 1))));
  return out;
}

/** Share of the total ink that lies in the pixels ``idx``; 0 without ink
 *  (↔ ``attn_course.experiments.intuition.ink_recovered``). */
export function inkRecovered(ink, idx) {
  let total = 0;
  for (let i = 0; i < ink.length; i++) total += ink[i];
  let got = 0;
  for (const i of idx) got += ink[i];
  return total > 0 ? got / total : 0;
}
