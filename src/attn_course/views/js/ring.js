// ring.js — the ring stepper (chapter 17).
// Who holds which key/value block at each step (M.ringSchedule, M.ringLayout ↔
// attn_course.layers.ring.ring_schedule / ring_layout), and one query row's running maximum,
// sum and output after each step (M.ringRowTrace ↔ attn_course.experiments.ring.ring_row_trace).
import * as M from "./math/index.js";
import { COLORS, bars, checkbox, contrastText, fmt, h, mount, s, slider } from "./ui.js";

const PALETTE = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.vermillion, COLORS.purple,
  COLORS.sky, COLORS.yellow, "#999999"];
const RGB = PALETTE.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));

function buildRing(ctx) {
  const n = () => ctx.get("q").length;
  const maxP = () => Math.min(8, Math.floor(n() / 2));
  const sp = slider({ label: "processes P", name: "world_size", min: 1, max: maxP(), step: 1,
    value: ctx.get("world_size"), format: (v) => String(v), onInput: (v) => ctx.set("world_size", v) });
  const ss = slider({ label: "step", name: "step", min: 0, max: 7, step: 1, value: ctx.get("step"),
    format: (v) => String(v), onInput: (v) => ctx.set("step", v) });
  const sq = slider({ label: "query row", name: "query", min: 0, max: n() - 1, step: 1,
    value: ctx.get("query"), format: (v) => String(v), onInput: (v) => ctx.set("query", v) });
  const cc = checkbox({ label: "causal mask", name: "causal", checked: ctx.get("causal"),
    onChange: (v) => ctx.set("causal", v) });
  const cb = checkbox({ label: "zig-zag layout", name: "balanced", checked: ctx.get("balanced"),
    onChange: (v) => ctx.set("balanced", v) });
  const grid = h("div", { class: "attn-scroll" });
  const strip = h("div", { class: "attn-scroll" });
  const table = h("table", { class: "attn-values" });
  const outBars = h("div", { class: "attn-row" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.append(h("div", { class: "attn-row" }, [sp.wrap, ss.wrap]),
    h("div", { class: "attn-row" }, [sq.wrap, cc.wrap, cb.wrap]),
    h("div", { class: "attn-row" }, [grid, h("div", { class: "attn-scroll" }, [table])]),
    strip, outBars, summary);

  const cellText = (svg, x, y, text, rgb) => {
    const t = s("text", { x, y, "text-anchor": "middle", "font-size": 11, fill: contrastText(rgb) });
    t.textContent = text;
    svg.appendChild(t);
  };

  return {
    sync() {
      sp.set(ctx.get("world_size")); ss.set(ctx.get("step")); sq.set(ctx.get("query"));
      cc.set(ctx.get("causal")); cb.set(ctx.get("balanced"));
    },
    reset() {
      sp.input.max = String(maxP());
      sq.input.max = String(n() - 1);
    },
    draw() {
      const q = ctx.get("q"), k = ctx.get("k"), v = ctx.get("v");
      const P = ctx.get("world_size"), query = ctx.get("query");
      const causal = ctx.get("causal"), balanced = ctx.get("balanced");
      const step = Math.min(ctx.get("step"), P - 1);
      ss.input.max = String(P - 1);
      ss.wrap.hidden = P < 2;
      const sched = M.ringSchedule(P);
      const layout = M.ringLayout(n(), P, balanced);
      const tr = M.ringRowTrace(q, k, v, P, query, causal, balanced);

      // the schedule: rows = steps, columns = processes, cell = the block held
      const c = 30, left = 46, top = 18;
      const g = s("svg", { width: left + P * c + 4, height: top + P * c + 4, role: "img",
        "aria-label": `ring schedule: at step ${step} process r holds the block of process (r − ${step}) mod ${P}` });
      for (let r = 0; r < P; r++) cellText(g, left + r * c + c / 2, 12, `p${r}`, [255, 255, 255]);
      sched.forEach((row, st) => {
        cellText(g, left / 2, top + st * c + c * 0.62, `s${st}`, [255, 255, 255]);
        row.forEach((src, r) => {
          const rect = s("rect", { x: left + r * c + 1, y: top + st * c + 1, width: c - 2, height: c - 2,
            fill: PALETTE[src], opacity: st <= step ? 1 : 0.25 });
          if (st === step) { rect.setAttribute("stroke", "currentColor"); rect.setAttribute("stroke-width", 2); }
          if (r === tr.rank) { rect.setAttribute("stroke", "currentColor"); rect.setAttribute("stroke-dasharray", st === step ? "" : "3 2"); }
          g.appendChild(rect);
          cellText(g, left + r * c + c / 2, top + st * c + c * 0.62, `K${src}`, st <= step ? RGB[src] : [255, 255, 255]);
        });
      });
      grid.replaceChildren(g);

      // the sequence: each position coloured by the process holding it
      const w = 18;
      const owner = new Array(n()).fill(0);
      layout.forEach((pos, r) => pos.forEach((j) => { owner[j] = r; }));
      const folded = new Set(tr.sources.slice(0, step + 1).flatMap((src) => layout[src]));
      const sv = s("svg", { width: n() * w + 4, height: 44, role: "img",
        "aria-label": `positions 0 to ${n() - 1} coloured by the process holding them; query ${query} outlined` });
      for (let j = 0; j < n(); j++) {
        const masked = causal && j > query;
        sv.appendChild(s("rect", { x: j * w + 1, y: 4, width: w - 2, height: 20, fill: PALETTE[owner[j]],
          opacity: masked ? 0.12 : folded.has(j) ? 1 : 0.35,
          stroke: j === query ? "currentColor" : "none", "stroke-width": 3 }));
        const t = s("text", { x: j * w + w / 2, y: 38, "text-anchor": "middle", "font-size": 9 });
        t.textContent = String(j);
        sv.appendChild(t);
      }
      strip.replaceChildren(h("div", { text: "keys of the sequence (solid: folded into the query's row so far; faint: masked)" }), sv);

      // the query row's running state, step by step
      const head = h("tr", {}, ["step", "block", "keys seen", "m", "ℓ", "max |out − exact|"].map(
        (x) => h("th", { text: x })));
      const rows = [];
      for (let st = 0; st <= step; st++) {
        rows.push(h("tr", {}, [String(st), `K${tr.sources[st]}`, String(tr.seen[st]), fmt(tr.m[st], 3),
          fmt(tr.l[st], 3), tr.error[st].toExponential(1)].map((x) => h("td", { text: x }))));
      }
      table.replaceChildren(head, ...rows);
      table.setAttribute("aria-label", `query ${query}'s running maximum, sum and error after each step`);

      const labels = tr.exact.map((_, i) => `dim ${i}`);
      const lim = Math.max(1e-9, ...tr.exact.map(Math.abs), ...tr.out[step].map(Math.abs));
      outBars.replaceChildren(
        bars(tr.out[step], labels, { width: 240, signed: true, max: lim, title: `output after step ${step}` }),
        bars(tr.exact, labels, { width: 240, signed: true, max: lim, title: "exact attention row",
          color: COLORS.green }));
      summary.textContent = `Query ${query} lives on process ${tr.rank}. After step ${step} it has folded in ` +
        `${step + 1} of ${P} blocks (${tr.seen[step]} visible keys); its running output is ` +
        `${tr.error[step].toExponential(1)} from the exact row` +
        (step === P - 1 ? " — every key seen, the row is exact." : ".");
      return { rank: tr.rank, step, sources: tr.sources, seen: tr.seen.slice(0, step + 1),
        m: tr.m.slice(0, step + 1), l: tr.l.slice(0, step + 1), error: tr.error.slice(0, step + 1),
        out: tr.out[step], exact: tr.exact };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "ring", build: buildRing });
  },
};
