// attention_map.js — the attention-map explorer (chapters 7, 10, 11, 12).
// mode "maps": shows maps[e, l, h] of precomputed weights (E, L, H, n_q, n_k);
// mode "qk": recomputes softmax(q kᵀ / √d_k / T), with an optional causal mask, for the chosen
// head (M.scores + M.softmaxRows + M.causalMask ↔ AttentionMapExplorer.current_map).
// Heatmap on a canvas (viridis, 0 … map max); for images, the query's weights over the patches.
import * as M from "./math/index.js";
import { COLORS, bars, checkbox, fmt, h, mount, select, slider, viridis } from "./ui.js";

const flat = (x) => (x instanceof Float64Array ? x : Float64Array.from(x));

function buildAttentionMap(ctx) {
  const root = ctx.root;
  // x_labels / y_labels: one list per example, or a single list every example shares.
  const labelsOf = (name) => {
    const lists = ctx.get(name);
    return lists[Math.min(ctx.get("example"), lists.length - 1)];
  };
  const LUT = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) LUT.set(viridis(i / 255), i * 3);
  let E, L, H, nq, nk, maps, q, k, dk, mode;
  const load = () => {
    [E, L, H, nq, nk] = ctx.get("shape");
    mode = ctx.get("mode");
    if (mode === "maps") maps = flat(ctx.get("maps"));
    else {
      q = flat(ctx.get("q"));
      k = flat(ctx.get("k"));
      dk = ctx.get("d_k");
    }
  };
  load();
  let map = new Float64Array(nq * nk);

  function computeMap() {
    const base = (ctx.get("example") * L + ctx.get("layer")) * H + ctx.get("head");
    if (map.length !== nq * nk) map = new Float64Array(nq * nk);
    if (mode === "maps") {
      map.set(maps.subarray(base * nq * nk, (base + 1) * nq * nk));
      return;
    }
    const Q = M.rows(q, base * nq * dk, nq, dk);
    const K = M.rows(k, base * nk * dk, nk, dk);
    const mask = ctx.get("causal") ? M.causalMask(nq, nk) : null;
    const W = M.softmaxRows(M.scores("scaled_dot", Q, K), ctx.get("temperature"), mask);
    W.forEach((row, i) => map.set(row, i * nk));
  }

  // Controls: native, labelled, keyboard-operable; those with one possible value are hidden.
  const exSel = select({ label: "example", name: "example", value: ctx.get("example"),
    options: ctx.get("example_labels").map((l, i) => [String(i), l]),
    onChange: (v) => ctx.set("example", Number(v)) });
  const lSl = slider({ label: "layer", name: "layer", min: 0, max: L - 1, step: 1,
    value: ctx.get("layer"), format: (v) => String(v + 1), onInput: (v) => ctx.set("layer", v) });
  const hSl = slider({ label: "head", name: "head", min: 0, max: H - 1, step: 1,
    value: ctx.get("head"), format: (v) => String(v + 1), onInput: (v) => ctx.set("head", v) });
  const qSl = slider({ label: "query row", name: "query", min: 0, max: nq - 1, step: 1,
    value: ctx.get("query"), format: (v) => labelsOf("y_labels")[v] ?? String(v),
    onInput: (v) => ctx.set("query", v) });
  const controls = [exSel.wrap, lSl.wrap, hSl.wrap, qSl.wrap];
  let tSl = null, cCb = null;
  if (mode === "qk") {
    tSl = slider({ label: "temperature", name: "temperature", min: -1.5, max: 1.5, step: 0.01,
      value: ctx.get("temperature"), toValue: (p) => 10 ** p, fromValue: (t) => Math.log10(t),
      format: (t) => fmt(t, 3), onInput: (t) => ctx.set("temperature", t) });
    cCb = checkbox({ label: "causal mask", name: "causal", checked: ctx.get("causal"),
      onChange: (v) => ctx.set("causal", v) });
    controls.push(tSl.wrap, cCb.wrap);
  }

  // Hovering a row is a pointer shortcut; the query row slider is its keyboard equivalent.
  const showLabels = Math.max(nq, nk) <= 40;
  const cell = Math.max(4, Math.min(28, Math.floor(384 / Math.max(nq, nk))));
  const left = showLabels ? 64 : 8, top = showLabels ? 56 : 18;
  const canvas = h("canvas", { class: "attn-heatmap", width: left + cell * nk + 4,
    height: top + cell * nq + 4, role: "img",
    "aria-label": "attention map: rows are queries, columns keys; hover a row to highlight it" });
  const c2d = canvas.getContext("2d");
  const small = document.createElement("canvas");
  small.width = nk;
  small.height = nq;
  const s2d = small.getContext("2d");
  const pixels = s2d.createImageData(nk, nq);
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const y = ((ev.clientY - r.top) / r.height) * canvas.height;
    const i = Math.floor((y - top) / cell);
    if (i >= 0 && i < nq && i !== ctx.get("query")) ctx.set("query", i);
  });

  const imageShape = ctx.get("image_shape");
  const hasImages = imageShape.length > 0;
  let imgCanvas = null, imgData = null;
  if (hasImages) {
    imgData = flat(ctx.get("images"));
    imgCanvas = h("canvas", { class: "attn-image", width: 224, height: 224, role: "img",
      "aria-label": "the image with the chosen query's attention over its patches" });
  }
  const barBox = h("div", { class: "attn-bars" });
  // Mean attention distance per head (ViT's Fig. 7): for maps of self-attention over patches.
  const [, , , nq0, nk0] = ctx.get("shape");
  const withDistance = hasImages && mode === "maps" && nq0 === nk0 &&
    nk0 === ctx.get("patch_offset") + ctx.get("grid")[0] * ctx.get("grid")[1];
  const distBox = h("div", { class: "attn-bars" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.appendChild(h("div", { class: "attn-row" }, controls));
  root.appendChild(h("div", { class: "attn-row" }, [canvas, imgCanvas, barBox]));
  if (withDistance) root.appendChild(distBox);
  root.appendChild(summary);

  function paintHeatmap(qi, vmax) {
    const px = pixels.data;
    const inv = vmax > 0 ? 255 / vmax : 0;
    for (let t = 0; t < nq * nk; t++) {
      const c = Math.min(255, Math.round(map[t] * inv)) * 3;
      px[4 * t] = LUT[c];
      px[4 * t + 1] = LUT[c + 1];
      px[4 * t + 2] = LUT[c + 2];
      px[4 * t + 3] = 255;
    }
    s2d.putImageData(pixels, 0, 0);
    c2d.clearRect(0, 0, canvas.width, canvas.height);
    c2d.imageSmoothingEnabled = false;
    c2d.drawImage(small, left, top, cell * nk, cell * nq);
    c2d.strokeStyle = COLORS.orange;
    c2d.lineWidth = 2;
    c2d.strokeRect(left - 1, top + qi * cell - 1, cell * nk + 2, cell + 2);
    c2d.fillStyle = getComputedStyle(root).color || "#222";
    c2d.font = "11px system-ui, sans-serif";
    c2d.textAlign = "left";
    c2d.textBaseline = "top";
    c2d.fillText("rows: queries, columns: keys", 2, 2);
    if (showLabels) {
      const xl = labelsOf("x_labels"), yl = labelsOf("y_labels");
      c2d.font = `${Math.min(11, cell)}px system-ui, sans-serif`;
      c2d.textAlign = "right";
      c2d.textBaseline = "middle";
      yl.forEach((l, i) => c2d.fillText(l, left - 4, top + (i + 0.5) * cell));
      c2d.textAlign = "left";
      xl.forEach((l, j) => {
        c2d.save();
        c2d.translate(left + (j + 0.5) * cell, top - 4);
        c2d.rotate(-Math.PI / 3);
        c2d.fillText(l, 0, 0);
        c2d.restore();
      });
    }
  }

  function paintImage(rowW) {
    const [, ih, iw, ic] = imageShape;
    const e = ctx.get("example");
    const tmp = document.createElement("canvas");
    tmp.width = iw;
    tmp.height = ih;
    const t2d = tmp.getContext("2d");
    const id = t2d.createImageData(iw, ih);
    const off = e * ih * iw * ic;
    for (let p = 0; p < ih * iw; p++) {
      for (let c = 0; c < 3; c++) id.data[4 * p + c] = 255 * imgData[off + p * ic + (ic === 3 ? c : 0)];
      id.data[4 * p + 3] = 255;
    }
    t2d.putImageData(id, 0, 0);
    const g = imgCanvas.getContext("2d");
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, 0, 0, 224, 224);
    const [gh, gw] = ctx.get("grid");
    const po = ctx.get("patch_offset");
    const patchW = rowW.slice(po, po + gh * gw);
    const pmax = Math.max(M.max(patchW), 1e-12);
    const ph = 224 / gh, pw = 224 / gw;
    for (let r = 0; r < gh; r++) {
      for (let c = 0; c < gw; c++) {
        // Dim each patch by how little the query attends to it.
        g.fillStyle = `rgba(0,0,0,${0.8 * (1 - patchW[r * gw + c] / pmax)})`;
        g.fillRect(c * pw, r * ph, pw, ph);
        g.strokeStyle = "rgba(255,255,255,0.35)";
        g.strokeRect(c * pw, r * ph, pw, ph);
      }
    }
  }

  return {
    reset: load,
    sync() {
      exSel.set(ctx.get("example"));
      lSl.set(ctx.get("layer"));
      hSl.set(ctx.get("head"));
      qSl.set(ctx.get("query"));
      if (tSl) tSl.set(ctx.get("temperature"));
      if (cCb) cCb.set(ctx.get("causal"));
    },
    draw() {
      computeMap();
      const qi = Math.max(0, ctx.get("query"));
      const vmax = M.max(map);
      paintHeatmap(qi, vmax);
      const row = Array.from(map.subarray(qi * nk, (qi + 1) * nk));
      if (hasImages) paintImage(row);
      if (nk <= 40) {
        barBox.replaceChildren(bars(row, labelsOf("x_labels"), { max: 1,
          barH: Math.max(9, Math.min(16, 320 / nk)), title: `row of '${labelsOf("y_labels")[qi]}'` }));
      }
      const best = M.argmax(row);
      summary.textContent = `layer ${ctx.get("layer") + 1}, head ${ctx.get("head") + 1}: ` +
        `'${labelsOf("y_labels")[qi]}' attends most to '${labelsOf("x_labels")[best]}' (${fmt(row[best])}); ` +
        `colour from 0 (dark) to ${fmt(vmax)} (yellow)`;
      const out = { row, map_sum: M.sum(map), map_max: vmax };
      if (withDistance) {
        const [gh, gw] = ctx.get("grid");
        const base = (ctx.get("example") * L + ctx.get("layer")) * H * nq * nk;
        const dist = M.meanAttentionDistance(maps.subarray(base, base + H * nq * nk), H, gh, gw,
          imageShape[1] / gh, ctx.get("patch_offset"));
        distBox.replaceChildren(bars(dist, dist.map((_, i) => `head ${i + 1}`), {
          highlight: ctx.get("head"), barH: 16,
          title: `layer ${ctx.get("layer") + 1}: mean attention distance (pixels)` }));
        out.head_distance = dist;
      }
      return out;
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "attention_map", build: buildAttentionMap });
  },
};
