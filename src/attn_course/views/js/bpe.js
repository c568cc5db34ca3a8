// bpe.js — byte-pair encoding, merge by merge (chapter 15).
// M.bpeEncode ↔ attn_course.data.bpe.BPETokenizer(merges[:n]).encode; M.bpeTokens ↔ its
// token_bytes(i).decode(). The tokens are drawn in two alternating shades.
import * as M from "./math/index.js";
import { fmt, h, mount, select, slider } from "./ui.js";

function buildBpe(ctx) {
  const merges = ctx.get("merges");
  const texts = ctx.get("texts");
  const sm = slider({ label: "merges used", name: "n_merges", min: 0, max: merges.length, step: 1,
    value: ctx.get("n_merges"), format: (v) => `${v} (vocabulary ${256 + v})`,
    onInput: (v) => ctx.set("n_merges", v) });
  const st = select({ label: "sentence", name: "text", value: ctx.get("text"),
    options: texts.map((t, i) => [String(i), `${i + 1}: ${t.slice(0, 32)}…`]),
    onChange: (v) => ctx.set("text", Number(v)) });
  const tokens = h("div", { class: "attn-bpe-tokens",
    style: "font: 14px/2 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all;" +
      "max-width: 100%; margin: .3rem 0;" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [sm.wrap, st.wrap]), tokens, summary);

  return {
    sync() {
      sm.set(ctx.get("n_merges"));
      st.set(ctx.get("text"));
    },
    draw() {
      const n = ctx.get("n_merges");
      const sentence = texts[ctx.get("text")];
      const ids = M.bpeEncode(sentence, merges, n);
      const shown = M.bpeTokens(ids, merges);
      tokens.replaceChildren(...shown.map((t, i) => h("span", {
        text: t.replace(/ /g, "\u2423").replace(/\n/g, "\u21b5"), title: `id ${ids[i]}`,
        style: `background: ${i % 2 ? "#dbe9f6" : "#fde7c8"}; color: #000; padding: 0 1px;` })));
      const perChar = ids.length / sentence.length;
      summary.textContent = `${sentence.length} characters → ${ids.length} tokens with ${n} merges: ` +
        `${fmt(perChar, 3)} tokens per character, so ${fmt(1 / perChar, 2)}× fewer positions, ` +
        `cache entries and attention-row entries than one token per character.`;
      return { ids, n_tokens: ids.length, n_chars: sentence.length, tokens_per_char: perChar };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "bpe", build: buildBpe });
  },
};
