// generation.js — step through a shipped generation (chapter 15).
// M.nextTokenProbs ↔ attn_course.core.sampling.next_token_probs (temperature 0 = greedy,
// top-k 0 = off, top-p 1 = off); M.entropy ↔ attn_course.entropy; M.argmax ↔ numpy.argmax.
// The context is shaded by the chosen head's attention row (shipped, 1/510 precision).
import * as M from "./math/index.js";
import { COLORS, bars, contrastText, fmt, h, mount, slider, viridis } from "./ui.js";

function buildGeneration(ctx) {
  const [S, L, H, N] = ctx.get("attention_shape");
  const K = ctx.get("top_ids")[0].length;
  const labels = ctx.get("labels");
  const quote = (id) => `“${labels[id]}”`;
  const ss = slider({ label: "step", name: "step", min: 0, max: S - 1, step: 1,
    value: ctx.get("step"), format: (v) => `${v + 1} of ${S}`, onInput: (v) => ctx.set("step", v) });
  const st = slider({ label: "temperature", name: "temperature", min: 0, max: 2, step: 0.05,
    value: ctx.get("temperature"), format: (t) => (t === 0 ? "0 (greedy)" : fmt(t, 2)),
    onInput: (t) => ctx.set("temperature", t) });
  const sk = slider({ label: "top-k", name: "top_k", min: 0, max: K, step: 1,
    value: ctx.get("top_k"), format: (k) => (k === 0 ? "off" : String(k)),
    onInput: (k) => ctx.set("top_k", k) });
  const sp = slider({ label: "top-p", name: "top_p", min: 0.05, max: 1, step: 0.05,
    value: ctx.get("top_p"), format: (p) => (p >= 1 ? "off" : fmt(p, 2)),
    onInput: (p) => ctx.set("top_p", p) });
  const sl = slider({ label: "layer", name: "layer", min: 0, max: L - 1, step: 1,
    value: ctx.get("layer"), format: (v) => String(v + 1), onInput: (v) => ctx.set("layer", v) });
  const sh = slider({ label: "head", name: "head", min: 0, max: H - 1, step: 1,
    value: ctx.get("head"), format: (v) => String(v + 1), onInput: (v) => ctx.set("head", v) });
  const text = h("div", { class: "attn-gen-text", role: "img",
    style: "font: 14px/1.9 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all;" +
      "max-width: 100%; margin: .3rem 0;" });
  const plot = h("div", { class: "attn-plot" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [ss.wrap]),
    h("div", { class: "attn-row" }, [st.wrap, sk.wrap, sp.wrap]),
    h("div", { class: "attn-row" }, [h("span", { text: "attention row of" }), sl.wrap, sh.wrap]),
    text, plot, summary);

  return {
    sync() {
      ss.set(ctx.get("step")); st.set(ctx.get("temperature")); sk.set(ctx.get("top_k"));
      sp.set(ctx.get("top_p")); sl.set(ctx.get("layer")); sh.set(ctx.get("head"));
    },
    draw() {
      const step = ctx.get("step"), layer = ctx.get("layer"), head = ctx.get("head");
      const P = ctx.get("prompt_len"), ids = ctx.get("ids");
      const topK = ctx.get("top_k"), topP = ctx.get("top_p");
      const z = ctx.get("top_logits")[step], top = ctx.get("top_ids")[step];
      const probs = M.nextTokenProbs(z, ctx.get("temperature"), topK === 0 ? null : topK,
        topP >= 1 ? null : topP);
      const n = P + step;  // keys in the cache: positions 0 … P − 1 + step
      const flat = ctx.get("attention");
      const at = ((step * L + layer) * H + head) * N;
      const row = Array.from(flat.subarray(at, at + n));
      const peak = M.max(row);
      const chosen = ids[P + step];
      const ci = top.indexOf(chosen);
      const greedy = top[M.argmax(z)];
      // the context, each character shaded by the weight the query gives it
      const spans = row.map((w, j) => {
        const rgb = viridis(peak > 0 ? w / peak : 0);
        return h("span", { title: `position ${j}: weight ${fmt(w, 3)}`,
          style: `background: rgb(${rgb.join(",")}); color: ${contrastText(rgb)};` +
            (j === n - 1 ? `outline: 2px solid ${COLORS.vermillion};` : "") +
            (j < P ? "" : "font-style: italic;"),
          text: labels[ids[j]] });
      });
      spans.push(h("span", { style: `border-bottom: 3px solid ${COLORS.orange}; font-weight: 700;`,
        title: "the token the generation took at this step", text: labels[chosen] }));
      text.replaceChildren(...spans);
      const order = row.map((w, j) => [w, j]).sort((a, b) => b[0] - a[0]).slice(0, 3);
      text.setAttribute("aria-label", `context of ${n} positions; the query at position ${n - 1} ` +
        `attends most to ${order.map(([w, j]) => `${quote(ids[j])} at ${j} (${fmt(w, 2)})`).join(", ")}`);
      const shown = Math.min(12, K);
      plot.replaceChildren(bars(probs.slice(0, shown), top.slice(0, shown).map(quote),
        { max: 1, highlight: ci < shown ? ci : -1,
          title: `next token, step ${step + 1}: the ${shown} most likely of ${K} shipped` }));
      const kept = probs.filter((p) => p > 0).length;
      const entropy = M.entropy(probs);
      const chosenP = ci >= 0 ? probs[ci] : 0;
      const tail = ctx.get("tail")[step];
      summary.textContent = `Greedy pick: ${quote(greedy)}. The generation (sampled at ` +
        `T = ${fmt(ctx.get("gen_temperature"), 2)}) took ${quote(chosen)}: ` +
        (chosenP > 0 ? `probability ${fmt(chosenP, 3)} under these settings. `
          : "impossible under these settings. ") +
        `${kept} of ${K} tokens kept, entropy ${fmt(entropy, 3)} nats. ` +
        `The tokens not shipped hold ${fmt(100 * tail, 2)}% of the mass at T = 1.`;
      return { probs, kept, entropy, greedy, chosen, chosen_p: chosenP, attention: row,
        attention_argmax: M.argmax(row) };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "generation", build: buildGeneration });
  },
};
