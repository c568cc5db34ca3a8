// packed.js — arrays shipped compactly in the widget state (↔ attn_course.views.packing).
//
// A packed array is {packed, shape, data, lo?, hi?}: `data` is base64 of little-endian
// float32 ("float32") or of unsigned integers q ("uint8", "uint16") standing for
// lo + q · (hi − lo) / (2^bits − 1). Python quantizes the view's own copy of the values the
// same way, so both sides compute from identical numbers.

const LEVELS = { uint8: 255, uint16: 65535 };
const BYTES = { float32: 4, float64: 8, uint8: 1, uint16: 2 };

function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** True for a packed array (an object with ``packed`` and ``data``). */
export function isPacked(x) {
  return x !== null && typeof x === "object" && typeof x.packed === "string" && "data" in x;
}

/** The numbers of a packed array: a Float64Array for one axis, an array of Float64Array rows
 *  for two (↔ ``attn_course.views.packing.unpack``); anything not packed is returned as is. */
export function unpack(p) {
  if (!isPacked(p)) return p;
  const width = BYTES[p.packed];
  if (!width) throw new Error(`unknown packing ${p.packed}`);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const bytes = bytesOf(p.data);
  if (bytes.length !== n * width) {
    throw new Error(`packed ${p.packed} array of shape [${p.shape}] has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(n);
  if (p.packed === "float32") for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  else if (p.packed === "float64") for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  else {
    const step = (p.hi - p.lo) / LEVELS[p.packed];
    const lo = p.lo;
    if (p.packed === "uint8") for (let i = 0; i < n; i++) out[i] = lo + bytes[i] * step;
    else for (let i = 0; i < n; i++) out[i] = lo + view.getUint16(2 * i, true) * step;
  }
  if (p.shape.length <= 1) return out;
  if (p.shape.length === 2) {
    const [r, c] = p.shape;
    return Array.from({ length: r }, (_, i) => out.subarray(i * c, (i + 1) * c));
  }
  throw new Error(`packed arrays have one or two axes, got shape [${p.shape}]`);
}
