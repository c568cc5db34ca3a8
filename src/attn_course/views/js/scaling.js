// scaling.js — the scaling explorer (chapter 4).
// n_trials draws of q (d_k,) and K (n_keys, d_k) from mulberry32(seed), scores q·k (/√d_k if
// scaled), softmax and entropy: M.scalingSummary ↔ attn_course.views.scaling.scaling_summary.
import * as M from "./math/index.js";
import { COLORS, bars, checkbox, fmt, h, mount, s, slider } from "./ui.js";

function buildScaling(ctx) {
  const root = ctx.root;
  const sd = slider({ label: "d_k", name: "d_k", min: 0, max: 10, step: 1, value: ctx.get("d_k"),
    toValue: (p) => 2 ** p, fromValue: (d) => Math.round(Math.log2(d)), format: (d) => String(d),
    onInput: (d) => ctx.set("d_k", d) });
  const cs = checkbox({ label: "divide by √d_k", name: "scaled", checked: ctx.get("scaled"),
    onChange: (v) => ctx.set("scaled", v) });
  const ss = slider({ label: "seed", name: "seed", min: 0, max: 999, step: 1, value: ctx.get("seed"),
    format: (v) => String(v), onInput: (v) => ctx.set("seed", v) });
  const barBox = h("div", { class: "attn-bars" });
  const histBox = h("div", { class: "attn-hist" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, [sd.wrap, cs.wrap, ss.wrap]));
  root.appendChild(h("div", { class: "attn-row" }, [barBox, histBox]));
  root.appendChild(summary);

  function histogram(values, hi) {
    const W = 300, H = 150, B = 12, pad = 24;
    const counts = new Array(B).fill(0);
    values.forEach((v) => { counts[Math.min(B - 1, Math.max(0, Math.floor((v / hi) * B)))] += 1; });
    const cmax = Math.max(M.max(counts), 1);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
      "aria-label": "histogram of the entropy over all draws" });
    const t = s("text", { x: 0, y: 12, "font-weight": 600 });
    t.textContent = `entropy of each of ${values.length} draws`;
    svg.appendChild(t);
    const bw = (W - 2 * pad) / B;
    counts.forEach((c, i) => {
      const bh = (c / cmax) * (H - 2 * pad);
      svg.appendChild(s("rect", { x: pad + i * bw + 1, y: H - pad - bh, width: bw - 2, height: bh,
        fill: COLORS.green }));
    });
    [[0, "0"], [hi, `log n = ${fmt(hi, 2)}`]].forEach(([v, text]) => {
      const lab = s("text", { x: pad + (v / hi) * (W - 2 * pad), y: H - 8,
        "text-anchor": v ? "end" : "start" });
      lab.textContent = text;
      svg.appendChild(lab);
    });
    return svg;
  }

  return {
    sync() {
      sd.set(ctx.get("d_k"));
      cs.set(ctx.get("scaled"));
      ss.set(ctx.get("seed"));
    },
    draw() {
      const d = ctx.get("d_k");
      const n = ctx.get("n_keys");
      const scaled = ctx.get("scaled");
      const r = M.scalingSummary(ctx.get("seed"), d, n, ctx.get("n_trials"), scaled);
      const labels = r.weights.map((_, j) => `k${j + 1}`);
      barBox.replaceChildren(bars(r.weights, labels, { max: 1, barH: Math.max(9, Math.min(16, 240 / n)),
        title: "weights of the first draw" }));
      const hMax = M.maxEntropy(n);
      histBox.replaceChildren(histogram(r.entropies, hMax));
      summary.textContent = `d_k = ${d}, ${scaled ? "scaled" : "unscaled"}: score std ${fmt(r.score_std, 2)}, ` +
        `first draw entropy ${fmt(r.entropy)} nats, mean entropy ${fmt(r.mean_entropy)} ` +
        `(max ${fmt(hMax)}), mean largest weight ${fmt(r.mean_max_weight)}`;
      return { weights: r.weights, entropy: r.entropy, mean_entropy: r.mean_entropy,
        mean_max_weight: r.mean_max_weight, score_std: r.score_std };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "scaling", build: buildScaling });
  },
};
