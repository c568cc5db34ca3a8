// token_row.js — the token-row view (chapter 6). Needs attn_math.js and ui.js before it.
// Q = X W_q, K = X W_k, V = X W_v; the chosen token's row of
// AttnMath.attention(Q, K, V, causal mask?) (attn_course.scaled_dot_product_attention).
function buildTokenRow(ctx) {
  const { h, checkbox, bars, fmt } = AttnUI;
  const root = ctx.root;
  let tokens, Q, K, V;
  const load = () => {
    tokens = ctx.get("tokens");
    const X = ctx.get("X");
    Q = AttnMath.matmul(X, ctx.get("W_q"));
    K = AttnMath.matmul(X, ctx.get("W_k"));
    V = AttnMath.matmul(X, ctx.get("W_v"));
  };
  load();
  const tokenBox = h("div", { class: "attn-row", role: "group", "aria-label": "choose the query token" });
  let buttons = [];
  const makeButtons = () => {
    buttons = tokens.map((t, i) => {
      const b = h("button", { type: "button", class: "attn-token", "data-control": `token-${i}`,
        "aria-pressed": "false", text: t });
      b.addEventListener("click", () => ctx.set("selected", i));
      return b;
    });
    tokenBox.replaceChildren(h("span", { text: "query token:" }), ...buttons);
  };
  makeButtons();
  const cb = checkbox({ label: "causal mask", name: "causal", checked: ctx.get("causal"),
    onChange: (v) => ctx.set("causal", v) });
  const wBox = h("div", { class: "attn-bars" });
  const oBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(tokenBox);
  root.appendChild(h("div", { class: "attn-row" }, [cb.wrap]));
  const table = h("table", { class: "attn-values" });
  root.appendChild(h("div", { class: "attn-row" }, [wBox, oBox]));
  root.appendChild(h("details", {}, [h("summary", { text: "the value vectors and their weights" }), table]));
  root.appendChild(summary);
  return {
    reset() { load(); makeButtons(); },
    sync() { cb.set(ctx.get("causal")); },
    draw() {
      const i = ctx.get("selected");
      const n = tokens.length;
      const mask = ctx.get("causal") ? [Array.from({ length: n }, (_, j) => j <= i)] : null;
      const { out, weights } = AttnMath.attention([Q[i]], K, V, mask);
      buttons.forEach((b, j) => b.setAttribute("aria-pressed", String(j === i)));
      wBox.replaceChildren(bars(weights[0], tokens, { max: 1, highlight: i,
        title: `weights of '${tokens[i]}'` }));
      oBox.replaceChildren(bars(out[0], out[0].map((_, j) => `dim ${j + 1}`), { signed: true,
        title: "output: Σ weight × value" }));
      const dv = out[0].length;
      const head = h("tr", {}, [h("th", { text: "token" }), h("th", { text: "weight" }),
        ...out[0].map((_, j) => h("th", { text: `v dim ${j + 1}` }))]);
      const rows = tokens.map((t, j) => h("tr", { style: `opacity: ${0.35 + 0.65 * Math.min(1, weights[0][j] * 2)}` }, [
        h("td", { text: t }), h("td", { text: fmt(weights[0][j]) }),
        ...V[j].map((x) => h("td", { text: fmt(x, 2) }))]));
      const total = h("tr", {}, [h("th", { text: "Σ weight × v" }), h("td", { text: "" }),
        ...out[0].map((x) => h("th", { text: fmt(x, 2) }))]);
      table.replaceChildren(head, ...rows, total);
      table.setAttribute("aria-label", `value vectors (${dv} dims) and their weights`);
      const best = weights[0].indexOf(Math.max(...weights[0]));
      summary.textContent = `'${tokens[i]}' attends most to '${tokens[best]}' (${fmt(weights[0][best])})`;
      return { weights: weights[0], output: out[0] };
    },
  };
}

export default {
  render({ model, el }) {
    return AttnUI.mount(model, el, { name: "token_row", build: buildTokenRow });
  },
};
