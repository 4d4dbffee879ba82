/**
 * Cache-blocked, register-tiled double-precision GEMM in plain TypeScript (the fast `js` path).
 *
 * Goto-style loop nest: op(B) is packed into kc×nc panels of 4 columns, α·op(A) into mc×kc panels
 * of 4 rows, both into scratch `Float64Array`s allocated once and grown on demand; a 4×4
 * micro-kernel keeps its 16 accumulators in locals. C is first scaled by β (or zeroed when β = 0,
 * so a NaN in C is not read), then tiles are accumulated into it.
 */
import { scaleView } from './sgemm-blocked';
import type { Transpose } from './types';

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;
const NC = 2048;

let packA = new Float64Array(0);
let packB = new Float64Array(0);

function packPanelsA(
  transA: Transpose,
  a: Float64Array,
  lda: number,
  offA: number,
  ic: number,
  pc: number,
  mc: number,
  kc: number,
  alpha: number,
): void {
  const sAi = transA === 'N' ? lda : 1;
  const sAp = transA === 'N' ? 1 : lda;
  let dst = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    for (let p = 0; p < kc; p++) {
      const src = offA + (ic + ir) * sAi + (pc + p) * sAp;
      for (let r = 0; r < MR; r++) packA[dst++] = r < rows ? alpha * a[src + r * sAi]! : 0;
    }
  }
}

function packPanelsB(
  transB: Transpose,
  b: Float64Array,
  ldb: number,
  offB: number,
  pc: number,
  jc: number,
  kc: number,
  nc: number,
): void {
  const sBp = transB === 'N' ? ldb : 1;
  const sBj = transB === 'N' ? 1 : ldb;
  let dst = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    for (let p = 0; p < kc; p++) {
      const src = offB + (pc + p) * sBp + (jc + jr) * sBj;
      for (let q = 0; q < NR; q++) packB[dst++] = q < cols ? b[src + q * sBj]! : 0;
    }
  }
}

function micro4x4(
  kc: number,
  ia: number,
  ib: number,
  c: Float64Array,
  ci: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  const pa = packA;
  const pb = packB;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia]!,
      a1 = pa[ia + 1]!,
      a2 = pa[ia + 2]!,
      a3 = pa[ia + 3]!;
    const b0 = pb[ib]!,
      b1 = pb[ib + 1]!,
      b2 = pb[ib + 2]!,
      b3 = pb[ib + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ia += 4;
    ib += 4;
  }
  if (rows === 4 && cols === 4) {
    c[ci]! += c00;
    c[ci + 1]! += c01;
    c[ci + 2]! += c02;
    c[ci + 3]! += c03;
    ci += ldc;
    c[ci]! += c10;
    c[ci + 1]! += c11;
    c[ci + 2]! += c12;
    c[ci + 3]! += c13;
    ci += ldc;
    c[ci]! += c20;
    c[ci + 1]! += c21;
    c[ci + 2]! += c22;
    c[ci + 3]! += c23;
    ci += ldc;
    c[ci]! += c30;
    c[ci + 1]! += c31;
    c[ci + 2]! += c32;
    c[ci + 3]! += c33;
    return;
  }
  const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) c[ci + r * ldc + q] = c[ci + r * ldc + q]! + t[r * 4 + q]!;
  }
}

/**
 * Blocked double-precision GEMM `C ← α·op(A)·op(B) + β·C` without argument validation (the public
 * `dgemm` validates). Same contract as `dgemmRef`.
 *
 * @param transA - op of A
 * @param transB - op of B
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param alpha - scale of the product
 * @param a - storage of A
 * @param lda - leading dimension of A
 * @param offA - offset of A
 * @param b - storage of B
 * @param ldb - leading dimension of B
 * @param offB - offset of B
 * @param beta - scale of C on entry
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @example
 * ```ts
 * const c = new Float64Array(1);
 * dgemmBlocked('N', 'N', 1, 1, 2, 1, new Float64Array([1, 2]), 2, 0, new Float64Array([3, 4]), 1, 0, 0, c, 1, 0);
 * // c[0] === 11
 * ```
 */
export function dgemmBlocked(
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  lda: number,
  offA: number,
  b: Float64Array,
  ldb: number,
  offB: number,
  beta: number,
  c: Float64Array,
  ldc: number,
  offC: number,
): void {
  scaleView(m, n, beta, c, ldc, offC);
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  const needA = MC * KC;
  const needB = KC * (Math.min(NC, n) + NR);
  if (packA.length < needA) packA = new Float64Array(needA);
  if (packB.length < needB) packB = new Float64Array(needB);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(transB, b, ldb, offB, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelsA(transA, a, lda, offA, ic, pc, mc, kc, alpha);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            micro4x4(kc, ir * kc, jr * kc, c, offC + (ic + ir) * ldc + jc + jr, ldc, rows, cols);
          }
        }
      }
    }
  }
}
