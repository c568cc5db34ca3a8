// The views' math: the one module every view imports its computations from.
//
// Each function mirrors a Python function of attn_course (named in its comment) and agrees
// with it to 1e-6 — tests/test_views_math.py runs every export below under Node against its
// Python twin, and fails when an export has no agreement test. View scripts import from
// this file only (never from a file next to it) and compute nothing themselves: anything a
// view displays or reports in its readout comes from here; the views only scale it to
// pixels, percentages and units.
export {
  argmax, argmin, combine, dot, matmul, max, meanStd, min, norm, rows, sum, transpose, vecMat,
} from "./linalg.js";
export { entropy, maxEntropy, onlineSoftmaxTrace, softmax, softmaxRows } from "./softmax.js";
export { negSqDistance, scores } from "./scores.js";
export { attention, causalMask, meanAttentionDistance, softLookup } from "./attention.js";
export { mulberry32, normals, uniforms } from "./prng.js";
export { scalingSummary } from "./scaling.js";
export { crossoverN, layerFlops, maxPathLength, sequentialOps, tileGrid, tilingCosts } from "./costs.js";
export { alibiSlopes, offsetProfile } from "./positions.js";
export { glimpseSelection, inkRecovered, softPixelAttention } from "./glimpse.js";
export { isPacked, unpack } from "./packed.js";
export { pathBetween, pathRoute } from "./paths.js";
export { onlineAttentionStep, ringLayout, ringRowTrace, ringSchedule } from "./ring.js";
export { flashBlockTrace } from "./flash.js";
export { nextTokenProbs } from "./sampling.js";
export { headScores } from "./heads.js";
export { boxShare, convGate, gateVariances, mlpGate } from "./gates.js";
export { bpeEncode, bpeTokens } from "./bpe.js";
