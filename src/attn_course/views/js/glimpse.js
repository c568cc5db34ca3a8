// glimpse.js — the glimpse view (chapter 1).
// Select `budget` pixels of the scene (most salient / random / evenly spaced: M.glimpseSelection
// ↔ attn_course.views.glimpse.glimpse_selection), draw what the observer sees and report the
// share of the digit's ink inside the selection (M.inkRecovered ↔ attn_course.experiments.intuition.ink_recovered).
import * as M from "./math/index.js";
import { COLORS, fmt, h, mount, select, slider } from "./ui.js";

function buildGlimpse(ctx) {
  const root = ctx.root;
  let H = ctx.get("height");
  let W = ctx.get("width");
  const n = () => H * W;
  const pct = (k) => `${k} px (${fmt((100 * k) / n(), 2)}%)`;
  const budget = slider({ label: "budget", name: "budget", min: 0, max: Math.log10(n()), step: 0.01,
    value: ctx.get("budget"), toValue: (p) => Math.max(1, Math.min(n(), Math.round(10 ** p))),
    fromValue: (k) => Math.log10(k), format: pct, onInput: (k) => ctx.set("budget", k) });
  const method = select({ label: "choose pixels by", name: "method", value: ctx.get("method"),
    options: [["saliency", "saliency (most ink nearby)"], ["random", "random"],
      ["grid", "evenly spaced grid"]], onChange: (v) => ctx.set("method", v) });
  const seed = slider({ label: "random seed", name: "seed", min: 0, max: 99, step: 1,
    value: ctx.get("seed"), format: (v) => String(v), onInput: (v) => ctx.set("seed", v) });
  const scale = Math.max(2, Math.floor(256 / Math.max(H, W)));
  const mk = (label) => h("canvas", { width: W * scale, height: H * scale, role: "img",
    "aria-label": label });
  const full = mk("the scene, with the selected pixels outlined");
  const seen = mk("what the observer sees: only the selected pixels");
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, [budget.wrap, method.wrap, seed.wrap]));
  root.appendChild(h("div", { class: "attn-row" }, [
    h("figure", {}, [full, h("figcaption", { text: "scene (selected pixels in orange)" })]),
    h("figure", {}, [seen, h("figcaption", { text: "what the observer sees" })])]));
  root.appendChild(summary);

  function paint(canvas, values, mark) {
    const g = canvas.getContext("2d");
    g.fillStyle = "#000";
    g.fillRect(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < values.length; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, values[i])));
      if (v === 0 && !(mark && mark[i])) continue;
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect((i % W) * scale, Math.floor(i / W) * scale, scale, scale);
      if (mark && mark[i]) {
        g.strokeStyle = COLORS.orange;
        g.lineWidth = 1;
        g.strokeRect((i % W) * scale + 0.5, Math.floor(i / W) * scale + 0.5, scale - 1, scale - 1);
      }
    }
  }

  return {
    sync() {
      budget.set(ctx.get("budget"));
      method.set(ctx.get("method"));
      seed.set(ctx.get("seed"));
    },
    reset() {
      H = ctx.get("height");
      W = ctx.get("width");
    },
    draw() {
      const scene = ctx.get("scene");
      const k = ctx.get("budget");
      const sel = M.glimpseSelection(ctx.get("saliency"), k, ctx.get("method"), ctx.get("seed"));
      const inkShare = M.inkRecovered(ctx.get("ink"), sel);
      const mark = new Uint8Array(scene.length);
      const view = new Float64Array(scene.length);
      for (const i of sel) {
        mark[i] = 1;
        view[i] = scene[i];
      }
      paint(full, scene.map((v, i) => (mark[i] ? v : 0.35 * v)), mark);
      paint(seen, view, null);
      summary.textContent = `${pct(k)} seen — ${fmt(100 * inkShare, 1)}% of the digit's ink`;
      return { ink: inkShare, fraction: k / n() };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "glimpse", build: buildGlimpse });
  },
};
