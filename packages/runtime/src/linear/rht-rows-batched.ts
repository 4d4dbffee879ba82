/**
 * The row randomized Hadamard transform of algorithms.md §3 (x ← (x ∘ σ)·M_d and its inverse
 * y ← (y·M_dᵀ) ∘ σ, M_d = (H_K ⊗ S_p)/√d), arranged for the inference hot path: FWHTs of the
 * length-p segments, then the K×K mix. For a few rows (decode) and p a multiple of 4 the mix
 * runs row by row through `signMixRow` (16-entry signed-sum tables per group of four
 * segments: no multiplications, about twice as fast as dot products and faster than a
 * single-row GEMM at K = 172); for more rows it is one GEMM of (rows·p) × K by K × K on the
 * segment-transposed rows. All scratch is kept between calls, and the sign patterns are shared
 * by all transforms of one order. `@caldera/linalg`'s `rhtRows` / `rhtRowsInverse` are the
 * reference it is tested against.
 */
import { fwhtSegment, hadamardMatrixF32, hadamardPlan, sgemm } from '@caldera/linalg';
import { signMixRow, signPatterns } from '../kernels/hadamard-mix';
import { ScratchSlot, scratch } from './shared-scratch';

/** Up to this many rows (and for p a multiple of 4) the mix runs row by row via sign tables. */
const MIX_TABLE_MAX_ROWS = 4;

/** Sign patterns of H_Kᵀ (forward) and H_K (inverse), shared by all transforms of order K. */
const patterns = new Map<number, { forward: Uint8Array; inverse: Uint8Array }>();

function mixPatterns(k: number): { forward: Uint8Array; inverse: Uint8Array } {
  let e = patterns.get(k);
  if (e === undefined) {
    const h = hadamardMatrixF32(k);
    const ht = new Float32Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) ht[j * k + i] = h[i * k + j]!;
    e = { forward: signPatterns(ht, k), inverse: signPatterns(h, k) };
    patterns.set(k, e);
  }
  return e;
}

let mixTable = new Float64Array(0);

/**
 * A reusable row RHT of one dimension d (which must be supported exactly).
 *
 * @example
 * ```ts
 * const t = new RhtRows(688);
 * t.apply(x, rows, su, false); // x ← (x ∘ su)·M_688
 * t.apply(y, rows, sv, true);  // y ← (y·M_688ᵀ) ∘ sv
 * ```
 */
export class RhtRows {
  readonly k: number;
  readonly p: number;
  private readonly h: Float32Array;

  /**
   * @param d - the dimension (`hadamardPlan(d).paddedDim === d`; callers check)
   */
  constructor(readonly d: number) {
    const plan = hadamardPlan(d);
    this.k = plan.K;
    this.p = plan.pow2;
    this.h = this.k > 1 ? hadamardMatrixF32(this.k) : new Float32Array(0);
  }

  /**
   * Transforms `rows` rows of x in place.
   *
   * @param x - rows × d, row-major
   * @param rows - number of rows
   * @param signs - σ, length d
   * @param inverse - false: x ← (x ∘ σ)·M_d; true: x ← (x·M_dᵀ) ∘ σ
   */
  apply(x: Float32Array, rows: number, signs: Float32Array, inverse: boolean): void {
    const d = this.d;
    const K = this.k;
    const p = this.p;
    const scale = 1 / Math.sqrt(d);
    if (!inverse)
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < d; i++) x[r * d + i] = x[r * d + i]! * signs[i]!;
    for (let s = 0; s < rows * K; s++) fwhtSegment(x, s * p, p);
    if (K > 1) this.mix(x, rows, inverse);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      if (inverse) for (let i = 0; i < d; i++) x[o + i] = x[o + i]! * scale * signs[i]!;
      else for (let i = 0; i < d; i++) x[o + i]! *= scale;
    }
  }

  /** Each row's K×p block Z ← H_Kᵀ·Z (forward) or H_K·Z (inverse). */
  private mix(x: Float32Array, rows: number, inverse: boolean): void {
    const d = this.d;
    const K = this.k;
    const p = this.p;
    const h = this.h;
    if (rows <= MIX_TABLE_MAX_ROWS && p % 4 === 0) {
      const pats = mixPatterns(K);
      const pat = inverse ? pats.inverse : pats.forward;
      if (mixTable.length < 64 * Math.ceil(K / 4))
        mixTable = new Float64Array(64 * Math.ceil(K / 4));
      const y = scratch(ScratchSlot.Mix, d);
      for (let r = 0; r < rows; r++) {
        signMixRow(pat, K, p, x, r * d, y, mixTable);
        for (let i = 0; i < d; i++) x[r * d + i] = y[i]!;
      }
      return;
    }
    const zt = scratch(ScratchSlot.Mix, rows * d);
    const yt = scratch(ScratchSlot.Mix2, rows * d);
    // Zt[(r·p + s), c] = Z_r[c, s]; Yt = Zt·H (forward) or Zt·Hᵀ (inverse); Y_r[c', s] = Yt[r·p + s, c'].
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < K; c++)
        for (let s = 0; s < p; s++) zt[(r * p + s) * K + c] = x[r * d + c * p + s]!;
    sgemm('N', inverse ? 'T' : 'N', rows * p, K, K, 1, zt, K, h, K, 0, yt, K);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < K; c++)
        for (let s = 0; s < p; s++) x[r * d + c * p + s] = yt[(r * p + s) * K + c]!;
  }
}
