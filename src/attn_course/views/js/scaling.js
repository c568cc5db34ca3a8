// scaling.js — the scaling explorer (chapter 4). Needs attn_math.js and ui.js before it.
// For each of n_trials draws: q (d_k,), K (n_keys, d_k) standard normal from mulberry32(seed)
// (attn_course.views.scaling.scaling_draws), scores q·k (/√d_k if scaled), softmax, entropy.
function buildScaling(ctx) {
  const { h, s, slider, checkbox, bars, fmt, COLORS } = AttnUI;
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
    const cmax = Math.max(...counts, 1);
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
      const trials = ctx.get("n_trials");
      const kind = ctx.get("scaled") ? "scaled_dot" : "dot";
      const rand = AttnMath.mulberry32(ctx.get("seed"));
      let first = null;
      let firstH = 0;
      let sumH = 0;
      let sumMax = 0;
      let sum = 0;
      let sumSq = 0;
      const Hs = [];
      for (let t = 0; t < trials; t++) {
        const q = AttnMath.normals(rand, d);
        const K = [];
        for (let j = 0; j < n; j++) K.push(AttnMath.normals(rand, d));
        const sc = AttnMath.scores(kind, [q], K)[0];
        const w = AttnMath.softmax(sc);
        const Ht = AttnMath.entropy(w);
        if (t === 0) { first = w; firstH = Ht; }
        Hs.push(Ht);
        sumH += Ht;
        sumMax += Math.max(...w);
        for (const v of sc) { sum += v; sumSq += v * v; }
      }
      const count = trials * n;
      const mean = sum / count;
      const std = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
      const labels = first.map((_, j) => `k${j + 1}`);
      barBox.replaceChildren(bars(first, labels, { max: 1, barH: Math.max(9, Math.min(16, 240 / n)),
        title: "weights of the first draw" }));
      histBox.replaceChildren(histogram(Hs, Math.log(n)));
      summary.textContent = `d_k = ${d}, ${kind === "dot" ? "unscaled" : "scaled"}: score std ${fmt(std, 2)}, ` +
        `first draw entropy ${fmt(firstH)} nats, mean entropy ${fmt(sumH / trials)} ` +
        `(max ${fmt(Math.log(n))}), mean largest weight ${fmt(sumMax / trials)}`;
      return { weights: first, entropy: firstH, mean_entropy: sumH / trials,
        mean_max_weight: sumMax / trials, score_std: std };
    },
  };
}

export default {
  render({ model, el }) {
    return AttnUI.mount(model, el, { name: "scaling", build: buildScaling });
  },
};
