// tiling.js — the tiling playground (chapter 13).
// Tile codes and costs from M.tileGrid / M.tilingCosts (↔ attn_course.experiments.efficient.tile_grid /
// tiling_costs): 0 computed, 1 computed but partly masked, 2 skipped (above the causal
// diagonal), 3 skipped (outside the window).
import * as M from "./math/index.js";
import { COLORS, checkbox, h, mount, slider } from "./ui.js";

function buildTiling(ctx) {
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
      const grid = M.tileGrid(n, block, causal, window);
      const T = grid.length;
      const g = canvas.getContext("2d");
      const cell = 320 / T;
      const gap = T <= 64 ? 1 : 0;
      g.clearRect(0, 0, 320, 320);
      grid.forEach((row, a) => row.forEach((c, b) => {
        g.fillStyle = FILL[c];
        g.fillRect(b * cell, a * cell, Math.max(cell - gap, 0.5), Math.max(cell - gap, 0.5));
      }));
      const r = M.tilingCosts(n, block, d, causal, window);
      const counts = [r.computed - r.partial, r.partial, r.skipped_causal, r.skipped_window];
      legend.replaceChildren(...counts.map((k, c) => h("div", {}, [
        h("span", { class: "attn-swatch", style: `background:${FILL[c]}`, "aria-hidden": "true" }),
        h("span", { text: `${NAMES[c]}: ${k}` })])));
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
    return mount(model, el, { name: "tiling", build: buildTiling });
  },
};
