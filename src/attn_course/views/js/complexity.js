// complexity.js — the Table 1 explorer (chapter 9).
// FLOPs 4n²d, 4nd², 2knd²; sequential ops 1, n, 1; maximum path length 1, n, ⌈log_k n⌉ and the
// crossovers (M.layerFlops, M.sequentialOps, M.maxPathLength, M.crossoverN ↔ attn_course.experiments.complexity).
import * as M from "./math/index.js";
import { bars, fmt, h, mount, s, slider } from "./ui.js";

function buildComplexity(ctx) {
  const KIND_COLORS = { "self-attention": "#0072B2", recurrent: "#D55E00", convolutional: "#009E73" };
  const log2 = (v) => Math.round(Math.log2(v));
  const sn = slider({ label: "n (sequence length)", name: "n", min: 1, max: 14, step: 1,
    value: ctx.get("n"), toValue: (p) => 2 ** p, fromValue: log2, format: (v) => String(v),
    onInput: (v) => ctx.set("n", v) });
  const sd = slider({ label: "d (width)", name: "d", min: 3, max: 14, step: 1,
    value: ctx.get("d"), toValue: (p) => 2 ** p, fromValue: log2, format: (v) => String(v),
    onInput: (v) => ctx.set("d", v) });
  const sk = slider({ label: "k (kernel)", name: "k", min: 2, max: 9, step: 1,
    value: ctx.get("k"), format: (v) => String(v), onInput: (v) => ctx.set("k", v) });
  const flopBox = h("div", { class: "attn-bars" });
  const pathBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.appendChild(h("div", { class: "attn-row" }, [sn.wrap, sd.wrap, sk.wrap]));
  ctx.root.appendChild(h("div", { class: "attn-row" }, [flopBox, pathBox]));
  ctx.root.appendChild(summary);

  // Log-scale horizontal bars: FLOPs span many orders of magnitude.
  function logBars(kinds, values) {
    const W = 360, barH = 22, labelW = 104, numW = 70, top = 18;
    const H = top + kinds.length * barH + 4;
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
      "aria-label": "FLOPs of one layer, log scale" });
    const t = s("text", { x: 0, y: 12, "font-weight": 600 });
    t.textContent = "FLOPs of one layer (log scale)";
    svg.appendChild(t);
    const hi = Math.log10(M.max(values)) + 0.3;
    kinds.forEach((kind, i) => {
      const y = top + i * barH;
      const lab = s("text", { x: labelW - 6, y: y + barH * 0.7, "text-anchor": "end" });
      lab.textContent = kind;
      svg.appendChild(lab);
      const w = (Math.max(0, Math.log10(values[i])) / hi) * (W - labelW - numW);
      svg.appendChild(s("rect", { x: labelW, y: y + 3, width: Math.max(1, w), height: barH - 6,
        fill: KIND_COLORS[kind] }));
      const num = s("text", { x: W - 2, y: y + barH * 0.7, "text-anchor": "end" });
      num.textContent = values[i].toExponential(2);
      svg.appendChild(num);
    });
    return svg;
  }

  return {
    sync() {
      sn.set(ctx.get("n"));
      sd.set(ctx.get("d"));
      sk.set(ctx.get("k"));
    },
    draw() {
      const n = ctx.get("n"), d = ctx.get("d"), k = ctx.get("k");
      const kinds = ctx.get("kinds");
      const flops = kinds.map((kind) => M.layerFlops(kind, n, d, k));
      const sequential = kinds.map((kind) => M.sequentialOps(kind, n, k));
      const path = kinds.map((kind) => M.maxPathLength(kind, n, k));
      const xr = M.crossoverN(d, k, "recurrent");
      const xc = M.crossoverN(d, k, "convolutional");
      const best = M.argmin(flops);
      flopBox.replaceChildren(logBars(kinds, flops));
      const short = kinds.map((kind) => ({ "self-attention": "attention", convolutional: "conv" }[kind] || kind));
      pathBox.replaceChildren(bars(path, short, { width: 360, barH: 22,
        title: "maximum path length (layers or steps)" }));
      summary.textContent = `n = ${n}, d = ${d}, k = ${k}: a recurrent layer needs ${fmt(flops[1] / flops[0], 2)}× ` +
        `the mixing FLOPs of self-attention (d / 2n). Self-attention's mixing is no dearer than the ` +
        `recurrence while n ≤ ${xr} (= d/2) and than the convolution while n ≤ ${xc} (= ⌊k·d/2⌋). ` +
        `Cheapest here: ${kinds[best]}. Sequential steps: ${sequential.join(" / ")}.`;
      return { flops, sequential, path, crossover_recurrent: xr, crossover_conv: xc,
        cheapest: best };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "complexity", build: buildComplexity });
  },
};
