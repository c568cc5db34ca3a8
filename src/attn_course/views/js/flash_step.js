// flash_step.js — the flash stepper (chapter 13): one query block, one key tile at a time.
// Every number from M.flashBlockTrace (↔ attn_course.experiments.flash_trace.flash_block_trace)
// and the tile map from M.tileGrid (↔ attn_course.experiments.efficient.tile_grid).
import * as M from "./math/index.js";
import { COLORS, bars, checkbox, fmt, h, mount, s, slider } from "./ui.js";

function buildFlashStep(ctx) {
  const BLOCKS = [4, 8, 16];
  const n = () => ctx.get("q").length;
  const nBlocks = () => Math.ceil(n() / ctx.get("block"));
  const sb = slider({ label: "tile size b", name: "block", min: 0, max: BLOCKS.length - 1, step: 1,
    value: ctx.get("block"), toValue: (p) => BLOCKS[p], fromValue: (b) => BLOCKS.indexOf(b),
    format: (v) => `${v} × ${v}`, onInput: (v) => ctx.set("block", v) });
  const sq = slider({ label: "query block", name: "query_block", min: 0, max: nBlocks() - 1, step: 1,
    value: ctx.get("query_block"), format: (v) => `Q${v}`, onInput: (v) => ctx.set("query_block", v) });
  const st = slider({ label: "key tiles folded in", name: "step", min: 0, max: nBlocks() - 1, step: 1,
    value: ctx.get("step"), format: (v) => `${v + 1} (up to K${v})`, onInput: (v) => ctx.set("step", v) });
  const sr = slider({ label: "row of the block", name: "row", min: 0, max: ctx.get("block") - 1, step: 1,
    value: ctx.get("row"), format: (v) => String(v), onInput: (v) => ctx.set("row", v) });
  const cc = checkbox({ label: "causal mask", name: "causal", checked: ctx.get("causal"),
    onChange: (v) => ctx.set("causal", v) });
  const map = h("div", { class: "attn-scroll" });
  const table = h("table", { class: "attn-values" });
  const outBars = h("div", { class: "attn-row" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [sb.wrap, cc.wrap]),
    h("div", { class: "attn-row" }, [sq.wrap, st.wrap, sr.wrap]),
    h("div", { class: "attn-row" }, [map, h("div", { class: "attn-scroll" }, [table])]),
    outBars, summary);

  return {
    sync() {
      sb.set(ctx.get("block")); sq.set(ctx.get("query_block")); st.set(ctx.get("step"));
      sr.set(ctx.get("row")); cc.set(ctx.get("causal"));
    },
    reset() {},
    draw() {
      const q = ctx.get("q"), k = ctx.get("k"), v = ctx.get("v");
      const block = ctx.get("block"), causal = ctx.get("causal");
      const T = nBlocks();
      const qb = Math.min(ctx.get("query_block"), T - 1);
      const tr = M.flashBlockTrace(q, k, v, block, qb, causal);
      const [i0, i1] = tr.rows;
      const step = Math.min(ctx.get("step"), tr.tiles.length - 1);
      const row = Math.min(ctx.get("row"), i1 - i0 - 1);
      sq.input.max = String(T - 1); sq.input.disabled = T < 2; sq.set(qb);
      st.input.max = String(tr.tiles.length - 1); st.input.disabled = tr.tiles.length < 2; st.set(step);
      sr.input.max = String(i1 - i0 - 1); sr.set(row);

      // the tile map: query blocks down, key blocks across
      const grid = M.tileGrid(n(), block, causal, null);
      const c = Math.max(12, Math.min(36, Math.floor(260 / T)));
      const left = 30, top = 16;
      const svg = s("svg", { width: left + T * c + 4, height: top + T * c + 4, role: "img",
        "aria-label": `map of ${T} × ${T} tiles: query block Q${qb} has folded in key tiles K0 to ` +
          `K${step} of ${tr.tiles.length}; ${tr.skipped} skipped by the causal mask` });
      const label = (x, y, text) => {
        const t = s("text", { x, y, "text-anchor": "middle", "font-size": 10 });
        t.textContent = text;
        svg.appendChild(t);
      };
      for (let b = 0; b < T; b++) label(left + b * c + c / 2, 11, `K${b}`);
      grid.forEach((cells, a) => {
        label(left / 2, top + a * c + c * 0.65, `Q${a}`);
        cells.forEach((code, b) => {
          const mine = a === qb;
          const done = mine && b <= step && code <= 1;
          const fill = code >= 2 ? "#eeeeee" : done ? COLORS.blue : mine ? COLORS.sky : "#d8d8d8";
          const rect = s("rect", { x: left + b * c + 1, y: top + a * c + 1, width: c - 2, height: c - 2,
            fill, opacity: mine ? 1 : 0.55 });
          if (mine && b === step) {
            rect.setAttribute("stroke", "currentColor"); rect.setAttribute("stroke-width", 3);
          }
          svg.appendChild(rect);
        });
      });
      map.replaceChildren(svg, h("div", { class: "attn-legend", text:
        "dark: folded in so far · light: still to come · grey: skipped (causal) · outlined: this tile" }));

      // the followed row's running state after each tile
      const head = h("tr", {}, ["tile", "keys", "m", "exp(m_old − m)", "ℓ", "acc"].map(
        (x) => h("th", { text: x })));
      const rows = [];
      for (let t = 0; t <= step; t++) {
        const [j0, j1] = tr.tiles[t];
        rows.push(h("tr", {}, [`K${t}`, `${j0}–${j1 - 1}`, fmt(tr.m[t][row], 3), fmt(tr.rescale[t][row], 3),
          fmt(tr.l[t][row], 3), `(${tr.acc[t][row].map((x) => fmt(x, 2)).join(", ")})`].map(
          (x) => h("td", { text: x }))));
      }
      table.replaceChildren(h("caption", { text: `query ${i0 + row} (row ${row} of block Q${qb})` }),
        head, ...rows);

      const out = tr.out[step][row], exact = tr.exact[row];
      const labels = out.map((_, i) => `dim ${i}`);
      const lim = Math.max(1e-9, ...out.map(Math.abs), ...exact.map(Math.abs));
      outBars.replaceChildren(
        bars(out, labels, { width: 240, signed: true, max: lim, title: `acc / ℓ after K${step}` }),
        bars(exact, labels, { width: 240, signed: true, max: lim, title: "plain attention row",
          color: COLORS.green }));
      const last = step === tr.tiles.length - 1;
      summary.textContent = `Block Q${qb} (queries ${i0}–${i1 - 1}) after ${step + 1} of ` +
        `${tr.tiles.length} key tiles: the running output is ${tr.error[step].toExponential(1)} ` +
        `from plain attention` + (last ? " — every key seen, the block is exact." : ".") +
        ` Query ${i0 + row}: m = ${fmt(tr.m[step][row], 3)}, rescale ${fmt(tr.rescale[step][row], 3)}, ` +
        `ℓ = ${fmt(tr.l[step][row], 3)}.`;
      return { rows: tr.rows, tiles: tr.tiles, skipped: tr.skipped, query_block: qb, step, row,
        m: tr.m[step], l: tr.l[step], rescale: tr.rescale[step], acc: tr.acc[step], out: tr.out[step],
        exact: tr.exact, error: tr.error[step],
        row_m: tr.m.slice(0, step + 1).map((x) => x[row]),
        row_l: tr.l.slice(0, step + 1).map((x) => x[row]),
        row_rescale: tr.rescale.slice(0, step + 1).map((x) => x[row]) };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "flash_step", build: buildFlashStep });
  },
};
