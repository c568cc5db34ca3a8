// positions.js — score vs offset (chapter 14).
// M.offsetProfile ↔ attn_course.experiments.positions.offset_profile: sinusoidal mean_i cos(ω_i Δ); RoPE
// Σ_i |c_i|² cos(ω_i Δ) / Σ_i |c_i|²; ALiBi −slope_h·|Δ| (M.alibiSlopes ↔ alibi_slopes).
import * as M from "./math/index.js";
import { COLORS, checkbox, fmt, h, mount, s, select, slider } from "./ui.js";

function buildPositions(ctx) {
  const maxOff = ctx.get("max_offset");
  const sm = select({ label: "method", name: "method", value: ctx.get("method"),
    options: [["sinusoidal", "sinusoidal"], ["rope", "RoPE"], ["alibi", "ALiBi"]],
    onChange: (v) => ctx.set("method", v) });
  const sd = slider({ label: "d_model", name: "d_model", min: 2, max: 256, step: 2,
    value: ctx.get("d_model"), format: (v) => String(v), onInput: (v) => ctx.set("d_model", v) });
  const so = slider({ label: "offset Δ", name: "offset", min: -maxOff, max: maxOff, step: 1,
    value: ctx.get("offset"), format: (v) => String(v), onInput: (v) => ctx.set("offset", v) });
  const cr = checkbox({ label: "RoPE: random content", name: "random_content",
    checked: ctx.get("random_content"), onChange: (v) => ctx.set("random_content", v) });
  const sh = slider({ label: "ALiBi head", name: "head", min: 0, max: ctx.get("n_heads") - 1,
    step: 1, value: ctx.get("head"), format: (v) => String(v), onInput: (v) => ctx.set("head", v) });
  const plot = h("div", { class: "attn-plot" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  ctx.root.appendChild(h("div", { class: "attn-row" }, [sm.wrap, sd.wrap, so.wrap]));
  ctx.root.appendChild(h("div", { class: "attn-row" }, [cr.wrap, sh.wrap]));
  ctx.root.appendChild(plot);
  ctx.root.appendChild(summary);

  function draw(offsets, prof, offset, score) {
    const W = 460, H = 220, L = 46, R = 10, T = 10, B = 30;
    let lo = M.min(prof), hi = M.max(prof);
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const X = (o) => L + ((o - offsets[0]) / (offsets[offsets.length - 1] - offsets[0])) * (W - L - R);
    const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
      "aria-label": "score between two positions against their offset" });
    svg.appendChild(s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "currentColor", "stroke-opacity": 0.4 }));
    svg.appendChild(s("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "currentColor", "stroke-opacity": 0.4 }));
    const d = prof.map((v, i) => `${i ? "L" : "M"}${X(offsets[i]).toFixed(1)},${Y(v).toFixed(1)}`).join("");
    svg.appendChild(s("path", { d, fill: "none", stroke: COLORS.blue, "stroke-width": 2 }));
    svg.appendChild(s("circle", { cx: X(offset), cy: Y(score), r: 5, fill: COLORS.vermillion }));
    [[lo, H - B], [hi, T + 8]].forEach(([v, y]) => {
      const t = s("text", { x: L - 4, y, "text-anchor": "end" });
      t.textContent = fmt(v, 2);
      svg.appendChild(t);
    });
    [[offsets[0], "start"], [0, "middle"], [offsets[offsets.length - 1], "end"]].forEach(([o, a]) => {
      const t = s("text", { x: X(o), y: H - 10, "text-anchor": a });
      t.textContent = `Δ = ${o}`;
      svg.appendChild(t);
    });
    plot.replaceChildren(svg);
  }

  return {
    sync() {
      sm.set(ctx.get("method")); sd.set(ctx.get("d_model")); so.set(ctx.get("offset"));
      cr.set(ctx.get("random_content")); sh.set(ctx.get("head"));
    },
    draw() {
      const method = ctx.get("method"), dm = ctx.get("d_model"), offset = ctx.get("offset");
      const nHeads = ctx.get("n_heads"), head = ctx.get("head");
      const offsets = Array.from({ length: 2 * maxOff + 1 }, (_, i) => i - maxOff);
      const content = ctx.get("random_content") ? M.normals(M.mulberry32(ctx.get("seed")), dm) : null;
      const prof = M.offsetProfile(method, offsets, { dModel: dm, base: ctx.get("base"), content,
        nHeads, head });
      const score = prof[offset + maxOff];
      cr.input.disabled = method !== "rope";
      sh.input.disabled = method !== "alibi";
      draw(offsets, prof, offset, score);
      const name = { sinusoidal: "sinusoidal", rope: "RoPE", alibi: "ALiBi" }[method];
      summary.textContent = `${name}, d_model = ${dm}: score ${fmt(score, 3)} at offset Δ = ${offset}` +
        (method === "alibi" ? ` (head ${head}, slope ${fmt(M.alibiSlopes(nHeads)[head], 4)})` : "");
      return { profile: prof, score };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "positions", build: buildPositions });
  },
};
