// retrieval.js — the retrieval playground (chapter 2).
// weights = softmax(−‖q − k_i‖² / T), retrieved value = Σ w_i v_i (M.softLookup ↔
// attn_course.core.retrieval.soft_lookup).
import * as M from "./math/index.js";
import { COLORS, bars, fmt, h, mount, s, slider } from "./ui.js";

function buildRetrieval(ctx) {
  const SIZE = 280;
  const root = ctx.root;
  let keys, values, labels, ext;
  const load = () => {
    keys = ctx.get("key_xy");
    values = ctx.get("values");
    labels = ctx.get("labels");
    ext = ctx.get("extent");
  };
  load();
  const toPx = ([x, y]) => [((x - ext[0]) / (ext[1] - ext[0])) * SIZE,
    SIZE - ((y - ext[2]) / (ext[3] - ext[2])) * SIZE];
  const fromPx = (px, py) => [ext[0] + (px / SIZE) * (ext[1] - ext[0]),
    ext[2] + ((SIZE - py) / SIZE) * (ext[3] - ext[2])];
  const clampTo = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  // The plane is a pointer shortcut; the query x / y sliders are its keyboard equivalent.
  const plane = s("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, width: SIZE, height: SIZE, role: "img",
    class: "attn-plane", "aria-label": "keys and the query in the plane; drag to move the query",
    style: "touch-action: none; cursor: crosshair; border: 1px solid rgba(128,128,128,.4)" });
  const setQuery = (q) => ctx.set("query", [clampTo(q[0], ext[0], ext[1]), clampTo(q[1], ext[2], ext[3])]);
  const pointerTo = (ev) => {
    const r = plane.getBoundingClientRect();
    setQuery(fromPx(((ev.clientX - r.left) / r.width) * SIZE, ((ev.clientY - r.top) / r.height) * SIZE));
  };
  plane.addEventListener("pointerdown", (ev) => { plane.setPointerCapture(ev.pointerId); pointerTo(ev); });
  plane.addEventListener("pointermove", (ev) => { if (plane.hasPointerCapture(ev.pointerId)) pointerTo(ev); });

  const q0 = ctx.get("query");
  const step = (lo, hi) => (hi - lo) / 200;
  const sx = slider({ label: "query x", name: "query_x", min: ext[0], max: ext[1], step: step(ext[0], ext[1]),
    value: q0[0], onInput: (v) => setQuery([v, ctx.get("query")[1]]) });
  const sy = slider({ label: "query y", name: "query_y", min: ext[2], max: ext[3], step: step(ext[2], ext[3]),
    value: q0[1], onInput: (v) => setQuery([ctx.get("query")[0], v]) });
  const st = slider({ label: "temperature", name: "temperature", min: -1.5, max: 1.5, step: 0.01,
    value: ctx.get("temperature"), toValue: (p) => 10 ** p, fromValue: (t) => Math.log10(t),
    format: (t) => fmt(t, 3), onInput: (t) => ctx.set("temperature", t) });
  const barBox = h("div", { class: "attn-bars" });
  const lineBox = h("div", { class: "attn-valueline" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, [sx.wrap, sy.wrap, st.wrap]));
  root.appendChild(h("div", { class: "attn-row" }, [plane, h("div", {}, [barBox, lineBox])]));
  root.appendChild(summary);

  function valueLine(value) {
    const W = 320;
    const lo = M.min(values);
    const hi = M.max(values);
    const pad = (hi - lo) * 0.05 || 1;
    const x = (v) => 10 + ((v - lo + pad) / (hi - lo + 2 * pad)) * (W - 20);
    const svg = s("svg", { viewBox: `0 0 ${W} 46`, width: W, height: 46, role: "img",
      "aria-label": `retrieved value ${fmt(value)} among the stored values` });
    svg.appendChild(s("line", { x1: 10, x2: W - 10, y1: 22, y2: 22, stroke: "currentColor", "stroke-width": 0.6 }));
    values.forEach((v) => svg.appendChild(s("line", { x1: x(v), x2: x(v), y1: 15, y2: 29,
      stroke: COLORS.blue, "stroke-width": 2 })));
    svg.appendChild(s("circle", { cx: x(value), cy: 22, r: 6, fill: COLORS.orange, class: "attn-retrieved" }));
    [[lo, "start"], [hi, "end"]].forEach(([v, anchor]) => {
      const t = s("text", { x: x(v), y: 42, "text-anchor": anchor });
      t.textContent = fmt(v, 2);
      svg.appendChild(t);
    });
    const t = s("text", { x: 10, y: 10 });
    t.textContent = "stored values (blue) and the retrieved value (orange)";
    svg.appendChild(t);
    return svg;
  }

  return {
    reset: load,
    sync() {
      const q = ctx.get("query");
      sx.set(q[0]);
      sy.set(q[1]);
      st.set(ctx.get("temperature"));
    },
    draw() {
      const q = ctx.get("query");
      const T = ctx.get("temperature");
      const { value, weights } = M.softLookup(q, keys, values, T);
      const H = M.entropy(weights);
      plane.replaceChildren();
      const [qx, qy] = toPx(q);
      keys.forEach((k, i) => {
        const [kx, ky] = toPx(k);
        plane.appendChild(s("line", { x1: qx, y1: qy, x2: kx, y2: ky, stroke: COLORS.orange,
          "stroke-width": 0.3 + 6 * weights[i], "stroke-opacity": 0.8 }));
      });
      keys.forEach((k, i) => {
        const [kx, ky] = toPx(k);
        plane.appendChild(s("circle", { cx: kx, cy: ky, r: 3 + 12 * Math.sqrt(weights[i]),
          fill: COLORS.blue, "fill-opacity": 0.75 }));
        const right = kx > SIZE - 70;
        const t = s("text", { x: right ? kx - 6 : kx + 6, y: ky - 6, "text-anchor": right ? "end" : "start" });
        t.textContent = `${labels[i]}: ${fmt(values[i], 2)}`;
        plane.appendChild(t);
      });
      plane.appendChild(s("circle", { cx: qx, cy: qy, r: 7, fill: COLORS.orange, stroke: "white",
        "stroke-width": 1.5, class: "attn-query" }));
      barBox.replaceChildren(bars(weights, labels, { max: 1, title: "attention weights" }));
      lineBox.replaceChildren(valueLine(value));
      summary.textContent = `query (${fmt(q[0], 2)}, ${fmt(q[1], 2)}), temperature ${fmt(T, 3)}: ` +
        `retrieved value ${fmt(value)}, entropy ${fmt(H)} nats (max ${fmt(M.maxEntropy(keys.length))})`;
      return { weights, value, entropy: H };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "retrieval", build: buildRetrieval });
  },
};
