// paths.js — the path between two positions through five architectures (chapter 9).

const PATH_KINDS = ["recurrent", "convolutional", "contiguous", "restricted", "self-attention"];

/** A shortest route from input j to output i ≥ j as [row, position] nodes, from [0, j] to
 *  [L, i]: along a recurrent chain (row t = state h_{j+t-1}), up a stack of dilated
 *  convolutions (the base-k digits of i − j), contiguous convolutions (k − 1 a layer),
 *  windowed attention (r a layer) or one attention hop
 *  (↔ ``attn_course.experiments.paths.path_route``). */
export function pathRoute(kind, i, j, k = 3, r = 4) {
  if (!PATH_KINDS.includes(kind)) throw new Error(`kind must be one of ${PATH_KINDS}, got ${kind}`);
  if (!(j >= 0 && j <= i)) throw new Error(`need 0 ≤ j ≤ i, got i=${i}, j=${j}`);
  if (k < 2 || r < 1) throw new Error(`need k ≥ 2 and r ≥ 1, got k=${k}, r=${r}`);
  const gap = i - j;
  if (kind === "recurrent") {
    const route = [[0, j]];
    for (let t = 0; t <= gap; t++) route.push([t + 1, j + t]);
    return route;
  }
  if (kind === "self-attention") return [[0, j], [1, i]];
  const route = [[0, j]];
  let pos = j;
  let row = 0;
  if (kind === "convolutional") {
    let rest = gap;
    let dilation = 1;
    for (;;) {
      pos += (rest % k) * dilation;
      row += 1;
      rest = Math.floor(rest / k);
      dilation *= k;
      route.push([row, pos]);
      if (rest === 0) return route;
    }
  }
  const step = kind === "contiguous" ? k - 1 : r;
  for (;;) {
    pos = Math.min(i, pos + step);
    row += 1;
    route.push([row, pos]);
    if (pos === i) return route;
  }
}

/** Layers (recurrence steps) between input j and output i: pathRoute's length − 1
 *  (↔ ``attn_course.experiments.paths.path_between``). */
export function pathBetween(kind, i, j, k = 3, r = 4) {
  return pathRoute(kind, i, j, k, r).length - 1;
}
