// paths.js — the path playground (chapter 9): a shortest route from input j to output i
// through a recurrent chain, dilated and contiguous convolution stacks, a windowed-attention
// stack and one attention layer (M.pathRoute, M.pathBetween ↔ attn_course.experiments.paths).
import * as M from "./math/index.js";
import { h, mount, s, slider } from "./ui.js";

const NAMES = {
  recurrent: "recurrent chain",
  convolutional: "dilated convolutions",
  contiguous: "contiguous convolutions",
  restricted: "windowed attention",
  "self-attention": "one attention layer",
};
const COLORS = {
  recurrent: "#D55E00", convolutional: "#007A5A", contiguous: "#5B4A9E",
  restricted: "#B0447E", "self-attention": "#0072B2",
};
const GREY = "rgba(128,128,128,.55)";

function buildPaths(ctx) {
  const int = (v) => String(v);
  const sn = slider({ label: "n (positions)", name: "n", min: 4, max: 32, step: 1,
    value: ctx.get("n"), format: int, onInput: (v) => {
      ctx.set("n", v);
      if (ctx.get("i") > v - 1) ctx.set("i", v - 1);
      if (ctx.get("j") > ctx.get("i")) ctx.set("j", ctx.get("i"));
    } });
  const si = slider({ label: "i (output)", name: "i", min: 0, max: ctx.get("n") - 1, step: 1,
    value: ctx.get("i"), format: int, onInput: (v) => {
      ctx.set("i", v);
      if (ctx.get("j") > v) ctx.set("j", v);
    } });
  const sj = slider({ label: "j (input)", name: "j", min: 0, max: ctx.get("i"), step: 1,
    value: ctx.get("j"), format: int, onInput: (v) => ctx.set("j", v) });
  const sk = slider({ label: "k (kernel)", name: "k", min: 2, max: 5, step: 1,
    value: ctx.get("k"), format: int, onInput: (v) => ctx.set("k", v) });
  const sr = slider({ label: "r (window)", name: "r", min: 1, max: 8, step: 1,
    value: ctx.get("r"), format: int, onInput: (v) => ctx.set("r", v) });
  const panels = h("div", {});
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [sn.wrap, si.wrap, sj.wrap, sk.wrap, sr.wrap]),
    summary, panels);

  // The positions as drawn: i clipped to n − 1, j to i (as PathsView.positions).
  const positions = () => {
    const i = Math.min(ctx.get("i"), ctx.get("n") - 1);
    return [i, Math.min(ctx.get("j"), i)];
  };

  // Fan-in of node `p` of a layer: the positions of the row below it reads.
  function fanIn(kind, p, k, r) {
    const out = [];
    if (kind === "self-attention") for (let q = 0; q <= p; q++) out.push(q);
    else if (kind === "restricted") for (let a = 0; a <= r && p - a >= 0; a++) out.push(p - a);
    else if (kind === "contiguous") for (let a = 0; a < k && p - a >= 0; a++) out.push(p - a);
    return out;
  }

  function panel(kind, route, n, i, j, k, r) {
    const W = 640, pad = 14, top = 20;
    const L = route.length - 1;
    const chain = kind === "recurrent";
    const rows = chain ? 1 : L;
    const gap = chain ? 34 : Math.max(6, Math.min(30, 150 / rows));
    const H = top + rows * gap + 24;
    const x = (p) => pad + (n === 1 ? 0 : (p * (W - 2 * pad)) / (n - 1));
    const y = (row) => H - 16 - row * gap;
    const color = COLORS[kind];
    const length = route.length - 1;
    const unit = chain ? (length === 1 ? "step" : "steps") : (length === 1 ? "layer" : "layers");
    const label = kind === "restricted" ? `${NAMES[kind]} (r = ${r})`
      : (kind === "self-attention" ? NAMES[kind] : `${NAMES[kind]}${kind === "recurrent" ? "" : ` (k = ${k})`}`);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
      "data-kind": kind,
      "aria-label": `${label}: ${length} ${unit} from input ${j} to output ${i}` });
    const t = s("text", { x: 0, y: 12, "font-weight": 600 });
    t.textContent = `${label}: ${length} ${unit}`;
    svg.appendChild(t);
    const line = (x1, y1, x2, y2, stroke, width) => svg.appendChild(s("line",
      { x1, y1, x2, y2, stroke, "stroke-width": width, "stroke-linecap": "round" }));
    if (chain) {
      // inputs on the bottom row, states above; every x_t → h_t and h_{t-1} → h_t in grey
      for (let p = 0; p < n; p++) {
        line(x(p), y(0), x(p), y(1), GREY, 1);
        if (p > 0) line(x(p - 1), y(1), x(p), y(1), GREY, 1);
      }
      const pts = route.map(([row, p]) => [x(p), y(row === 0 ? 0 : 1)]);
      for (let a = 1; a < pts.length; a++) line(pts[a - 1][0], pts[a - 1][1], pts[a][0], pts[a][1], color, 3.5);
    } else {
      for (let a = 1; a < route.length; a++) {
        const [row, p] = route[a];
        let fan = fanIn(kind, p, k, r);
        if (kind === "convolutional") {
          const dil = k ** (row - 1);
          fan = [];
          for (let b = 0; b < k && p - b * dil >= 0; b++) fan.push(p - b * dil);
        }
        for (const q of fan) line(x(q), y(row - 1), x(p), y(row), GREY, 1);
      }
      for (let a = 1; a < route.length; a++) {
        line(x(route[a - 1][1]), y(route[a - 1][0]), x(route[a][1]), y(route[a][0]), color, 3.5);
      }
    }
    const on = new Set(route.map(([row, p]) => `${chain ? Math.min(row, 1) : row},${p}`));
    for (let row = 0; row <= rows; row++) {
      for (let p = 0; p < n; p++) {
        const hit = on.has(`${row},${p}`);
        svg.appendChild(s("circle", { cx: x(p), cy: y(row), r: hit ? 4 : 2,
          fill: hit ? color : GREY }));
      }
    }
    for (const [p, text] of [[j, `j = ${j}`], [i, `i = ${i}`]]) {
      const lab = s("text", { x: x(p), y: p === j && p !== i ? H - 2 : top + 2,
        "text-anchor": p < 3 ? "start" : (p > n - 4 ? "end" : "middle") });
      lab.textContent = p === i && i === j ? `i = j = ${i}` : text;
      if (!(p === i && i === j && text.startsWith("j"))) svg.appendChild(lab);
    }
    return svg;
  }

  return {
    sync() {
      sn.set(ctx.get("n"));
      si.input.max = String(ctx.get("n") - 1);
      const [i] = positions();
      si.set(i);
      sj.input.max = String(i);
      sj.set(Math.min(ctx.get("j"), i));
      sk.set(ctx.get("k"));
      sr.set(ctx.get("r"));
    },
    draw() {
      const n = ctx.get("n"), k = ctx.get("k"), r = ctx.get("r");
      const [i, j] = positions();
      const kinds = ctx.get("kinds");
      const routes = kinds.map((kind) => M.pathRoute(kind, i, j, k, r));
      const lengths = kinds.map((kind) => M.pathBetween(kind, i, j, k, r));
      panels.replaceChildren(...kinds.map((kind, a) => h("figure", {}, [panel(kind, routes[a], n, i, j, k, r)])));
      summary.textContent = `From input ${j} to output ${i} (${i - j} positions apart): ` +
        kinds.map((kind, a) => `${NAMES[kind]} ${lengths[a]}`).join(", ") + ".";
      const out = { lengths };
      kinds.forEach((kind, a) => { out[`route_${kind}`] = routes[a]; });
      return out;
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "paths", build: buildPaths });
  },
};
