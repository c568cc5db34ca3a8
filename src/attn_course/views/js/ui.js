// ui.js — the views' shared UI: labelled native controls, bar charts, colours, and mount().
//
// mount(model, el, spec) builds a view and keeps it in step with its model:
//   spec.name           the view's name, written to data-view on the root element;
//   spec.build(ctx)     creates the controls and returns {draw(): readout, sync(), reset()};
//   ctx.root            the root element (class "attn-view");
//   ctx.get(name)       a trait's value (packed arrays come back decoded, see math/packed.js);
//   ctx.set(name, v)    sets a trait and saves it (with a kernel, Python sees it), which redraws.
// After every redraw the root element carries the DOM readout the browser tests read:
//   data-params   JSON of the parameter traits (what the reader set),
//   data-readout  JSON of the numbers the view displays (weights, entropy, …).
// data-state (JSON of the data traits, as shipped) is written when the data change.
//
// Every control is native, labelled and keyboard-operable (Tab, arrow keys), and a slider
// announces what the page shows (aria-valuetext). A control with one possible value is hidden.
// The root element and every control carry data-lm-suppress-shortcuts: JupyterLab walks up
// from the focused element and leaves a key alone once it meets the attribute, so the arrow
// keys move a view's slider, not the notebook's cell selection.
import { unpack } from "./math/index.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Okabe–Ito, as attn_course.plots.style.COLORS.
export const COLORS = {
  blue: "#0072B2", orange: "#E69F00", green: "#009E73", vermillion: "#D55E00",
  purple: "#CC79A7", sky: "#56B4E9", yellow: "#F0E442", black: "#000000",
};
// viridis (attn_course.plots.style.CMAP), 9 stops, linear interpolation.
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
// The focus ring: Okabe–Ito blue (5.2:1 on white), sky blue on dark themes (pydata's
// data-theme, JupyterLab's data-jp-theme-light); WCAG asks 3:1 for a focus indicator.
const CSS = `
.attn-view { --attn-focus: ${COLORS.blue}; box-sizing: border-box; font: 14px/1.4 system-ui, sans-serif;
  color: inherit; max-width: 100%; min-width: 0; overflow-wrap: anywhere;
  border: 1px solid rgba(128,128,128,.35); border-radius: 6px; padding: .6rem .8rem; margin: .4rem 0; }
html[data-theme=dark] .attn-view, body[data-jp-theme-light=false] .attn-view { --attn-focus: ${COLORS.sky}; }
.attn-view [hidden] { display: none !important; }
.attn-view .attn-title { font-weight: 600; margin-bottom: .3rem; }
.attn-view .attn-row { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; margin: .25rem 0;
  max-width: 100%; }
.attn-view .attn-row > * { min-width: 0; max-width: 100%; }
.attn-view .attn-control { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .2rem .4rem;
  max-width: 100%; }
.attn-view .attn-control input[type=range] { width: 9rem; max-width: 100%; margin: 0; }
.attn-view select { max-width: 100%; }
.attn-view output { font-variant-numeric: tabular-nums; min-width: 3.5em; display: inline-block; }
.attn-view svg, .attn-view canvas { display: block; max-width: 100%; height: auto; }
.attn-view svg text { font: 11px system-ui, sans-serif; fill: currentColor; }
.attn-view figure { margin: 0; max-width: 100%; }
.attn-view .attn-summary { font-variant-numeric: tabular-nums; }
.attn-view .attn-scroll { overflow-x: auto; max-width: 100%; }
.attn-view button.attn-choice { font: inherit; padding: .1rem .45rem; border: 1px solid rgba(128,128,128,.6);
  border-radius: 4px; background: transparent; color: inherit; cursor: pointer; }
.attn-view button.attn-choice[aria-pressed=true] { background: ${COLORS.blue}; color: white; border-color: ${COLORS.blue}; }
.attn-view :focus-visible { outline: 3px solid var(--attn-focus); outline-offset: 2px; }
.attn-view table.attn-values { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12px; }
.attn-view table.attn-values td, .attn-view table.attn-values th { padding: .1rem .5rem; text-align: right; }
.attn-view details summary { cursor: pointer; margin: .3rem 0; }
.attn-view .attn-swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em;
  border: 1px solid rgba(128,128,128,.8); vertical-align: -.05em; }
.attn-view .attn-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
let uid = 0;

function ensureStyle() {
  if (document.getElementById("attn-view-style")) return;
  const st = document.createElement("style");
  st.id = "attn-view-style";
  st.textContent = CSS;
  document.head.appendChild(st);
}

/** An HTML element: attributes (text → textContent, class → className) and children. */
export function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of [].concat(children)) if (c) node.appendChild(c);
  return node;
}

/** An SVG element with attributes. */
export function s(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** A number with a fixed number of decimals (non-finite numbers as text). */
export function fmt(x, digits = 3) {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

export function nextId(prefix) {
  uid += 1;
  return `attn-${prefix}-${uid}-${Math.random().toString(36).slice(2, 7)}`;
}

// JupyterLab reads this attribute on the focused element and then leaves its keys alone.
const KEYS_TO_CONTROL = { "data-lm-suppress-shortcuts": "true" };

/** A labelled native range slider with an <output>; onInput(value) on every move.
 *  ``toValue``/``fromValue`` map slider positions to values (e.g. a log scale), ``format``
 *  writes the value as the page shows it — also the slider's aria-valuetext. A slider with
 *  a single position (max ≤ min) is hidden. */
export function slider({ label, name, min, max, step, value, onInput, format = (v) => fmt(v, 2),
  toValue = (p) => p, fromValue = (v) => v }) {
  const id = nextId("slider");
  const input = h("input", { type: "range", id, min, max, step, "data-control": name,
    ...KEYS_TO_CONTROL });
  const out = h("output", { for: id, "aria-live": "off" });
  const show = (v) => {
    const text = format(v);
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  input.value = String(fromValue(value));
  show(value);
  const wrap = h("span", { class: "attn-control" }, [h("label", { for: id, text: label }), input, out]);
  wrap.hidden = !(Number(max) > Number(min));
  input.addEventListener("input", () => {
    const v = toValue(Number(input.value));
    show(v);
    onInput(v);
  });
  return {
    wrap, input,
    set(v) { input.value = String(fromValue(v)); show(v); },
  };
}

/** A labelled native checkbox; onChange(checked). */
export function checkbox({ label, name, checked, onChange }) {
  const id = nextId("check");
  const input = h("input", { type: "checkbox", id, "data-control": name, ...KEYS_TO_CONTROL });
  input.checked = !!checked;
  input.addEventListener("change", () => onChange(input.checked));
  const wrap = h("span", { class: "attn-control" }, [input, h("label", { for: id, text: label })]);
  return { wrap, input, set(v) { input.checked = !!v; } };
}

/** A labelled native select of [value, text] options; onChange(value). Hidden with fewer
 *  than two options. */
export function select({ label, name, options, value, onChange }) {
  const id = nextId("select");
  const input = h("select", { id, "data-control": name, ...KEYS_TO_CONTROL },
    options.map(([v, text]) => h("option", { value: v, text })));
  input.value = String(value);
  input.addEventListener("change", () => onChange(input.value));
  const wrap = h("span", { class: "attn-control" }, [h("label", { for: id, text: label }), input]);
  wrap.hidden = options.length < 2;
  return { wrap, input, set(v) { input.value = String(v); } };
}

/** A row of toggle buttons, one pressed at a time (e.g. the query token): Tab reaches the
 *  pressed one, the arrow keys (and Home/End) move the choice; onChange(index). Buttons carry
 *  data-control="<name>-<i>". */
export function choices({ label, name, items, value, onChange }) {
  const box = h("div", { class: "attn-row", role: "group", "aria-label": label });
  let buttons = [];
  let current = value;
  const press = (i, focus) => {
    current = i;
    buttons.forEach((b, j) => {
      b.setAttribute("aria-pressed", String(j === i));
      b.tabIndex = j === i ? 0 : -1;
    });
    if (focus) buttons[i].focus();
  };
  const make = (list) => {
    buttons = list.map((text, i) => {
      const b = h("button", { type: "button", class: "attn-choice", "data-control": `${name}-${i}`,
        "aria-pressed": "false", text, ...KEYS_TO_CONTROL });
      b.addEventListener("click", () => onChange(i));
      b.addEventListener("keydown", (ev) => {
        const n = buttons.length;
        const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1,
          Home: 0, End: n - 1 }[ev.key];
        if (to === undefined) return;
        ev.preventDefault();
        const j = Math.min(n - 1, Math.max(0, to));
        press(j, true);
        onChange(j);
      });
      return b;
    });
    box.replaceChildren(h("span", { text: `${label}:` }), ...buttons);
    box.hidden = list.length < 2;
    press(Math.min(current, list.length - 1), false);
  };
  make(items);
  return { wrap: box, set(i) { press(i, false); }, reset(list) { make(list); } };
}

/** Horizontal SVG bar chart of values with labels (signed: bars both ways from a zero line). */
export function bars(values, labels, { width = 320, barH = 16, max = null, highlight = -1,
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
  let m = max;
  if (m === null) {
    m = 1e-12;
    for (const v of values) m = Math.max(m, Math.abs(v));
  }
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
export function viridis(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c])));
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const x = c / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever contrasts more with the colour [r, g, b]: at least 4.58:1
 *  (√21) for any colour, above WCAG's 4.5:1 for small text. */
export function contrastText(rgb) {
  const L = luminance(rgb);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? "#000000" : "#ffffff";
}

/** Mount a view: build it, draw it, and redraw on every change of a listed trait. */
export function mount(model, el, spec) {
  ensureStyle();
  const root = h("div", { class: "attn-view", "data-view": spec.name, role: "group",
    "aria-label": model.get("title") || spec.name, ...KEYS_TO_CONTROL });
  el.appendChild(root);
  const params = model.get("_param_names") || [];
  const data = model.get("_data_names") || [];
  const decoded = new Map();
  const ctx = {
    root,
    model,
    get(name) {
      const raw = model.get(name);
      const hit = decoded.get(name);
      if (hit && hit.raw === raw) return hit.value;
      const value = unpack(raw);
      decoded.set(name, { raw, value });
      return value;
    },
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
