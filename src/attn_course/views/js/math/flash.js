// flash.js — one query block of tiled (flash) attention, tile by tile (chapter 13).

/** The running state of query block ``queryBlock`` of tiled attention after each key tile
 *  (↔ ``attn_course.experiments.flash_trace.flash_block_trace``): Q, K (N × d_k), V (N × d_v),
 *  square tiles of ``block``; with ``causal`` the tiles right of the diagonal are skipped.
 *  Per tile and row: m_new = max(m, max(s)), rescale = exp(m − m_new) (0 on the first tile),
 *  ℓ = rescale · ℓ + Σ exp(s − m_new), acc = rescale · acc + exp(s − m_new) V, out = acc / ℓ.
 *  Returns {rows: [i0, i1], tiles: [[j0, j1], …], skipped, m, l, rescale, acc, out, exact,
 *  error} (error: per tile, the largest |out − exact| over the block). */
export function flashBlockTrace(Q, K, V, block, queryBlock, causal = false) {
  const n = Q.length;
  const dk = Q[0].length;
  const dv = V[0].length;
  if (!(block >= 1) || !(queryBlock * block >= 0 && queryBlock * block < n)) {
    throw new Error(`need block ≥ 1 and query block in range, got ${block}, ${queryBlock}`);
  }
  const scale = 1 / Math.sqrt(dk);
  const i0 = queryBlock * block;
  const i1 = Math.min(i0 + block, n);
  const kEnd = causal ? Math.min(n, i1) : n;
  const score = (i, j) => {
    if (causal && j > i) return -Infinity;
    let x = 0;
    for (let c = 0; c < dk; c++) x += Q[i][c] * scale * K[j][c];
    return x;
  };
  const st = [];
  for (let i = i0; i < i1; i++) st.push({ m: -Infinity, l: 0, acc: new Array(dv).fill(0) });
  const out = { rows: [i0, i1], tiles: [], m: [], l: [], rescale: [], acc: [], out: [] };
  for (let j0 = 0; j0 < kEnd; j0 += block) {
    const j1 = Math.min(j0 + block, kEnd);
    const step = { m: [], l: [], rescale: [], acc: [], out: [] };
    st.forEach((r, a) => {
      const s = [];
      for (let j = j0; j < j1; j++) s.push(score(i0 + a, j));
      let mNew = r.m;
      for (const x of s) if (x > mNew) mNew = x;
      const ref = Number.isFinite(mNew) ? mNew : 0;
      const rescale = Math.exp(r.m - ref);
      r.l *= rescale;
      r.acc = r.acc.map((x) => x * rescale);
      s.forEach((x, t) => {
        const p = Math.exp(x - ref);
        r.l += p;
        for (let c = 0; c < dv; c++) r.acc[c] += p * V[j0 + t][c];
      });
      r.m = mNew;
      step.m.push(r.m);
      step.l.push(r.l);
      step.rescale.push(rescale);
      step.acc.push(r.acc.slice());
      step.out.push(r.acc.map((x) => (r.l > 0 ? x / r.l : 0)));
    });
    out.tiles.push([j0, j1]);
    for (const key of ["m", "l", "rescale", "acc", "out"]) out[key].push(step[key]);
  }
  out.skipped = Math.ceil(n / block) - out.tiles.length;
  // plain attention on the block's rows: the whole row of scores at once
  out.exact = [];
  for (let i = i0; i < i1; i++) {
    const s = [];
    for (let j = 0; j < n; j++) s.push(score(i, j));
    const mx = Math.max(...s);
    const e = s.map((x) => Math.exp(x - mx));
    const tot = e.reduce((a, b) => a + b, 0);
    const row = new Array(dv).fill(0);
    e.forEach((p, j) => { for (let c = 0; c < dv; c++) row[c] += (p / tot) * V[j][c]; });
    out.exact.push(row);
  }
  out.error = out.out.map((rows) => {
    let e = 0;
    rows.forEach((o, a) => o.forEach((x, c) => { e = Math.max(e, Math.abs(x - out.exact[a][c])); }));
    return e;
  });
  return out;
}
