// token_row.js — the token-row view (chapter 6).
// Q = X W_q, K = X W_k, V = X W_v; the chosen token's row of M.attention(Q, K, V, causal mask?)
// (↔ attn_course.scaled_dot_product_attention).
import * as M from "./math/index.js";
import { bars, checkbox, choices, fmt, h, mount } from "./ui.js";

function buildTokenRow(ctx) {
  const root = ctx.root;
  let tokens, Q, K, V;
  const load = () => {
    tokens = ctx.get("tokens");
    const X = ctx.get("X");
    Q = M.matmul(X, ctx.get("W_q"));
    K = M.matmul(X, ctx.get("W_k"));
    V = M.matmul(X, ctx.get("W_v"));
  };
  load();
  const picker = choices({ label: "query token", name: "token", items: tokens,
    value: ctx.get("selected"), onChange: (i) => ctx.set("selected", i) });
  const cb = checkbox({ label: "causal mask", name: "causal", checked: ctx.get("causal"),
    onChange: (v) => ctx.set("causal", v) });
  const wBox = h("div", { class: "attn-bars" });
  const oBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(picker.wrap);
  root.appendChild(h("div", { class: "attn-row" }, [cb.wrap]));
  const table = h("table", { class: "attn-values" });
  root.appendChild(h("div", { class: "attn-row" }, [wBox, oBox]));
  root.appendChild(h("details", {}, [h("summary", { text: "the value vectors and their weights" }),
    h("div", { class: "attn-scroll" }, [table])]));
  root.appendChild(summary);
  return {
    reset() { load(); picker.reset(tokens); },
    sync() { cb.set(ctx.get("causal")); picker.set(ctx.get("selected")); },
    draw() {
      const i = ctx.get("selected");
      const n = tokens.length;
      const mask = ctx.get("causal") ? [M.causalMask(n, n)[i]] : null;
      const { out, weights } = M.attention([Q[i]], K, V, mask);
      const w = weights[0];
      const o = out[0];
      picker.set(i);
      wBox.replaceChildren(bars(w, tokens, { max: 1, highlight: i, title: `weights of '${tokens[i]}'` }));
      oBox.replaceChildren(bars(o, o.map((_, j) => `dim ${j + 1}`), { signed: true,
        title: "output: Σ weight × value" }));
      const head = h("tr", {}, [h("th", { text: "token" }), h("th", { text: "weight" }),
        ...o.map((_, j) => h("th", { text: `v dim ${j + 1}` }))]);
      // A blue tint as strong as the weight (text contrast kept: at most 30% opacity).
      const rows = tokens.map((t, j) => h("tr", { style: `background: rgba(0, 114, 178, ${fmt(0.3 * w[j], 3)})` }, [
        h("td", { text: t }), h("td", { text: fmt(w[j]) }),
        ...Array.from(V[j], (x) => h("td", { text: fmt(x, 2) }))]));
      const total = h("tr", {}, [h("th", { text: "Σ weight × v" }), h("td", { text: "" }),
        ...o.map((x) => h("th", { text: fmt(x, 2) }))]);
      table.replaceChildren(head, ...rows, total);
      table.setAttribute("aria-label", `value vectors (${o.length} dims) and their weights`);
      const best = M.argmax(w);
      summary.textContent = `'${tokens[i]}' attends most to '${tokens[best]}' (${fmt(w[best])})`;
      return { weights: w, output: o };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "token_row", build: buildTokenRow });
  },
};
