// ring.js — ring attention (chapter 17): who holds which key/value block when, and what one
// query row knows after each step.

/** The rank whose key/value block process r holds at step s, as rows [s][r] = (r − s) mod P
 *  (↔ ``attn_course.layers.ring.ring_schedule``). */
export function ringSchedule(P) {
  if (!Number.isInteger(P) || P < 1) throw new Error(`P must be a positive integer, got ${P}`);
  const out = [];
  for (let s = 0; s < P; s++) {
    const row = [];
    for (let r = 0; r < P; r++) row.push((((r - s) % P) + P) % P);
    out.push(row);
  }
  return out;
}

function split(start, n, k) {
  // torch.tensor_split(arange(start, start + n), k): the first n % k parts get one more
  const base = Math.floor(n / k);
  const extra = n % k;
  const parts = [];
  let at = start;
  for (let i = 0; i < k; i++) {
    const len = base + (i < extra ? 1 : 0);
    const part = [];
    for (let j = 0; j < len; j++) part.push(at + j);
    parts.push(part);
    at += len;
  }
  return parts;
}

/** The global positions each process holds: contiguous blocks, or zig-zag (2P chunks, process
 *  r holds chunks r and 2P − 1 − r) (↔ ``attn_course.layers.ring.ring_layout``). */
export function ringLayout(n, P, balanced = true) {
  if (!Number.isInteger(P) || P < 1 || P > n) throw new Error(`P must be in [1, n], got ${P}`);
  if (!balanced) return split(0, n, P);
  const chunks = split(0, n, 2 * P);
  const out = [];
  for (let r = 0; r < P; r++) out.push([...chunks[r], ...chunks[2 * P - 1 - r]]);
  return out;
}

/** One online-softmax step for one query row: fold scores s (n_blk) and values V (n_blk rows)
 *  into the running max m, sum l and unnormalised output acc; masked scores are −Infinity
 *  (↔ ``attn_course.core.online_softmax.online_attention_update``). Returns {m, l, acc}. */
export function onlineAttentionStep(m, l, acc, s, V) {
  let mNew = m;
  for (const x of s) if (x > mNew) mNew = x;
  const ref = Number.isFinite(mNew) ? mNew : 0;
  const rescale = Math.exp(m - ref);
  let lNew = l * rescale;
  const accNew = acc.map((a) => a * rescale);
  s.forEach((x, j) => {
    const p = Math.exp(x - ref);
    lNew += p;
    for (let c = 0; c < accNew.length; c++) accNew[c] += p * V[j][c];
  });
  return { m: mNew, l: lNew, acc: accNew };
}

/** What the process holding query ``query`` knows after each ring step: its rank, the
 *  source block of each step, and per step the running max m, sum l and output acc / l;
 *  plus the exact row (↔ ``attn_course.experiments.ring.ring_row_trace``). */
export function ringRowTrace(q, K, V, P, query, causal = false, balanced = true) {
  const n = K.length;
  const layout = ringLayout(n, P, balanced);
  const rank = layout.findIndex((pos) => pos.includes(query));
  const sched = ringSchedule(P);
  const scale = 1 / Math.sqrt(q[query].length);
  const score = (j) => {
    if (causal && j > query) return -Infinity;
    let s = 0;
    for (let c = 0; c < q[query].length; c++) s += q[query][c] * K[j][c];
    return s * scale;
  };
  let st = { m: -Infinity, l: 0, acc: new Array(V[0].length).fill(0) };
  const out = { rank, sources: [], m: [], l: [], out: [], seen: [], error: [] };
  let seen = 0;
  for (let s = 0; s < P; s++) {
    const src = sched[s][rank];
    const pos = layout[src];
    st = onlineAttentionStep(st.m, st.l, st.acc, pos.map(score), pos.map((j) => V[j]));
    out.sources.push(src);
    out.m.push(st.m);
    out.l.push(st.l);
    out.out.push(st.l > 0 ? st.acc.map((a) => a / st.l) : st.acc.slice());
    seen += pos.filter((j) => !causal || j <= query).length;
    out.seen.push(seen);
  }
  const all = [];
  for (let j = 0; j < n; j++) all.push(j);
  const fin = onlineAttentionStep(-Infinity, 0, new Array(V[0].length).fill(0), all.map(score), V);
  out.exact = fin.acc.map((a) => a / fin.l);
  out.error = out.out.map((o) => Math.max(...o.map((x, c) => Math.abs(x - out.exact[c]))));
  return out;
}
