// score_explorer.js — the score explorer (chapter 3).
// scores = M.scores(kind, Q, K, params) (↔ attn_course.core.scores), weights = softmax(scores / T).
import * as M from "./math/index.js";
import { COLORS, bars, contrastText, fmt, h, mount, s, select, slider, viridis } from "./ui.js";

function buildScoreExplorer(ctx) {
  const root = ctx.root;
  const NAMES = { dot: "dot q·k", scaled_dot: "scaled dot q·k/√d", general: "general q W kᵀ",
    additive: "additive w·tanh(qW_q + kW_k)", cosine: "cosine", location: "location q W" };
  const kindSel = select({ label: "score", name: "score", value: ctx.get("score"),
    options: ctx.get("kinds").map((k) => [k, NAMES[k] || k]), onChange: (v) => ctx.set("score", v) });
  const st = slider({ label: "temperature", name: "temperature", min: -1.5, max: 1.5, step: 0.01,
    value: ctx.get("temperature"), toValue: (p) => 10 ** p, fromValue: (t) => Math.log10(t),
    format: (t) => fmt(t, 3), onInput: (t) => ctx.set("temperature", t) });
  const qSel = select({ label: "query", name: "selected", value: ctx.get("selected"),
    options: ctx.get("query_labels").map((l, i) => [String(i), l]),
    onChange: (v) => ctx.set("selected", Number(v)) });
  const mapBox = h("div", { class: "attn-map" });
  const barBox = h("div", { class: "attn-bars" });
  root.appendChild(h("div", { class: "attn-row" }, [kindSel.wrap, st.wrap, qSel.wrap]));
  root.appendChild(h("div", { class: "attn-row" }, [mapBox, barBox]));

  // Clicking a row is a pointer shortcut; the query select is its keyboard equivalent.
  function heatmap(W, rowLabels, colLabels, selected) {
    const cell = Math.max(22, Math.min(44, 300 / Math.max(W[0].length, W.length)));
    const left = 40, top = 18;
    const width = left + cell * W[0].length + 2, height = top + cell * W.length + 2;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-label": "attention weights: rows are queries, columns keys" });
    colLabels.forEach((l, j) => {
      const t = s("text", { x: left + (j + 0.5) * cell, y: 12, "text-anchor": "middle" });
      t.textContent = l;
      svg.appendChild(t);
    });
    W.forEach((row, i) => {
      const t = s("text", { x: left - 4, y: top + (i + 0.62) * cell, "text-anchor": "end" });
      t.textContent = rowLabels[i];
      svg.appendChild(t);
      row.forEach((w, j) => {
        const rgb = viridis(w);
        const rect = s("rect", { x: left + j * cell, y: top + i * cell, width: cell, height: cell,
          fill: `rgb(${rgb.join(",")})`, class: "attn-cell", style: "cursor: pointer" });
        rect.addEventListener("click", () => ctx.set("selected", i));
        svg.appendChild(rect);
        // Black or white on the cell, whichever contrasts more (≥ 4.58:1).
        const num = s("text", { x: left + (j + 0.5) * cell, y: top + (i + 0.62) * cell,
          "text-anchor": "middle", class: "attn-cell-num",
          style: `fill: ${contrastText(rgb)}; font-size: 10px` });
        num.textContent = fmt(w, 2);
        svg.appendChild(num);
      });
    });
    svg.appendChild(s("rect", { x: left, y: top + selected * cell, width: cell * W[0].length,
      height: cell, fill: "none", stroke: COLORS.orange, "stroke-width": 2.5 }));
    return svg;
  }

  return {
    sync() {
      kindSel.set(ctx.get("score"));
      st.set(ctx.get("temperature"));
      qSel.set(ctx.get("selected"));
    },
    draw() {
      const params = { W: ctx.get("W"), W_q: ctx.get("W_q"), W_k: ctx.get("W_k"), w_v: ctx.get("w_v") };
      const kind = ctx.get("score");
      const scores = M.scores(kind, ctx.get("queries"), ctx.get("key_vectors"),
        kind === "location" ? { W: ctx.get("W_loc") } : params);
      const weights = M.softmaxRows(scores, ctx.get("temperature"));
      const sel = ctx.get("selected");
      const ql = ctx.get("query_labels");
      const kl = ctx.get("key_labels");
      mapBox.replaceChildren(heatmap(weights, ql, kl, sel));
      barBox.replaceChildren(
        bars(scores[sel], kl, { title: `scores of ${ql[sel]}`, signed: true }),
        bars(weights[sel], kl, { max: 1, title: `weights of ${ql[sel]}` }),
      );
      return { scores, weights };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "score", build: buildScoreExplorer });
  },
};
