// gates.js — chapter 11: the gates of squeeze-and-excitation and CBAM, recomputed from their
// inputs and the trained weights, and how much of a spatial gate lies on the digit.

function sigmoid(z) {
  return 1 / (1 + Math.exp(-z));
}

/** The channel gate σ(Σ_k W₂ relu(W₁ x_k + b₁) + b₂) (C,) of one image, from its pooled
 *  vectors ``inputs`` (a list of (C,) vectors: SE's mean, or CBAM's mean and max) and the MLP's
 *  weights packed flat as [W₁ (hidden, C) row-major, b₁ (hidden,), W₂ (C, hidden), b₂ (C,)]
 *  (↔ ``attn_course.views.gates.mlp_gate``). */
export function mlpGate(inputs, params, channels, hidden) {
  const C = channels;
  const w1 = 0;
  const b1 = hidden * C;
  const w2 = b1 + hidden;
  const b2 = w2 + C * hidden;
  const z = new Float64Array(C);
  for (const x of inputs) {
    const a = new Float64Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let t = params[b1 + j];
      for (let c = 0; c < C; c++) t += params[w1 + j * C + c] * x[c];
      a[j] = t > 0 ? t : 0;
    }
    for (let c = 0; c < C; c++) {
      let t = params[b2 + c];
      for (let j = 0; j < hidden; j++) t += params[w2 + c * hidden + j] * a[j];
      z[c] += t;
    }
  }
  return Array.from(z, sigmoid);
}

/** CBAM's spatial gate σ(conv_k([mean_c; max_c]) + b) (m·m,) from the two pooled maps
 *  ``pooled`` (2·m·m, flat: the mean map then the max map), the kernel ``weight`` (2·k·k,
 *  flat) and ``bias``, with zero padding k // 2 (↔ ``attn_course.views.gates.conv_gate``). */
export function convGate(pooled, weight, bias, m, k) {
  const p = Math.floor(k / 2);
  const out = new Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      let t = bias;
      for (let ch = 0; ch < 2; ch++) {
        for (let i = 0; i < k; i++) {
          const rr = r + i - p;
          if (rr < 0 || rr >= m) continue;
          for (let j = 0; j < k; j++) {
            const cc = c + j - p;
            if (cc < 0 || cc >= m) continue;
            t += weight[(ch * k + i) * k + j] * pooled[(ch * m + rr) * m + cc];
          }
        }
      }
      out[r * m + c] = sigmoid(t);
    }
  }
  return out;
}

/** The share of a non-negative map's (m·m, flat) total on the cells rows r0 ≤ r < r1, columns
 *  c0 ≤ c < c1, and the share of the cells that box covers
 *  (↔ ``attn_course.experiments.vision_probes.box_share``). */
export function boxShare(map, m, box) {
  const [r0, c0, r1, c1] = box;
  let inside = 0;
  let total = 0;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      const v = map[r * m + c];
      total += v;
      if (r >= r0 && r < r1 && c >= c0 && c < c1) inside += v;
    }
  }
  return { share: inside / total, area: ((r1 - r0) * (c1 - c0)) / (m * m) };
}

/** How much gates (n, C) depend on the image: the mean over channels of the variance across
 *  images, and the variance across channels of the mean over images (sample variances)
 *  (↔ ``attn_course.experiments.vision_probes.gate_variances``). */
export function gateVariances(gates) {
  const n = gates.length;
  const C = gates[0].length;
  const mean = new Float64Array(C);
  for (const g of gates) for (let c = 0; c < C; c++) mean[c] += g[c] / n;
  let perImage = 0;
  for (let c = 0; c < C; c++) {
    let v = 0;
    for (const g of gates) v += (g[c] - mean[c]) ** 2;
    perImage += v / (n - 1) / C;
  }
  let mu = 0;
  for (let c = 0; c < C; c++) mu += mean[c] / C;
  let between = 0;
  for (let c = 0; c < C; c++) between += (mean[c] - mu) ** 2 / (C - 1);
  return { per_image: perImage, between_channels: between, mean: Array.from(mean) };
}
