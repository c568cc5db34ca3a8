// positions.js — chapter 14: how a position method scores two positions Δ apart.

/** ALiBi's head slopes 2^(−8h/H) for h = 1 … H, rounded to float32 as the Python twin's
 *  torch tensor is (↔ ``attn_course.core.positions.alibi_slopes``). */
export function alibiSlopes(nHeads) {
  return Array.from({ length: nHeads }, (_, h) => Math.fround(2 ** ((-8 * (h + 1)) / nHeads)));
}

/** The score between two positions against their offset Δ
 *  (↔ ``attn_course.experiments.positions.offset_profile``): sinusoidal mean_i cos(ω_i Δ); RoPE
 *  Σ_i |c_i|² cos(ω_i Δ) / Σ_i |c_i|² over feature pairs i (content c, default all ones);
 *  ALiBi −slope_head · |Δ|. ω_i = base^(−2i/d). Returns (offsets.length,). */
export function offsetProfile(method, offsets, { dModel = 64, base = 10000, content = null,
  nHeads = 8, head = 0 } = {}) {
  if (method === "alibi") {
    const slope = alibiSlopes(nHeads)[head];
    return Array.from(offsets, (o) => -slope * Math.abs(o));
  }
  if (method !== "sinusoidal" && method !== "rope") throw new Error(`unknown method ${method}`);
  const half = dModel / 2;
  const omega = Array.from({ length: half }, (_, i) => base ** (-(2 * i) / dModel));
  let w = new Array(half).fill(1);
  if (method === "rope" && content) w = omega.map((_, i) => content[2 * i] ** 2 + content[2 * i + 1] ** 2);
  const total = w.reduce((a, b) => a + b, 0);
  return Array.from(offsets, (o) => {
    let s = 0;
    for (let i = 0; i < half; i++) s += w[i] * Math.cos(o * omega[i]);
    return s / total;
  });
}
