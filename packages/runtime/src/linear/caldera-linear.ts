/**
 * The CALDERA linear layer (algorithms.md §3, §8): `Ŵ = g · diag(SV) M_m (Q̂ + L̂R̂) M_nᵀ diag(SU)`
 * with Q̂ an E8P-quantised matrix and L̂ (m × k), R̂ (k × n) low-rank factors (E8-quantised, or
 * float for 16-bit factors), all in the randomized-Hadamard-rotated domain. The forward pass
 * for input rows x is, in row form:
 *
 * 1. x' = (x ∘ SU)·M_n                        ({@link RhtRows}, as linalg's `rhtRows`)
 * 2. y  = x'·Q̂ᵀ + (x'·R̂ᵀ)·L̂ᵀ                  (straight from the codes)
 * 3. y  ← ((y·M_mᵀ) ∘ SV) · g                 (as `rhtRowsInverse`, then the global scale)
 *
 * L̂ is stored transposed (Lᵀ, k × m) as in the reference, so that its E8 codewords run along
 * output rows. m and n must be RHT dimensions (`hadamardPlan(d).paddedDim === d`).
 */
import { CalderaError, describeValue } from '@caldera/core';
import { hadamardPlan, rhtTwoSidedInverse, sgemm } from '@caldera/linalg';
import type { E8Quantized } from '@caldera/quant';
import { matvecRows } from '../kernels/matvec';
import { GEMM_MIN_ROWS } from './dense-linear';
import { checkForwardArgs, checkMatrix, type Linear } from './linear';
import { PackedE8Matrix } from './packed-e8-matrix';
import { RhtRows } from './rht-rows-batched';
import { ScratchSlot, scratch } from './shared-scratch';

/**
 * The stored state of one CALDERA layer.
 *
 * @example
 * ```ts
 * const parts: CalderaParts = { q, lt, r, su, sv, globalScale: 0.02 };
 * ```
 */
export interface CalderaParts {
  /** Q̂ (m × n, rotated domain), E8 family (e8p12 in the paper). */
  q: E8Quantized;
  /** Lᵀ (k × m): E8-quantised, or float32 (16-bit factors). Absent for rank 0. */
  lt?: E8Quantized | Float32Array;
  /** R (k × n): E8-quantised or float32. Absent for rank 0. */
  r?: E8Quantized | Float32Array;
  /** Rank k (required when the factors are float32). */
  rank?: number;
  /** SU, the ±1 input signs (length n). */
  su: Float32Array;
  /** SV, the ±1 output signs (length m). */
  sv: Float32Array;
  /** g, the global scale (RMS of the original W). */
  globalScale: number;
}

/**
 * A CALDERA-compressed projection that multiplies straight from its packed codes.
 *
 * @example
 * ```ts
 * const layer = new CalderaLinear({ q, lt, r, su, sv, globalScale });
 * const y = new Float32Array(layer.outFeatures);
 * layer.forward(x, 1, y);
 * ```
 */
export class CalderaLinear implements Linear {
  readonly kind = 'caldera';
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly rank: number;
  readonly q: PackedE8Matrix;
  /** Lᵀ (k × m): packed E8 codes or float32; undefined for rank 0 (read by exporters). */
  readonly lt: PackedE8Matrix | Float32Array | undefined;
  /** R (k × n): packed E8 codes or float32; undefined for rank 0 (read by exporters). */
  readonly r: PackedE8Matrix | Float32Array | undefined;
  readonly su: Float32Array;
  readonly sv: Float32Array;
  readonly globalScale: number;
  private readonly rhtIn: RhtRows;
  private readonly rhtOut: RhtRows;

  /**
   * @param parts - Q, Lᵀ, R, signs and global scale
   * @throws CalderaError `UNSUPPORTED_LAYER` when m or n is not an RHT dimension;
   *   `SHAPE_MISMATCH` when the parts' shapes disagree
   */
  constructor(parts: CalderaParts) {
    const m = parts.q.rows;
    const n = parts.q.cols;
    for (const d of [m, n]) {
      if (hadamardPlan(d).paddedDim !== d) {
        throw new CalderaError(
          'UNSUPPORTED_LAYER',
          `CalderaLinear: dimension ${describeValue(d)} has no Hadamard transform without padding`,
        );
      }
    }
    checkMatrix('CalderaLinear SU', parts.su, 1, n);
    checkMatrix('CalderaLinear SV', parts.sv, 1, m);
    this.outFeatures = m;
    this.inFeatures = n;
    this.q = new PackedE8Matrix(parts.q);
    this.su = parts.su;
    this.sv = parts.sv;
    this.globalScale = parts.globalScale;
    this.rhtIn = new RhtRows(n);
    this.rhtOut = new RhtRows(m);
    const k = factorRank(parts);
    this.rank = k;
    if (k > 0) {
      this.lt = wrapFactor('Lᵀ', parts.lt!, k, m);
      this.r = wrapFactor('R', parts.r!, k, n);
    }
  }

  /**
   * @param x - rows × inFeatures
   * @param rows - number of rows
   * @param out - rows × outFeatures
   * @throws CalderaError `SHAPE_MISMATCH`
   */
  forward(x: Float32Array, rows: number, out: Float32Array): void {
    checkForwardArgs(this, x, rows, out);
    if (rows === 0) return;
    const m = this.outFeatures;
    const n = this.inFeatures;
    const k = this.rank;
    const xr = scratch(ScratchSlot.Input, rows * n);
    for (let i = 0; i < rows * n; i++) xr[i] = x[i]!;
    this.rhtIn.apply(xr, rows, this.su, false);
    const gemm = rows >= GEMM_MIN_ROWS;
    if (gemm) this.gemmFromCodes(xr, rows, out);
    else this.q.multiplyTransposed(xr, rows, out);
    if (k > 0) {
      const t = scratch(ScratchSlot.Inner, rows * k);
      const r = this.r!;
      if (r instanceof Float32Array) matvecRows(r, k, n, xr, rows, t);
      else if (gemm) {
        const rd = scratch(ScratchSlot.Tile, k * n);
        r.decodeRows(0, k, rd);
        sgemm('N', 'T', rows, k, n, 1, xr, n, rd, n, 0, t, k);
      } else r.multiplyTransposed(xr, rows, t);
      const lt = this.lt!;
      if (lt instanceof Float32Array) sgemm('N', 'N', rows, m, k, 1, t, k, lt, m, 1, out, m);
      else if (gemm) {
        const ld = scratch(ScratchSlot.Tile2, k * m);
        lt.decodeRows(0, k, ld);
        sgemm('N', 'N', rows, m, k, 1, t, k, ld, m, 1, out, m);
      } else lt.multiplyAccumulate(t, rows, out);
    }
    this.rhtOut.apply(out, rows, this.sv, true);
    const g = this.globalScale;
    for (let i = 0; i < rows * m; i++) out[i]! *= g;
  }

  /** Y = X'·Q̂ᵀ through GEMM, dequantising Q̂ one tile of output rows at a time. */
  private gemmFromCodes(xr: Float32Array, rows: number, out: Float32Array): void {
    const m = this.outFeatures;
    const n = this.inFeatures;
    const tileRows = Math.max(1, Math.min(m, Math.floor(32768 / n)));
    const tile = scratch(ScratchSlot.Tile, tileRows * n);
    for (let r0 = 0; r0 < m; r0 += tileRows) {
      const r1 = Math.min(m, r0 + tileRows);
      this.q.decodeRows(r0, r1, tile);
      sgemm('N', 'T', rows, r1 - r0, n, 1, xr, n, tile, n, 0, out, m, 0, 0, r0);
    }
  }

  /** @returns Ŵ = g·diag(SV)·M_m·(Q̂ + L̂R̂)·M_nᵀ·diag(SU), m × n */
  toDense(): Float32Array {
    const m = this.outFeatures;
    const n = this.inFeatures;
    const k = this.rank;
    const w = new Float64Array(m * n);
    const q = new Float32Array(m * n);
    this.q.decodeRows(0, m, q);
    for (let i = 0; i < m * n; i++) w[i] = q[i]!;
    if (k > 0) {
      const lt = denseFactor(this.lt!, k, m);
      const r = denseFactor(this.r!, k, n);
      for (let i = 0; i < m; i++)
        for (let t = 0; t < k; t++) {
          const a = lt[t * m + i]!;
          for (let j = 0; j < n; j++) w[i * n + j]! += a * r[t * n + j]!;
        }
    }
    rhtTwoSidedInverse(w, m, n, Float64Array.from(this.sv), Float64Array.from(this.su));
    const out = new Float32Array(m * n);
    for (let i = 0; i < m * n; i++) out[i] = w[i]! * this.globalScale;
    return out;
  }

  /** @returns bytes of Q's codes, the factors, the signs and the scales */
  residentBytes(): number {
    const f = (x: PackedE8Matrix | Float32Array | undefined) =>
      x === undefined ? 0 : x instanceof Float32Array ? x.byteLength : x.residentBytes();
    return (
      this.q.residentBytes() + f(this.lt) + f(this.r) + this.su.byteLength + this.sv.byteLength + 4
    );
  }
}

function factorRank(parts: CalderaParts): number {
  if (parts.lt === undefined && parts.r === undefined) return 0;
  if (parts.lt === undefined || parts.r === undefined) {
    throw new CalderaError('SHAPE_MISMATCH', 'CalderaLinear: give both Lᵀ and R, or neither');
  }
  const k = parts.lt instanceof Float32Array ? parts.rank : parts.lt.rows;
  if (k === undefined || !Number.isInteger(k) || k < 1) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `CalderaLinear: bad rank ${describeValue(k)} (float factors need parts.rank)`,
    );
  }
  return k;
}

function wrapFactor(
  what: string,
  f: E8Quantized | Float32Array,
  rows: number,
  cols: number,
): PackedE8Matrix | Float32Array {
  if (f instanceof Float32Array) {
    checkMatrix(`CalderaLinear ${what}`, f, rows, cols);
    return f;
  }
  if (f.rows !== rows || f.cols !== cols) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `CalderaLinear: ${what} is ${f.rows}×${f.cols}, expected ${rows}×${cols}`,
    );
  }
  return new PackedE8Matrix(f);
}

function denseFactor(f: PackedE8Matrix | Float32Array, rows: number, cols: number): Float32Array {
  if (f instanceof Float32Array) return f;
  const d = new Float32Array(rows * cols);
  f.decodeRows(0, rows, d);
  return d;
}
