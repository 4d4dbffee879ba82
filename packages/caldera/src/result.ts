/**
 * The result type shared by every method: self-describing, versioned, with `reconstruct()`,
 * an honest bits-per-parameter figure and the data-aware error.
 */
import { mul } from './internal/dense';
import { dequantizeStored, type StoredMatrix, storedBits } from './quantizer';
import { type Rotation, unrotateWeights } from './rotation';

/**
 * Version of the {@link Decomposition} layout (bumped when fields change meaning).
 *
 * @example
 * ```ts
 * if (d.formatVersion !== DECOMPOSITION_FORMAT_VERSION) throw new Error('re-run the solver');
 * ```
 */
export const DECOMPOSITION_FORMAT_VERSION = 1;

/**
 * The methods behind {@link decompose}.
 *
 * @example
 * ```ts
 * const m: MethodName = 'caldera';
 * ```
 */
export type MethodName =
  | 'caldera'
  | 'rtn'
  | 'ldlq'
  | 'low-rank'
  | 'quantize-then-lr'
  | 'weight-svd'
  | 'whitened-svd'
  | 'output-pca';

/**
 * One entry of the error trace: the relative data-aware error after a step, in the solver's
 * (rotated, regularised, globally scaled) domain.
 *
 * @example
 * ```ts
 * const r: IterationRecord = { iteration: 0, step: 'LR', error: 0.41 };
 * ```
 */
export interface IterationRecord {
  /** Outer iteration, from 0. */
  iteration: number;
  /** The step just applied. */
  step: 'LR' | 'Q';
  /** Relative data-aware error sqrt(tr(ΔHΔᵀ)/tr(WHWᵀ)). */
  error: number;
}

/**
 * Where the bits go (totals in bits, not per parameter).
 *
 * @example
 * ```ts
 * const b: BitBreakdown = { q: 16384, l: 2048, r: 4096, side: 224 };
 * ```
 */
export interface BitBreakdown {
  /** Q's packed blob (codes, scales, header). */
  q: number;
  /** Lᵀ's packed blob or float values. */
  l: number;
  /** R's packed blob or float values. */
  r: number;
  /** Global scale (32 bits) and the RHT sign vectors (1 bit per sign). */
  side: number;
}

/**
 * Size and cost of a two-thin-layer (x → R·x → L·(R·x)) replacement of a dense layer.
 *
 * @example
 * ```ts
 * const r: LowRankReport = { denseParameters: 8192, factoredParameters: 1536, denseFlops: 16384,
 *   factoredFlops: 3072, energyKept: 0.97, spectrum: new Float64Array(0) };
 * ```
 */
export interface LowRankReport {
  /** m·n. */
  denseParameters: number;
  /** k·(m + n). */
  factoredParameters: number;
  /** Multiply-adds ×2 per input vector of the dense layer: 2·m·n. */
  denseFlops: number;
  /** Of the two thin layers: 2·k·(m + n). */
  factoredFlops: number;
  /** Fraction of the spectrum's energy kept (Σ_{i<k} λᵢ / Σ λᵢ in the method's norm). */
  energyKept: number;
  /** The spectrum λᵢ (squared singular values / eigenvalues, descending) used to pick k. */
  spectrum: Float64Array;
}

/**
 * A decomposition of one m×n matrix: Ŵ = g · V·(Q + L·R)·Uᵀ cropped to m×n, where V, U are the
 * RHT (identity without it), Q is mp×np, L = lᵀ is mp×k and R is k×np in the rotated basis.
 *
 * @example
 * ```ts
 * const d: Decomposition = calderaDecompose(w, 64, 128, h, { rank: 8 });
 * d.reconstruct(); // Float32Array(64·128)
 * ```
 */
export interface Decomposition {
  /** Layout version ({@link DECOMPOSITION_FORMAT_VERSION}). */
  formatVersion: number;
  /** The method that produced it. */
  method: MethodName;
  /** Rows of W. */
  m: number;
  /** Columns of W. */
  n: number;
  /** Rank of L·R (0 when absent). */
  rank: number;
  /** Global scale g. */
  globalScale: number;
  /** The RHT (signs and padded dims). */
  rotation: Rotation;
  /** Q (mp×np) or null. */
  q: StoredMatrix | null;
  /** Lᵀ (k×mp) or null. */
  l: StoredMatrix | null;
  /** R (k×np) or null. */
  r: StoredMatrix | null;
  /** The resolved options the method ran with. */
  options: Record<string, unknown>;
  /** Per-step error trace (empty for one-shot methods). */
  trace: IterationRecord[];
  /** The iteration whose iterate was kept (−1 when not iterative). */
  bestIteration: number;
  /** Relative data-aware error of {@link Decomposition.reconstruct} against the caller's H. */
  dataAwareError: number;
  /** Honest total bits / (m·n). */
  bitsPerParameter: number;
  /** Where the bits go. */
  bits: BitBreakdown;
  /** Low-rank (LoRD-style) methods: parameters, FLOPs and kept energy. */
  lowRank?: LowRankReport;
  /** Ŵ (m×n, float32) in the original basis. */
  reconstruct(): Float32Array;
}

/**
 * Ŵ_r = Q + L·R in the rotated basis (mp×np float64).
 *
 * @param rot - the rotation (for mp, np)
 * @param q - Q or null
 * @param l - Lᵀ or null
 * @param r - R or null
 * @param k - rank
 * @returns Ŵ_r
 * @example
 * ```ts
 * const wr = rotatedApproximation(rot, q, null, null, 0);
 * ```
 */
export function rotatedApproximation(
  rot: Rotation,
  q: StoredMatrix | null,
  l: StoredMatrix | null,
  r: StoredMatrix | null,
  k: number,
): Float64Array {
  const out = q ? dequantizeStored(q) : new Float64Array(rot.mp * rot.np);
  if (l && r && k > 0) {
    const lr = mul('T', 'N', rot.mp, rot.np, k, dequantizeStored(l), dequantizeStored(r));
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + lr[i]!;
  }
  return out;
}

/**
 * Assembles a {@link Decomposition}: counts bits (Q, Lᵀ, R blobs; 32 bits of global scale;
 * one bit per RHT sign) and binds `reconstruct`.
 *
 * @param parts - everything but the derived fields; `dataAwareError` is filled by the caller
 * @returns the decomposition
 * @example
 * ```ts
 * const d = makeDecomposition({ method: 'rtn', m, n, rank: 0, globalScale: 1, rotation, q, l: null, r: null,
 *   options: {}, trace: [], bestIteration: -1, dataAwareError: 0 });
 * ```
 */
export function makeDecomposition(
  parts: Omit<Decomposition, 'formatVersion' | 'bitsPerParameter' | 'bits' | 'reconstruct'>,
): Decomposition {
  const rot = parts.rotation;
  const bits: BitBreakdown = {
    q: parts.q ? storedBits(parts.q) : 0,
    l: parts.l ? storedBits(parts.l) : 0,
    r: parts.r ? storedBits(parts.r) : 0,
    side: 32 + (rot.enabled ? rot.mp + rot.np : 0),
  };
  const total = bits.q + bits.l + bits.r + bits.side;
  return {
    formatVersion: DECOMPOSITION_FORMAT_VERSION,
    ...parts,
    bits,
    bitsPerParameter: total / (parts.m * parts.n),
    reconstruct: () =>
      unrotateWeights(
        rot,
        rotatedApproximation(rot, parts.q, parts.l, parts.r, parts.rank),
        parts.globalScale,
      ),
  };
}
