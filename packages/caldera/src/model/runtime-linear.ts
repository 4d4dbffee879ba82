/**
 * Turns a {@link Decomposition} into the runtime's {@link Linear} kinds: a `CalderaLinear`
 * (multiplies straight from the E8 codes) when Q is E8-quantised and the RHT needs no padding,
 * a `UniformLinear` (straight from the b-bit codes; exported to ONNX as `MatMulNBits`) when Q is
 * uniform with no RHT and no low-rank part (RTN, LDLQ-only), else a dense layer of the
 * reconstruction.
 */
import { hadamardPlan } from '@caldera/linalg';
import type { E8Quantized, UniformQuantized } from '@caldera/quant';
import { CalderaLinear, DenseLinear, type Linear, UniformLinear } from '@caldera/runtime';
import type { StoredMatrix } from '../quantizer';
import type { Decomposition } from '../result';

function e8(s: StoredMatrix | null): E8Quantized | undefined {
  return s?.kind === 'quantized' && s.q.family === 'e8p' ? s.q : undefined;
}

/** Q uniform, no rotation, no L·R: Ŵ = g·deq(Q), so g folds into the scales and offsets. */
function uniformOnly(d: Decomposition): UniformQuantized | undefined {
  const q = d.q?.kind === 'quantized' && d.q.q.family === 'uniform' ? d.q.q : undefined;
  const rot = d.rotation;
  if (q === undefined || d.rank !== 0 || rot.enabled || rot.mp !== d.m || rot.np !== d.n) {
    return undefined;
  }
  if (q.rows !== d.m || q.cols !== d.n) return undefined;
  const g = d.globalScale;
  return { ...q, scales: q.scales.map((v) => v * g), offsets: q.offsets.map((v) => v * g) };
}

function factor(s: StoredMatrix | null): E8Quantized | Float32Array | undefined {
  if (s === null) return undefined;
  return s.kind === 'quantized' ? e8(s) : s.values;
}

/**
 * The runtime layer of a decomposition.
 *
 * @param d - the decomposition
 * @returns a `CalderaLinear` or `UniformLinear` when possible, else a `DenseLinear` of
 *   `d.reconstruct()`
 * @throws CalderaError from the layer constructors on inconsistent shapes
 * @example
 * ```ts
 * model.setLinear(0, 'q_proj', toRuntimeLinear(d));
 * ```
 */
export function toRuntimeLinear(d: Decomposition): Linear {
  const rot = d.rotation;
  const q = e8(d.q);
  const noPad = rot.mp === d.m && rot.np === d.n;
  const rhtOk =
    rot.enabled &&
    noPad &&
    hadamardPlan(d.m).paddedDim === d.m &&
    hadamardPlan(d.n).paddedDim === d.n;
  const lt = d.rank > 0 ? factor(d.l) : undefined;
  const r = d.rank > 0 ? factor(d.r) : undefined;
  const factorsOk = d.rank === 0 || (lt !== undefined && r !== undefined);
  if (q !== undefined && rhtOk && factorsOk) {
    return new CalderaLinear({
      q,
      ...(d.rank > 0 ? { lt, r, rank: d.rank } : {}),
      su: rot.signsRight,
      sv: rot.signsLeft,
      globalScale: d.globalScale,
    });
  }
  const u = uniformOnly(d);
  if (u !== undefined) return new UniformLinear(u);
  return new DenseLinear(d.reconstruct(), d.m, d.n);
}
