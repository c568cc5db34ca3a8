// tiling.js — the tiling playground (chapter 13). Needs ui.js before it.
// Mirrors attn_course.flash.tile_grid / tiling_costs: tile codes 0 computed, 1 computed but
// partly masked, 2 skipped (above the causal diagonal), 3 skipped (outside the window).
function tilingGrid(n, block, causal, window) {
  const T = Math.ceil(n / block);
  const grid = [];
  for (let a = 0; a < T; a++) {
    const i0 = a * block, i1 = Math.min(a * block + block, n) - 1;
    const row = [];
    for (let b = 0; b < T; b++) {
      const j0 = b * block, j1 = Math.min(b * block + block, n) - 1;
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

function tilingCosts(n, block, d, causal, window) {
  const grid = tilingGrid(n, block, causal, window);
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

function buildTiling(ctx) {
  const { h, slider, checkbox, COLORS } = AttnUI;
  const BLOCKS = [32, 64, 128, 256, 512, 1024];
  const FILL = [COLORS.blue, COLORS.sky, "#eeeeee", COLORS.orange];
  const NAMES = ["computed", "computed, partly masked", "skipped (causal)", "skipped (window)"];
  const bytes = (b) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB`
    : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
  const sn = slider({ label: "N", name: "n", min: 64, max: 8192, step: 64, value: ctx.get("n"),
    format: (v) => String(v), onInput: (v) => ctx.set("n", v) });
  const sb = slider({ label: "block", name: "block", min: 0, max: BLOCKS.length - 1, step: 1,
    value: ctx.get("block"), toValue: (p) => BLOCKS[p], fromValue: (b) => BLOCKS.indexOf(b),
    format: (v) => String(v), onInput: (v) => ctx.set("block", v) });
  const cc = checkbox({ label: "causal", name: "causal", checked: ctx.get("causal"),
    onChange: (v) => ctx.set("causal", v) });
  const cw = checkbox({ label: "sliding window", name: "use_window", checked: ctx.get("use_window"),
    onChange: (v) => ctx.set("use_window", v) });
  const sw = slider({ label: "window w", name: "window", min: 0, max: 8192, step: 16,
    value: ctx.get("window"), format: (v) => String(v), onInput: (v) => ctx.set("window", v) });
  const canvas = h("canvas", { width: 320, height: 320, role: "img",
    "aria-label": "grid of tiles: query blocks down, key blocks across" });
  const legend = h("div", { class: "attn-legend" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.appendChild(h("div", { class: "attn-row" }, [sn.wrap, sb.wrap]));
  ctx.root.appendChild(h("div", { class: "attn-row" }, [cc.wrap, cw.wrap, sw.wrap]));
  ctx.root.appendChild(h("div", { class: "attn-row" }, [canvas, legend]));
  ctx.root.appendChild(summary);
  return {
    sync() {
      sn.set(ctx.get("n")); sb.set(ctx.get("block")); cc.set(ctx.get("causal"));
      cw.set(ctx.get("use_window")); sw.set(ctx.get("window"));
    },
    draw() {
      const n = ctx.get("n"), block = ctx.get("block"), d = ctx.get("d");
      const causal = ctx.get("causal");
      const window = ctx.get("use_window") ? ctx.get("window") : null;
      sw.input.disabled = window === null;
      const grid = tilingGrid(n, block, causal, window);
      const T = grid.length;
      const g = canvas.getContext("2d");
      const cell = 320 / T;
      g.clearRect(0, 0, 320, 320);
      grid.forEach((row, a) => row.forEach((c, b) => {
        g.fillStyle = FILL[c];
        g.fillRect(b * cell, a * cell, Math.max(cell - (T <= 64 ? 1 : 0), 0.5), Math.max(cell - (T <= 64 ? 1 : 0), 0.5));
      }));
      const r = tilingCosts(n, block, d, causal, window);
      const counts = [r.computed - r.partial, r.partial, r.skipped_causal, r.skipped_window];
      legend.replaceChildren(...counts.map((k, c) => h("div", {}, [
        h("span", { text: "■ ", style: `color:${FILL[c]}` }), h("span", { text: `${NAMES[c]}: ${k}` })])));
      summary.textContent = `${T} × ${T} tiles of ${block} × ${block}; ${r.computed} computed ` +
        `(${(100 * r.computed / r.tiles).toFixed(1)}%), ${(r.flops / 1e9).toFixed(3)} GFLOP. ` +
        `Memory (float32, d = ${d}): full score matrix + output ${bytes(r.plain_bytes)}, ` +
        `one tile + output + log-sum-exp ${bytes(r.tiled_bytes)}.`;
      return r;
    },
  };
}

export default {
  render({ model, el }) {
    return AttnUI.mount(model, el, { name: "tiling", build: buildTiling });
  },
};
