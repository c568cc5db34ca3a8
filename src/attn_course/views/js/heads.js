// heads.js — one head of an attention-only model on a repeated sequence (chapter 16).
// M.headScores ↔ attn_course.experiments.induction.head_scores (one sequence, one head);
// M.meanStd ↔ numpy mean. The predictions with the head intact and removed are shipped.
import * as M from "./math/index.js";
import { COLORS, contrastText, fmt, h, mount, s, slider, viridis } from "./ui.js";

function buildHeads(ctx) {
  const [E, L, H, n] = ctx.get("shape");
  const S = ctx.get("segment");
  const labels = ctx.get("labels");
  const tokenAt = (e, i) => labels[ctx.get("tokens")[e][i]];
  const se = slider({ label: "sequence", name: "example", min: 0, max: E - 1, step: 1,
    value: ctx.get("example"), format: (v) => String(v + 1), onInput: (v) => ctx.set("example", v) });
  const sl = slider({ label: "layer", name: "layer", min: 0, max: L - 1, step: 1,
    value: ctx.get("layer"), format: (v) => String(v + 1), onInput: (v) => ctx.set("layer", v) });
  const sh = slider({ label: "head", name: "head", min: 0, max: H - 1, step: 1,
    value: ctx.get("head"), format: (v) => String(v + 1), onInput: (v) => ctx.set("head", v) });
  const sq = slider({ label: "query position", name: "query", min: 0, max: n - 2, step: 1,
    value: ctx.get("query"),
    format: (v) => `${v} (token ${tokenAt(ctx.get("example"), v)}, ${v < S ? "first" : "second"} copy)`,
    onInput: (v) => ctx.set("query", v) });
  const seq = h("div", { class: "attn-heads-seq", role: "img",
    style: "display: flex; flex-wrap: wrap; gap: 2px; font: 12px/1.6 ui-monospace, monospace; margin: .3rem 0;" });
  const plot = h("div", { class: "attn-plot" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [se.wrap, sl.wrap, sh.wrap]),
    h("div", { class: "attn-row" }, [sq.wrap]), seq, plot, summary);

  function curve(pIntact, pAblated, query, name) {
    const W = 460, Ht = 170, Lm = 36, R = 8, T = 8, B = 26;
    const X = (i) => Lm + (i / (n - 2)) * (W - Lm - R);
    const Y = (v) => T + (1 - v) * (Ht - T - B);
    const svg = s("svg", { viewBox: `0 0 ${W} ${Ht}`, width: W, height: Ht, role: "img",
      "aria-label": `probability of the correct next token at each position, intact and with ${name} removed` });
    svg.appendChild(s("rect", { x: X(S - 0.5), y: T, width: X(n - 2) - X(S - 0.5), height: Ht - T - B,
      fill: COLORS.sky, "fill-opacity": 0.15 }));
    svg.appendChild(s("line", { x1: X(query), x2: X(query), y1: T, y2: Ht - B, stroke: "currentColor",
      "stroke-opacity": 0.5, "stroke-dasharray": "3 3" }));
    [[pIntact, COLORS.blue], [pAblated, COLORS.vermillion]].forEach(([p, color]) => {
      const d = p.map((v, i) => `${i ? "L" : "M"}${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join("");
      svg.appendChild(s("path", { d, fill: "none", stroke: color, "stroke-width": 2 }));
      svg.appendChild(s("circle", { cx: X(query), cy: Y(p[query]), r: 4, fill: color }));
    });
    [[0, Ht - B], [1, T + 8]].forEach(([v, y]) => {
      const t = s("text", { x: Lm - 4, y, "text-anchor": "end" });
      t.textContent = String(v);
      svg.appendChild(t);
    });
    [["first copy", X(0)], ["second copy", X(S)]].forEach(([txt, x]) => {
      const t = s("text", { x, y: Ht - 8 });
      t.textContent = txt;
      svg.appendChild(t);
    });
    const legend = h("div", { class: "attn-legend" }, [
      h("span", { class: "attn-swatch", style: `background:${COLORS.blue}`, "aria-hidden": "true" }),
      h("span", { text: "intact  " }),
      h("span", { class: "attn-swatch", style: `background:${COLORS.vermillion}`, "aria-hidden": "true" }),
      h("span", { text: `${name} removed — p(correct next token)` })]);
    plot.replaceChildren(svg, legend);
  }

  return {
    sync() {
      se.set(ctx.get("example")); sl.set(ctx.get("layer")); sh.set(ctx.get("head"));
      sq.set(ctx.get("query"));
    },
    draw() {
      const e = ctx.get("example"), layer = ctx.get("layer"), head = ctx.get("head");
      const i = ctx.get("query");
      sq.set(i);  // its text names the token of the chosen sequence
      const flat = ctx.get("maps");
      const at = ((e * L + layer) * H + head) * n * n;
      const map = Array.from({ length: n }, (_, r) => flat.subarray(at + r * n, at + (r + 1) * n));
      const row = Array.from(map[i].subarray(0, i + 1));
      const sc = M.headScores(map, S);
      const prefixKey = i >= S ? i - S + 1 : -1;
      const peak = M.max(row);
      seq.replaceChildren(...Array.from({ length: n }, (_, j) => {
        const w = j <= i ? row[j] : 0;
        const rgb = j <= i ? viridis(peak > 0 ? w / peak : 0) : [255, 255, 255];
        return h("span", {
          title: j <= i ? `position ${j}: weight ${fmt(w, 3)}` : `position ${j}: after the query`,
          style: `padding: 0 3px; min-width: 1.4em; text-align: center; background: rgb(${rgb.join(",")});` +
            `color: ${j <= i ? contrastText(rgb) : "#767676"};` +
            (j === i ? `outline: 2px solid ${COLORS.vermillion};` : "") +
            (j === prefixKey ? `box-shadow: inset 0 -3px 0 ${COLORS.orange};` : "") +
            (j === S ? "margin-left: .6em;" : ""),
          text: tokenAt(e, j) });
      }));
      const top = M.argmax(row);
      seq.setAttribute("aria-label", `query at position ${i} attends most to position ${top} ` +
        `(weight ${fmt(row[top], 2)})` + (prefixKey >= 0
        ? `; weight ${fmt(row[prefixKey], 2)} on position ${prefixKey}, after the earlier occurrence` : ""));
      const a = 1 + layer * H + head;
      const p = ctx.get("p_correct")[e], nll = ctx.get("loss")[e];
      const name = `head ${layer + 1}.${head + 1}`;
      curve(p[0], p[a], i, name);
      const secondIntact = M.meanStd(nll[0].slice(S)).mean;
      const secondAblated = M.meanStd(nll[a].slice(S)).mean;
      summary.textContent = `${name} on this sequence: previous-token score ${fmt(sc.previous, 2)}, ` +
        `prefix-matching score ${fmt(sc.prefix, 2)}` +
        (prefixKey >= 0 ? `; from position ${i} it puts ${fmt(row[prefixKey], 2)} on position ` +
          `${prefixKey}, the token after the earlier occurrence. ` : ". ") +
        `Next token ${tokenAt(e, i + 1)}: p = ${fmt(p[0][i], 3)} (loss ${fmt(nll[0][i], 2)} nats) ` +
        `intact, p = ${fmt(p[a][i], 3)} (loss ${fmt(nll[a][i], 2)}) with ${name} removed. ` +
        `Mean loss on the second copy: ${fmt(secondIntact, 2)} intact, ${fmt(secondAblated, 2)} removed.`;
      return { row, previous_score: sc.previous, prefix_score: sc.prefix, prefix_key: prefixKey,
        p_intact: p[0][i], p_ablated: p[a][i], loss_intact: nll[0][i], loss_ablated: nll[a][i],
        second_intact: secondIntact, second_ablated: secondAblated };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "heads", build: buildHeads });
  },
};
