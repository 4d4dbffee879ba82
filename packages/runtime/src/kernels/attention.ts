/**
 * Causal multi-head attention over a key/value cache, with grouped-query heads (GQA/MQA):
 * query head h reads key/value head `⌊h / (heads / kvHeads)⌋`. Scores and the softmax are
 * accumulated in float64.
 */

/**
 * Shapes of one {@link causalAttention} call.
 *
 * @example
 * ```ts
 * const s: AttentionShape = { heads: 8, kvHeads: 4, headDim: 32 };
 * ```
 */
export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * For each query row r (at position `pos0 + r`) and head h: `out = Σ_j softmax_j(q·k_j/√d) v_j`
 * over cached positions `j ≤ pos0 + r`.
 *
 * @param q - rows × (heads·headDim) queries (already rotated)
 * @param rows - number of query rows
 * @param kCache - keys, position-major: position j at `j · kvHeads·headDim`
 * @param vCache - values, same layout
 * @param pos0 - position of the first query row (the cache must hold `pos0 + rows` positions)
 * @param shape - heads, kvHeads, headDim
 * @param scores - scratch of at least `pos0 + rows` float64 values
 * @param out - rows × (heads·headDim) output
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * causalAttention(Float32Array.of(1, 0), 1, Float32Array.of(1, 0), Float32Array.of(3, 4), 0,
 *   { heads: 1, kvHeads: 1, headDim: 2 }, new Float64Array(1), out); // out = [3, 4]
 * ```
 */
export function causalAttention(
  q: Float32Array,
  rows: number,
  kCache: Float32Array,
  vCache: Float32Array,
  pos0: number,
  shape: AttentionShape,
  scores: Float64Array,
  out: Float32Array,
): void {
  const { heads, kvHeads, headDim } = shape;
  const group = heads / kvHeads;
  const qWidth = heads * headDim;
  const kvWidth = kvHeads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  for (let r = 0; r < rows; r++) {
    const n = pos0 + r + 1;
    for (let h = 0; h < heads; h++) {
      const qo = r * qWidth + h * headDim;
      const ko = Math.floor(h / group) * headDim;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const kj = j * kvWidth + ko;
        let s = 0;
        for (let d = 0; d < headDim; d++) s += q[qo + d]! * kCache[kj + d]!;
        s *= scale;
        scores[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(scores[j]! - max);
        scores[j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let d = 0; d < headDim; d++) out[qo + d] = 0;
      // Accumulate Σ p_j v_j in float64 through a small head-sized pass per position.
      for (let d = 0; d < headDim; d++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += scores[j]! * vCache[j * kvWidth + ko + d]!;
        out[qo + d] = acc * inv;
      }
    }
  }
}
