// heads.js — what a head does on a repeated sequence (chapter 16).

/** Previous-token and prefix-matching scores of one head's map ``(2S, 2S)`` on a
 *  ``[segment][segment]`` sequence (↔ ``attn_course.experiments.induction.head_scores`` for
 *  one sequence and one head): the mean weight of query ``j ≥ 1`` on key ``j − 1``, and of
 *  query ``i ∈ [S, 2S)`` on key ``i − S + 1`` (the token after the earlier occurrence). */
export function headScores(map, segment) {
  const n = 2 * segment;
  let previous = 0;
  for (let j = 1; j < n; j++) previous += map[j][j - 1];
  let prefix = 0;
  for (let i = segment; i < n; i++) prefix += map[i][i - segment + 1];
  return { previous: previous / (n - 1), prefix: prefix / segment };
}
