// softmax_lab.js — the softmax lab (chapter 5).
// weights = softmax(logits / T) over the kept entries (mask: true = keep), entropy in nats
// (M.softmax ↔ attn_course.softmax, M.entropy ↔ attn_course.entropy); the online softmax's
// running (m, ℓ) after each block of the kept logits / T (M.onlineSoftmaxTrace ↔
// attn_course.core.online_softmax.online_softmax_trace).
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
  // "+1 to all" / "−1 to all": shift every logit by the same amount (shift invariance:
  // the weights do not move); a button is disabled when the shift would leave the sliders' range.
  const shifts = [[1, "+1 to all logits", "shift-up"], [-1, "−1 to all logits", "shift-down"]].map(
    ([c, text, name]) => {
      const b = h("button", { type: "button", class: "attn-choice", "data-control": name, text,
        "data-lm-suppress-shortcuts": "true" });  // JupyterLab leaves its keys alone
      b.addEventListener("click", () => {
        const x = ctx.get("logits");
        if (x.every((v) => v + c >= lo && v + c <= hi)) ctx.set("logits", x.map((v) => v + c));
      });
      return [c, b];
    });
  const syncShifts = () => {
    const x = ctx.get("logits");
    shifts.forEach(([c, b]) => { b.disabled = !x.every((v) => v + c >= lo && v + c <= hi); });
  };
  syncShifts();
  const blk = slider({ label: "online softmax: block size", name: "block", min: 1, max: labels.length,
    step: 1, value: ctx.get("block"), format: (v) => String(v), onInput: (v) => ctx.set("block", v) });
  const steps = h("ol", { class: "attn-steps", "aria-label": "online softmax, block by block" });
  const barBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, [st.wrap, ...shifts.map(([, b]) => b)]));
  root.appendChild(h("div", { class: "attn-row" }, [
    h("div", {}, rows.map((r) => r.wrap)), barBox]));
  root.appendChild(summary);
  root.appendChild(h("div", { class: "attn-row" }, [blk.wrap]));
  root.appendChild(steps);
  return {
    sync() {
      const x = ctx.get("logits");
      const m = ctx.get("mask");
      rows.forEach((r, i) => { r.sl.set(x[i]); r.cb.set(m[i]); });
      st.set(ctx.get("temperature"));
      blk.set(ctx.get("block"));
      syncShifts();
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
      const keptLogits = x.filter((_, i) => m[i]).map((v) => v / T);
      const tr = M.onlineSoftmaxTrace(keptLogits, ctx.get("block"));
      steps.replaceChildren(...tr.m.map((mj, j) => h("li", { text:
        `after entries 1–${tr.end[j]}: m = ${fmt(mj)}, ℓ = ${fmt(tr.l[j])}` +
        (j > 0 && tr.rescale[j] < 1 ? ` (new maximum: old ℓ × ${fmt(tr.rescale[j])})` : "") })));
      return { weights, entropy: H, online_m: tr.m, online_l: tr.l };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "softmax", build: buildSoftmaxLab });
  },
};
