// gates.js — the gate view (chapter 11).
// For the chosen canvas, recompute squeeze-and-excitation's channel gate and CBAM's channel and
// spatial gates from what each block sees and its trained weights (M.mlpGate ↔
// attn_course.views.gates.mlp_gate, M.convGate ↔ attn_course.views.gates.conv_gate), the share
// of the spatial gate on the digit's box (M.boxShare ↔ attn_course.experiments.vision_probes.box_share)
// and how much the gates vary between the shown images (M.gateVariances ↔
// attn_course.experiments.vision_probes.gate_variances).
import * as M from "./math/index.js";
import { COLORS, bars, choices, fmt, h, mount, select, viridis } from "./ui.js";

function buildGates(ctx) {
  const root = ctx.root;
  const pick = choices({ label: "canvas", name: "example", items: ctx.get("example_labels"),
    value: ctx.get("example"), onChange: (i) => ctx.set("example", i) });
  const show = select({ label: "bars show", name: "show", value: ctx.get("show"),
    options: [["gate", "the gate of this image"],
      ["difference", "its difference from the average gate"]],
    onChange: (v) => ctx.set("show", v) });
  const size = 192;
  const image = h("canvas", { width: size, height: size, role: "img",
    "aria-label": "the canvas, with the digit's box outlined" });
  const gate = h("canvas", { width: size, height: size, role: "img",
    "aria-label": "CBAM's spatial gate over the canvas (bright = close to 1), the digit's box outlined" });
  const barBox = h("div", { class: "attn-row" });
  const summary = h("div", { class: "attn-summary", "aria-live": "polite" });
  root.append(pick.wrap, h("div", { class: "attn-row" }, [show.wrap]),
    h("div", { class: "attn-row" }, [
      h("figure", {}, [image, h("figcaption", { text: "canvas (digit's box in orange)" })]),
      h("figure", {}, [gate, h("figcaption", { text: "CBAM: spatial gate" })])]),
    barBox, summary);

  function paint(canvas, values, n, colour, box, cell) {
    const g = canvas.getContext("2d");
    const s = canvas.width / n;
    for (let i = 0; i < values.length; i++) {
      g.fillStyle = colour(values[i]);
      g.fillRect((i % n) * s, Math.floor(i / n) * s, Math.ceil(s), Math.ceil(s));
    }
    const [r0, c0, r1, c1] = box;
    g.strokeStyle = COLORS.orange;
    g.lineWidth = 2;
    g.strokeRect(c0 * cell * s + 1, r0 * cell * s + 1, (c1 - c0) * cell * s - 2,
      (r1 - r0) * cell * s - 2);
  }
  const grey = (v) => {
    const u = Math.round(255 * Math.min(1, Math.max(0, v)));
    return `rgb(${u},${u},${u})`;
  };
  const vir = (v) => `rgb(${viridis(v).join(",")})`;

  return {
    sync() {
      pick.set(ctx.get("example"));
      show.set(ctx.get("show"));
    },
    reset() {
      pick.reset(ctx.get("example_labels"));
    },
    draw() {
      const i = ctx.get("example");
      const C = ctx.get("channels");
      const hid = ctx.get("hidden");
      const m = ctx.get("map_side");
      const k = ctx.get("kernel");
      const se = ctx.get("se_inputs");
      const cb = ctx.get("cbam_inputs");
      const seAll = se.map((x) => M.mlpGate([x], ctx.get("se_params"), C, hid));
      const cbAll = cb.map((x) => M.mlpGate([x.subarray(0, C), x.subarray(C)],
        ctx.get("cbam_params"), C, hid));
      const spatial = M.convGate(ctx.get("cbam_pooled")[i], ctx.get("cbam_kernel"),
        ctx.get("cbam_bias"), m, k);
      const box = ctx.get("boxes")[i];
      const { share, area } = M.boxShare(spatial, m, box);
      const vSe = M.gateVariances(seAll);
      const vCb = M.gateVariances(cbAll);
      const diff = ctx.get("show") === "difference";
      const shown = diff ? seAll[i].map((v, c) => v - vSe.mean[c]) : seAll[i];
      const shownCb = diff ? cbAll[i].map((v, c) => v - vCb.mean[c]) : cbAll[i];
      const side = ctx.get("side");
      paint(image, ctx.get("images")[i], side, grey, box, side / m);
      paint(gate, spatial, m, vir, box, 1);
      const chart = (values, name) => bars(values, values.map((_, c) => `ch ${c}`), {
        width: 300, barH: 11, max: diff ? null : 1, signed: diff,
        title: diff ? `${name} − its average over the canvases` : `${name} (0 to 1)` });
      barBox.replaceChildren(chart(shown, "SE channel gate"), chart(shownCb, "CBAM channel gate"));
      summary.textContent = `CBAM's spatial gate runs from ${fmt(M.min(spatial), 4)} to ` +
        `${fmt(M.max(spatial), 4)}; ${fmt(100 * share, 1)}% of it lies on the ` +
        `digit's box, which covers ${fmt(100 * area, 1)}% of the map. Over the ${seAll.length} ` +
        `canvases, SE's gate varies by ${fmt(vSe.per_image, 4)} per channel from image to image ` +
        `(variance) against ${fmt(vSe.between_channels, 4)} between channels; CBAM's channel ` +
        `gate: ${fmt(vCb.per_image, 4)} against ${fmt(vCb.between_channels, 4)}.`;
      return { se_gate: seAll[i], se_shown: Array.from(shown), cbam_channel: cbAll[i],
        spatial, box_share: share, area, se_per_image: vSe.per_image,
        se_between: vSe.between_channels, cbam_per_image: vCb.per_image,
        cbam_between: vCb.between_channels };
    },
  };
}

export default {
  render({ model, el }) {
    return mount(model, el, { name: "gates", build: buildGates });
  },
};
