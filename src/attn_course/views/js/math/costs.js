// costs.js — operation counts of chapter 9 (Table 1) and chapter 13 (tiled attention).

const LAYER_KINDS = ["self-attention", "recurrent", "convolutional"];

function checkKind(kind) {
  if (!LAYER_KINDS.includes(kind)) throw new Error(`kind must be one of ${LAYER_KINDS}, got ${kind}`);
}

/** FLOPs of one layer's products that mix positions: 4n²d (QKᵀ, weights·V), 2nd² (an Elman
 *  layer's h U), 2knd² (↔ ``attn_course.experiments.complexity.layer_flops``, accounting "mixing"). */
export function layerFlops(kind, n, d, k = 3) {
  checkKind(kind);
  if (kind === "self-attention") return 4 * n * n * d;
  if (kind === "recurrent") return 2 * n * d * d;
  return 2 * k * n * d * d;
}

/** Operations that must run one after another: 1, n or 1
 *  (↔ ``attn_course.experiments.complexity.sequential_ops``). */
export function sequentialOps(kind, n, k = 3) {
  checkKind(kind);
  return kind === "recurrent" ? n : 1;
}

/** Layer applications between the first and last of n positions: 1, n, ⌈log_k n⌉
 *  (dilated convolutions, an integer loop) (↔ ``attn_course.experiments.complexity.max_path_length``). */
export function maxPathLength(kind, n, k = 3) {
  checkKind(kind);
  if (kind === "self-attention") return 1;
  if (kind === "recurrent") return n;
  let layers = 0;
  let reach = 1;
  while (reach < n) {
    reach *= k;
    layers += 1;
  }
  return Math.max(layers, 1);
}

/** Largest n at which self-attention needs no more FLOPs than ``versus``
 *  (↔ ``attn_course.experiments.complexity.crossover_n``). */
export function crossoverN(d, k = 3, versus = "recurrent") {
  let n = 0;
  while (layerFlops("self-attention", n + 1, d, k) <= layerFlops(versus, n + 1, d, k)) n += 1;
  return n;
}

/** Which tiles of an n × n attention a blocked kernel computes (↔ ``attn_course.experiments.efficient.tile_grid``):
 *  (T, T) codes, 0 computed, 1 computed but partly masked, 2 skipped (above the causal
 *  diagonal), 3 skipped (outside the window); ``window`` null for none. */
export function tileGrid(n, block, causal = false, window = null) {
  const T = Math.ceil(n / block);
  const grid = [];
  for (let a = 0; a < T; a++) {
    const i0 = a * block;
    const i1 = Math.min(a * block + block, n) - 1;
    const row = [];
    for (let b = 0; b < T; b++) {
      const j0 = b * block;
      const j1 = Math.min(b * block + block, n) - 1;
      let code = 0;
      if (causal && j0 > i1) code = 2;
      else if (window !== null && Math.max(0, j0 - i1, i0 - j1) > window) code = 3;
      else if ((causal && j1 > i0) || (window !== null && Math.max(i1 - j0, j1 - i0) > window)) code = 1;
      row.push(code);
    }
    grid.push(row);
  }
  return grid;
}

/** Counts, FLOPs and float32 memory of blocked attention (↔ ``attn_course.experiments.efficient.tiling_costs``). */
export function tilingCosts(n, block, d = 64, causal = false, window = null) {
  const grid = tileGrid(n, block, causal, window);
  const T = grid.length;
  const size = (a) => (a < T - 1 ? block : n - block * (T - 1));
  const counts = [0, 0, 0, 0];
  let pairs = 0;
  grid.forEach((row, a) => row.forEach((c, b) => {
    counts[c] += 1;
    if (c <= 1) pairs += size(a) * size(b);
  }));
  return {
    tiles: T * T, computed: counts[0] + counts[1], partial: counts[1],
    skipped_causal: counts[2], skipped_window: counts[3], flops: 4 * d * pairs,
    plain_bytes: 4 * (n * n + n * d), tiled_bytes: 4 * (block * block + n * (d + 1)),
  };
}
