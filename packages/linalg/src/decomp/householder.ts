/**
 * Householder building blocks shared by QR, tridiagonalisation and the blocked (compact WY)
 * updates. A reflector is H = I − τ·v·vᵀ with v₀ = 1; a block of reflectors H₁⋯H_b is
 * I − V·T·Vᵀ with T upper triangular (Schreiber–Van Loan compact WY form).
 */

import { gemmFor } from '../blas/trsm';
import type { FloatArray } from '../blas/types';

/**
 * Generates a Householder reflector for the strided vector x (length len, first element at
 * `off`, stride `inc`): afterwards x₀ = β and x₁… hold v₁… (v₀ = 1 implicit), and
 * H·x_original = β·e₁ with H = I − τvvᵀ. τ = 0 (H = I) when x₁… is zero.
 *
 * @param x - storage
 * @param off - index of x₀
 * @param len - vector length
 * @param inc - stride between elements
 * @returns τ
 * @example
 * ```ts
 * const x = new Float64Array([3, 4]);
 * householder(x, 0, 2, 1); // τ = 1.6, x = [-5, 0.5]
 * ```
 */
export function householder(x: FloatArray, off: number, len: number, inc: number): number {
  let scale = 0;
  for (let i = 1; i < len; i++) scale = Math.max(scale, Math.abs(x[off + i * inc]!));
  if (scale === 0) return 0;
  let ss = 0;
  for (let i = 1; i < len; i++) {
    const t = x[off + i * inc]! / scale;
    ss += t * t;
  }
  const xnorm = scale * Math.sqrt(ss);
  const alpha = x[off]!;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) x[off + i * inc] = x[off + i * inc]! * inv;
  x[off] = beta;
  return tau;
}

/**
 * Builds the upper-triangular T (b×b, row-major) of the compact WY form I − V·T·Vᵀ = H₁⋯H_b from
 * the explicit reflector block V (rows×b, unit diagonal, zeros above) and the τs.
 *
 * @param v - V, row-major with leading dimension b
 * @param rows - rows of V
 * @param b - number of reflectors
 * @param tau - the τs
 * @param tauOff - offset of τ₁ in `tau`
 * @param t - output, b×b (fully overwritten)
 * @param gram - scratch of b×b float64 (filled with VᵀV by GEMM)
 * @example
 * ```ts
 * buildT(v, rows, b, tau, 0, t, new Float64Array(b * b));
 * ```
 */
export function buildT(
  v: FloatArray,
  rows: number,
  b: number,
  tau: FloatArray,
  tauOff: number,
  t: Float64Array,
  gram: Float64Array,
): void {
  // gram = Vᵀ·V (only the strict upper triangle is used)
  if (v instanceof Float64Array) {
    gemmFor(v)('T', 'N', b, b, rows, 1, v, b, 0, v, b, 0, 0, gram, b, 0);
  } else {
    const g32 = new Float32Array(b * b);
    gemmFor(v)('T', 'N', b, b, rows, 1, v, b, 0, v, b, 0, 0, g32, b, 0);
    for (let i = 0; i < b * b; i++) gram[i] = g32[i]!;
  }
  t.fill(0, 0, b * b);
  for (let i = 0; i < b; i++) {
    const ti = tau[tauOff + i]!;
    t[i * b + i] = ti;
    // T[0:i, i] = −τ_i · T[0:i, 0:i] · gram[0:i, i]
    for (let r = 0; r < i; r++) {
      let acc = 0;
      for (let c = r; c < i; c++) acc += t[r * b + c]! * gram[c * b + i]!;
      t[r * b + i] = -ti * acc;
    }
  }
}

/**
 * Applies the block reflector (I − V·T·Vᵀ) (`trans = 'N'`) or its transpose (`'T'`) from the left
 * to the rows×cols view C, with the bulk in GEMM: W = VᵀC, W ← op(T)·W, C ← C − V·W.
 *
 * @param trans - `'N'` applies I − VTVᵀ, `'T'` applies I − VTᵀVᵀ
 * @param v - V (rows×b, leading dimension b, same precision as C)
 * @param t - T (b×b float64)
 * @param rows - rows of V and C
 * @param b - reflectors
 * @param cols - columns of C
 * @param c - storage of C
 * @param ldc - leading dimension of C
 * @param offC - offset of C
 * @param w - scratch of b×cols, same precision as C
 * @example
 * ```ts
 * applyBlockReflector('T', v, t, rows, b, cols, a, lda, off, w);
 * ```
 */
export function applyBlockReflector(
  trans: 'N' | 'T',
  v: FloatArray,
  t: Float64Array,
  rows: number,
  b: number,
  cols: number,
  c: FloatArray,
  ldc: number,
  offC: number,
  w: FloatArray,
): void {
  if (cols === 0 || rows === 0 || b === 0) return;
  const gemm = gemmFor(c);
  gemm('T', 'N', b, cols, rows, 1, v, b, 0, c, ldc, offC, 0, w, cols, 0);
  if (trans === 'T') {
    // W ← Tᵀ·W (Tᵀ lower triangular): descending rows keep inputs intact
    for (let i = b - 1; i >= 0; i--) {
      const wi = i * cols;
      const tii = t[i * b + i]!;
      for (let j = 0; j < cols; j++) w[wi + j] = w[wi + j]! * tii;
      for (let r = 0; r < i; r++) {
        const tri = t[r * b + i]!;
        if (tri === 0) continue;
        const wr = r * cols;
        for (let j = 0; j < cols; j++) w[wi + j] = w[wi + j]! + tri * w[wr + j]!;
      }
    }
  } else {
    // W ← T·W (upper triangular): ascending rows
    for (let i = 0; i < b; i++) {
      const wi = i * cols;
      const tii = t[i * b + i]!;
      for (let j = 0; j < cols; j++) w[wi + j] = w[wi + j]! * tii;
      for (let r = i + 1; r < b; r++) {
        const tir = t[i * b + r]!;
        if (tir === 0) continue;
        const wr = r * cols;
        for (let j = 0; j < cols; j++) w[wi + j] = w[wi + j]! + tir * w[wr + j]!;
      }
    }
  }
  gemm('N', 'N', rows, cols, b, -1, v, b, 0, w, cols, 0, 1, c, ldc, offC);
}
