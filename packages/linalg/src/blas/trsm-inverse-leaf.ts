/**
 * The float32 leaf of the recursive trsm on large right-hand sides: instead of scalar
 * substitution over all of B, the small triangle is inverted (in float64) and X is one GEMM.
 */
import type { GemmKernel } from '../backend/types';
import type { FloatArray, Side, Transpose } from './types';

/** float32 leaves of at most this order are solved by one GEMM with their explicit inverse. */
export const INV_BASE = 64;
/** …when B has at least this many rows (side R) or columns (side L). */
export const INV_MIN_OTHER = 128;
const triScratch = new Float64Array(INV_BASE * INV_BASE);
const triInvScratch = new Float64Array(INV_BASE * INV_BASE);
const invScratch = new Float32Array(INV_BASE * INV_BASE);
let copyScratch = new Float32Array(0);

/**
 * Solves a float32 leaf through its inverse: op(A)⁻¹ is formed in float64 by substitution
 * (s³/3 flops), then X = op(A)⁻¹·B or B·op(A)⁻¹ is one GEMM of depth s. The GEMM runs at full
 * wasm speed where the substitution on m×s is scalar. Returns false (nothing done) when a
 * diagonal entry is zero, non-finite, or the diagonal spread exceeds 1e4 (then the explicit
 * inverse may lose accuracy and the caller recurses to substitution).
 *
 * @param side - `'L'`: op(A)·X = B; `'R'`: X·op(A) = B
 * @param lower - whether op(A) is lower triangular
 * @param trans - op of A
 * @param unit - unit diagonal
 * @param m - rows of B
 * @param n - columns of B
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B (overwritten by X)
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param gemm - the float32 GEMM kernel
 * @returns whether the leaf was solved
 * @example
 * ```ts
 * const b = new Float32Array(128).fill(2);
 * trsmByInverse('R', true, 'N', false, 128, 1, new Float32Array([2]), 1, 0, b, 1, 0, gemmFor(b)); // b all 1
 * ```
 */
export function trsmByInverse(
  side: Side,
  lower: boolean,
  trans: Transpose,
  unit: boolean,
  m: number,
  n: number,
  a: FloatArray,
  lda: number,
  offA: number,
  b: Float32Array,
  ldb: number,
  offB: number,
  gemm: GemmKernel<FloatArray>,
): boolean {
  const s = side === 'L' ? m : n;
  const si = trans === 'N' ? lda : 1;
  const sj = trans === 'N' ? 1 : lda;
  // t = op(A) as a dense lower matrix (upper ones are transposed: inv(U) = inv(Uᵀ)ᵀ)
  const t = triScratch.fill(0, 0, s * s);
  let dmin = Number.POSITIVE_INFINITY;
  let dmax = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < i; j++) {
      t[i * s + j] = lower ? a[offA + i * si + j * sj]! : a[offA + j * si + i * sj]!;
    }
    const d = unit ? 1 : Math.abs(a[offA + i * si + i * sj]!);
    if (!(d > 0) || !Number.isFinite(d)) return false;
    t[i * s + i] = unit ? 1 : a[offA + i * si + i * sj]!;
    dmin = Math.min(dmin, d);
    dmax = Math.max(dmax, d);
  }
  if (dmax > 1e4 * dmin) return false;
  // x = t⁻¹ (lower), column by column
  const x = triInvScratch.fill(0, 0, s * s);
  for (let j = 0; j < s; j++) {
    x[j * s + j] = 1 / t[j * s + j]!;
    for (let i = j + 1; i < s; i++) {
      let acc = 0;
      for (let p = j; p < i; p++) acc += t[i * s + p]! * x[p * s + j]!;
      x[i * s + j] = -acc / t[i * s + i]!;
    }
  }
  const inv = invScratch;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) inv[i * s + j] = lower ? x[i * s + j]! : x[j * s + i]!;
  }
  const len = m * n;
  if (copyScratch.length < len) copyScratch = new Float32Array(len);
  const tmp = copyScratch;
  for (let i = 0; i < m; i++) {
    const r = offB + i * ldb;
    for (let j = 0; j < n; j++) tmp[i * n + j] = b[r + j]!;
  }
  if (side === 'L') gemm('N', 'N', m, n, m, 1, inv, s, 0, tmp, n, 0, 0, b, ldb, offB);
  else gemm('N', 'N', m, n, n, 1, tmp, n, 0, inv, s, 0, 0, b, ldb, offB);
  return true;
}
