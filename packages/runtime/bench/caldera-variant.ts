/**
 * The CALDERA variant of the benchmark. The real decomposition (Hessian-aware LDLQ, LPLR)
 * belongs to the solver package; for speed and memory figures a quick data-free one with the
 * same storage and forward cost is enough: W/g, two-sided RHT, rank-k L·R from a randomized
 * SVD quantised with E8P12-RVQ4B (4 bits), Q = E8P12 (2 bits) of the residual.
 */
import { Rng } from '@caldera/core';
import { randomizedSvd, rhtTwoSided } from '@caldera/linalg';
import { e8Dequantize, e8Quantize } from '@caldera/quant';
import { CalderaLinear } from '../src/linear/caldera-linear';
import type { LlamaModel } from '../src/model/llama-model';
import { LINEAR_NAMES } from '../src/model/llama-weights';

/**
 * Builds one CALDERA layer from a dense weight without calibration data.
 *
 * @param weight - W, m × n row-major
 * @param m - output features
 * @param n - input features
 * @param rank - k
 * @param seed - seed of the RHT signs and the SVD sketch
 * @returns the layer
 * @example
 * ```ts
 * const layer = quickCaldera(w, 256, 256, 32, 42);
 * ```
 */
export function quickCaldera(
  weight: Float32Array,
  m: number,
  n: number,
  rank: number,
  seed: number,
): CalderaLinear {
  let ss = 0;
  for (const v of weight) ss += v * v;
  const g = Math.sqrt(ss / weight.length);
  const w = Float32Array.from(weight, (v) => v / g);
  const rng = new Rng(seed);
  const su = rng.signs(n);
  const sv = rng.signs(m);
  rhtTwoSided(w, m, n, sv, su);
  const { u, s, vt } = randomizedSvd(w, m, n, rank, { seed });
  const lt = new Float32Array(rank * m);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < rank; t++) lt[t * m + i] = u[i * rank + t]! * s[t]!;
  const ltq = e8Quantize('e8p12rvq4b', lt, rank, m);
  const rq = e8Quantize('e8p12rvq4b', vt, rank, n);
  const ltd = e8Dequantize(ltq);
  const rd = e8Dequantize(rq);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < rank; t++) {
      const a = ltd[t * m + i]!;
      for (let j = 0; j < n; j++) w[i * n + j]! -= a * rd[t * n + j]!;
    }
  const q = e8Quantize('e8p12', w, m, n);
  return new CalderaLinear({ q, lt: ltq, r: rq, su, sv, globalScale: g });
}

/**
 * Replaces every projection of the model with a quick CALDERA layer (rank 32).
 *
 * @param model - the float model (modified in place)
 * @returns the model and the variant name
 * @example
 * ```ts
 * const { model: compressed } = await compressCalderaForBench(model);
 * ```
 */
export async function compressCalderaForBench(
  model: LlamaModel,
): Promise<{ model: LlamaModel; variant: string }> {
  const rank = 32;
  for (let l = 0; l < model.config.numLayers; l++) {
    for (const name of LINEAR_NAMES) {
      const d = model.linear(l, name);
      model.setLinear(
        l,
        name,
        quickCaldera(d.toDense(), d.outFeatures, d.inFeatures, rank, 42 + l),
      );
    }
  }
  return { model, variant: `caldera-q2-lr4-k${rank}` };
}
