// ui.js — the shared UI runtime of the views (concatenated after attn_math.js).
//
// AttnUI.mount(model, el, spec) builds a view and keeps it in step with its model:
//   spec.name           the view's name, written to data-view on the root element;
//   spec.build(ctx)     creates the controls and returns {draw(): readout};
//   ctx.root            the root element (class "attn-view");
//   ctx.get(name)       a trait's value;  ctx.set(name, value) sets it and saves it
//                       (with a kernel, Python sees the change), which redraws.
// After every redraw the root element carries the DOM readout the browser tests read:
//   data-params   JSON of the parameter traits (what the reader set),
//   data-readout  JSON of the numbers the view displays (weights, entropy, …).
// data-state (JSON of the data traits) is written when the data change.
const AttnUI = (() => {
  "use strict";
  const SVG_NS = "http://www.w3.org/2000/svg";
  // Okabe–Ito, as attn_course.plots.style.COLORS.
  const COLORS = {
    blue: "#0072B2", orange: "#E69F00", green: "#009E73", vermillion: "#D55E00",
    purple: "#CC79A7", sky: "#56B4E9", yellow: "#F0E442", black: "#000000",
  };
  // viridis (attn_course.plots.style.CMAP), 9 stops, linear interpolation.
  const VIRIDIS = [
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
  ];
  const CSS = `
.attn-view { font: 14px/1.4 system-ui, sans-serif; color: inherit; max-width: 100%;
  border: 1px solid rgba(128,128,128,.35); border-radius: 6px; padding: .6rem .8rem; margin: .4rem 0; }
.attn-view .attn-title { font-weight: 600; margin-bottom: .3rem; }
.attn-view .attn-row { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; margin: .25rem 0; }
.attn-view .attn-control { display: inline-flex; align-items: center; gap: .4rem; }
.attn-view .attn-control input[type=range] { width: 9rem; }
.attn-view output { font-variant-numeric: tabular-nums; min-width: 3.5em; display: inline-block; }
.attn-view svg, .attn-view canvas { display: block; max-width: 100%; height: auto; }
.attn-view svg text { font: 11px system-ui, sans-serif; fill: currentColor; }
.attn-view .attn-summary { font-variant-numeric: tabular-nums; }
.attn-view button.attn-token { font: inherit; padding: .1rem .45rem; border: 1px solid rgba(128,128,128,.6);
  border-radius: 4px; background: transparent; color: inherit; cursor: pointer; }
.attn-view button.attn-token[aria-pressed=true] { background: ${COLORS.blue}; color: white; border-color: ${COLORS.blue}; }
.attn-view :focus-visible { outline: 2px solid ${COLORS.orange}; outline-offset: 2px; }
.attn-view table.attn-values { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12px; }
.attn-view table.attn-values td, .attn-view table.attn-values th { padding: .1rem .5rem; text-align: right; }
.attn-view details summary { cursor: pointer; margin: .3rem 0; }
.attn-view .attn-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
  let uid = 0;

  function ensureStyle() {
    if (document.getElementById("attn-view-style")) return;
    const s = document.createElement("style");
    s.id = "attn-view-style";
    s.textContent = CSS;
    document.head.appendChild(s);
  }

  function h(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of [].concat(children)) if (c) node.appendChild(c);
    return node;
  }

  function s(tag, attrs = {}) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function fmt(x, digits = 3) {
    return Number.isFinite(x) ? x.toFixed(digits) : String(x);
  }

  function nextId(prefix) {
    uid += 1;
    return `attn-${prefix}-${uid}-${Math.random().toString(36).slice(2, 7)}`;
  }

  /** A labelled native range slider with an <output>; onInput(value) on every move.
   *  `toValue`/`fromValue` map slider positions to values (e.g. a log scale). */
  function slider({ label, name, min, max, step, value, onInput, format = (v) => fmt(v, 2),
    toValue = (p) => p, fromValue = (v) => v }) {
    const id = nextId("slider");
    const input = h("input", { type: "range", id, min, max, step, "data-control": name,
      "aria-label": label });
    input.value = String(fromValue(value));
    const out = h("output", { for: id, "aria-live": "off", text: format(value) });
    const wrap = h("span", { class: "attn-control" }, [h("label", { for: id, text: label }), input, out]);
    input.addEventListener("input", () => {
      const v = toValue(Number(input.value));
      out.textContent = format(v);
      onInput(v);
    });
    return {
      wrap, input,
      set(v) { input.value = String(fromValue(v)); out.textContent = format(v); },
    };
  }

  function checkbox({ label, name, checked, onChange }) {
    const id = nextId("check");
    const input = h("input", { type: "checkbox", id, "data-control": name });
    input.checked = !!checked;
    input.addEventListener("change", () => onChange(input.checked));
    const wrap = h("span", { class: "attn-control" }, [input, h("label", { for: id, text: label })]);
    return { wrap, input, set(v) { input.checked = !!v; } };
  }

  function select({ label, name, options, value, onChange }) {
    const id = nextId("select");
    const input = h("select", { id, "data-control": name },
      options.map(([v, text]) => h("option", { value: v, text })));
    input.value = String(value);
    input.addEventListener("change", () => onChange(input.value));
    const wrap = h("span", { class: "attn-control" }, [h("label", { for: id, text: label }), input]);
    return { wrap, input, set(v) { input.value = String(v); } };
  }

  /** Horizontal SVG bar chart of non-negative values (weights) with labels. */
  function bars(values, labels, { width = 320, barH = 16, max = null, highlight = -1,
    title = "", color = COLORS.blue, signed = false } = {}) {
    const n = values.length;
    const labelW = 70;
    const numW = 52;
    const top = title ? 18 : 4;
    const height = top + n * barH + 4;
    const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-label": title || "bar chart" });
    if (title) {
      const t = s("text", { x: 0, y: 12, "font-weight": 600 });
      t.textContent = title;
      svg.appendChild(t);
    }
    const span = width - labelW - numW;
    const m = max ?? Math.max(1e-12, ...values.map(Math.abs));
    const zeroX = signed ? labelW + span / 2 : labelW;
    const scale = signed ? span / 2 / m : span / m;
    values.forEach((v, i) => {
      const y = top + i * barH;
      const lab = s("text", { x: labelW - 6, y: y + barH * 0.72, "text-anchor": "end" });
      lab.textContent = labels ? labels[i] : String(i);
      svg.appendChild(lab);
      const w = Math.abs(v) * scale;
      svg.appendChild(s("rect", { x: v >= 0 ? zeroX : zeroX - w, y: y + 2, width: Math.max(0, w),
        height: barH - 4, fill: i === highlight ? COLORS.orange : (v < 0 ? COLORS.vermillion : color) }));
      const num = s("text", { x: width - 2, y: y + barH * 0.72, "text-anchor": "end" });
      num.textContent = fmt(v, 3);
      svg.appendChild(num);
    });
    if (signed) svg.appendChild(s("line", { x1: zeroX, x2: zeroX, y1: top, y2: height - 4,
      stroke: "currentColor", "stroke-width": 0.5 }));
    return svg;
  }

  /** viridis colour of t in [0, 1] as [r, g, b]. */
  function viridis(t) {
    const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
    const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
    const f = x - i;
    const a = VIRIDIS[i];
    const b = VIRIDIS[i + 1];
    return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c])));
  }

  /** Mount a view: build it, draw it, and redraw on every change of a listed trait. */
  function mount(model, el, spec) {
    ensureStyle();
    const root = h("div", { class: "attn-view", "data-view": spec.name, role: "group",
      "aria-label": model.get("title") || spec.name });
    el.appendChild(root);
    const params = model.get("_param_names") || [];
    const data = model.get("_data_names") || [];
    const ctx = {
      root,
      model,
      get: (name) => model.get(name),
      set(name, value) {
        model.set(name, value);
        model.save_changes();
      },
    };
    if (model.get("title")) root.appendChild(h("div", { class: "attn-title", text: model.get("title") }));
    const writeState = () => {
      const st = {};
      for (const k of data) st[k] = model.get(k);
      root.dataset.state = JSON.stringify(st);
    };
    writeState();
    const view = spec.build(ctx);
    const redraw = () => {
      const readout = view.draw();
      const p = {};
      for (const k of params) p[k] = model.get(k);
      root.dataset.params = JSON.stringify(p);
      root.dataset.readout = JSON.stringify(readout);
    };
    redraw();
    const onParam = () => {
      if (view.sync) view.sync();
      redraw();
    };
    const onData = () => {
      writeState();
      if (view.reset) view.reset();
      redraw();
    };
    for (const k of params) model.on(`change:${k}`, onParam);
    for (const k of data) model.on(`change:${k}`, onData);
    return () => {
      for (const k of params) model.off(`change:${k}`, onParam);
      for (const k of data) model.off(`change:${k}`, onData);
    };
  }

  return { COLORS, bars, checkbox, fmt, h, mount, nextId, s, select, slider, viridis };
})();
