// softmax_lab.js — the softmax lab (chapter 5).
// weights = softmax(logits / T) over the kept entries (mask: true = keep), entropy in nats
// (M.softmax ↔ attn_course.softmax, M.entropy ↔ attn_course.entropy).
import * as M from "./math/index.js";
import { bars, checkbox, fmt, h, mount, slider } from "./ui.js";

function buildSoftmaxLab(ctx) {
  const root = ctx.root;
  const labels = ctx.get("labels");
  const [lo, hi] = ctx.get("logit_range");
  const setAt = (name, i, v) => {
    const arr = ctx.get(name).slice();
    arr[i] = v;
    ctx.set(name, arr);
  };
  const rows = labels.map((lab, i) => {
    const sl = slider({ label: `logit ${lab}`, name: `logit-${i}`, min: lo, max: hi, step: 0.1,
      value: ctx.get("logits")[i], onInput: (v) => setAt("logits", i, v) });
    const cb = checkbox({ label: `keep ${lab}`, name: `keep-${i}`, checked: ctx.get("mask")[i],
      onChange: (v) => setAt("mask", i, v) });
    return { sl, cb, wrap: h("div", { class: "attn-row" }, [sl.wrap, cb.wrap]) };
  });
  const st = slider({ label: "temperature", name: "temperature", min: -1.5, max: 1.5, step: 0.01,
    value: ctx.get("temperature"), toValue: (p) => 10 ** p, fromValue: (t) => Math.log10(t),
    format: (t) => fmt(t, 3), onInput: (t) => ctx.set("temperature", t) });
  const barBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, [st.wrap]));
  root.appendChild(h("div", { class: "attn-row" }, [
    h("div", {}, rows.map((r) => r.wrap)), barBox]));
  root.appendChild(summary);
  return {
    sync() {
      const x = ctx.get("logits");
      const m = ctx.get("mask");
      rows.forEach((r, i) => { r.sl.set(x[i]); r.cb.set(m[i]); });
      st.set(ctx.get("temperature"));
    },
    draw() {
      const x = ctx.get("logits");
      const m = ctx.get("mask");
      const T = ctx.get("temperature");
      const weights = M.softmax(x, T, m);
      const H = M.entropy(weights);
      const kept = m.filter(Boolean).length;
      barBox.replaceChildren(bars(weights, labels, { max: 1, title: "softmax weights" }));
      summary.textContent = `temperature ${fmt(T)}: entropy ${fmt(H)} nats ` +
        `(uniform over the ${kept} kept entries: ${fmt(M.maxEntropy(kept))})`;
      return { weights, entropy: H };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "softmax", build: buildSoftmaxLab });
  },
};
