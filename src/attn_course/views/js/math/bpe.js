// bpe.js — byte-level byte-pair encoding of ASCII text (chapter 15).

// attn_course.data.bpe.pre_split's pattern, for ASCII text: letters, digits, other
// non-space characters (each run with at most one leading space), whitespace.
const PIECE = / ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+/g;

/** The ids of ``text`` (ASCII) under the first ``nMerges`` of ``merges`` ([[a, b], …], merge
 *  i makes id 256 + i) (↔ ``attn_course.data.bpe.BPETokenizer(merges[:nMerges]).encode``):
 *  each piece starts as its bytes and the learned pair of lowest rank is merged, left to
 *  right, until no learned pair is left. */
export function bpeEncode(text, merges, nMerges) {
  if (!(nMerges >= 0 && nMerges <= merges.length)) {
    throw new Error(`nMerges must be in 0 … ${merges.length}, got ${nMerges}`);
  }
  const rank = new Map();
  for (let i = 0; i < nMerges; i++) rank.set(merges[i][0] * 65536 + merges[i][1], i);
  const out = [];
  for (const piece of text.match(PIECE) || []) {
    let seq = Array.from(piece, (c) => c.charCodeAt(0));
    while (seq.length > 1) {
      let best = nMerges;
      for (let j = 0; j + 1 < seq.length; j++) {
        const r = rank.get(seq[j] * 65536 + seq[j + 1]);
        if (r !== undefined && r < best) best = r;
      }
      if (best === nMerges) break;
      const [a, b] = merges[best];
      const next = [];
      for (let j = 0; j < seq.length; j++) {
        if (j + 1 < seq.length && seq[j] === a && seq[j + 1] === b) {
          next.push(256 + best);
          j += 1;
        } else next.push(seq[j]);
      }
      seq = next;
    }
    out.push(...seq);
  }
  return out;
}

/** The text of each id of ``ids`` (ASCII tokens) (↔ ``BPETokenizer(merges).token_bytes(i)
 *  .decode()``): a merged id is its two parts joined. */
export function bpeTokens(ids, merges) {
  const memo = new Map();
  const text = (i) => {
    if (i < 256) return String.fromCharCode(i);
    if (!memo.has(i)) memo.set(i, text(merges[i - 256][0]) + text(merges[i - 256][1]));
    return memo.get(i);
  };
  return ids.map(text);
}
