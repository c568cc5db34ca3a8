// sampling.js — the next-token distribution of a language model (chapter 15).
import { softmax } from "./softmax.js";

/** The distribution a sampler draws the next token from, over the logits ``z`` (1-D)
 *  (↔ ``attn_course.core.sampling.next_token_probs``): ``temperature === 0`` puts all the
 *  mass on the first largest logit (greedy); otherwise softmax(z / T), then ``topK`` keeps
 *  the tokens at least as likely as the k-th (ties all kept) and ``topP`` keeps a token when
 *  the mass of the tokens strictly more likely than it is below p; what is kept is
 *  renormalised. ``topK``/``topP`` null (or undefined) = no filter. */
export function nextTokenProbs(z, temperature, topK = null, topP = null) {
  const n = z.length;
  if (!(temperature >= 0)) throw new Error(`temperature must be ≥ 0, got ${temperature}`);
  if (n < 1) throw new Error("logits must have at least one entry");
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (z[i] > z[best]) best = i;
    return Array.from({ length: n }, (_, i) => (i === best ? 1 : 0));
  }
  const p = softmax(z, temperature);
  const keep = new Array(n).fill(true);
  if (topK !== null && topK !== undefined && topK < n) {
    const kth = [...p].sort((a, b) => b - a)[topK - 1];
    for (let i = 0; i < n; i++) keep[i] = keep[i] && p[i] >= kth;
  }
  if (topP !== null && topP !== undefined) {
    for (let i = 0; i < n; i++) {
      let above = 0;
      for (let j = 0; j < n; j++) if (p[j] > p[i]) above += p[j];
      keep[i] = keep[i] && above < topP;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += keep[i] ? p[i] : 0;
  return p.map((v, i) => (keep[i] ? v / total : 0));
}
