/**
 * The LR step of algorithms.md §4: the whitened closed-form rank-k fit of A in the norm
 * ‖(A − L·R)·H^{1/2}‖_F, then LPLR rounds (weighted L-solve, quantise Lᵀ, R-solve, quantise R,
 * keep the best round).
 */
import { CalderaError, isCalderaError, type Rng } from '@caldera/core';
import { spdInverse, spdSolve } from '@caldera/linalg';
import { dot, mul, mulF32, toF32, transpose } from './internal/dense';
import { type QuantizerSpec, quantizeMatrix, type StoredMatrix } from './quantizer';
import { type SvdMode, topSubspace } from './top-subspace';

/**
 * A fitted low-rank pair: dequantised L (m×k) and R (k×n), their stored forms (Lᵀ, k×m, and
 * R, k×n; §4.2 quantises Lᵀ so that codewords run along output rows).
 *
 * @example
 * ```ts
 * const f: LowRankFit = fitLowRank(a, m, n, h, 8, { family: 'float' }, 0, 'exact', new Rng(1));
 * ```
 */
export interface LowRankFit {
  /** k. */
  k: number;
  /** L, m×k, dequantised. */
  l: Float64Array;
  /** R, k×n, dequantised. */
  r: Float64Array;
  /** Stored Lᵀ (k×m). */
  lStored: StoredMatrix;
  /** Stored R (k×n). */
  rStored: StoredMatrix;
}

/**
 * Solves S·X = B for a symmetric positive semi-definite k×k S (k×nrhs B), adding a growing
 * ridge δ·mean(diag S)·I when S is singular (the minimum-norm least-squares fallback).
 *
 * @param s - S, k×k
 * @param k - order
 * @param b - B, k×nrhs
 * @param nrhs - right-hand sides
 * @returns X, k×nrhs
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` when even a large ridge fails
 * @example
 * ```ts
 * ridgeSolve(new Float64Array([2]), 1, new Float64Array([4]), 1); // [2]
 * ```
 */
export function ridgeSolve(
  s: Float64Array,
  k: number,
  b: Float64Array,
  nrhs: number,
): Float64Array {
  let md = 0;
  for (let i = 0; i < k; i++) md += s[i * k + i]!;
  md = md > 0 ? md / k : 1;
  for (let t = 0; ; t++) {
    const a = t === 0 ? s : Float64Array.from(s);
    if (t > 0) for (let i = 0; i < k; i++) a[i * k + i]! += md * 1e-12 * 100 ** (t - 1);
    try {
      return spdSolve(a, k, b, nrhs);
    } catch (e) {
      const retry =
        isCalderaError(e, 'NOT_POSITIVE_DEFINITE') || isCalderaError(e, 'SINGULAR_MATRIX');
      if (!retry || t >= 7) throw e;
    }
  }
}

/**
 * S⁻¹ for the S of {@link ridgeSolve}, with the same ridge fallback: X = S⁻¹·B is then one
 * GEMM of k²·nrhs multiply-adds, three to four times faster than the triangular solves of
 * {@link ridgeSolve} (the plain reference, which it matches to ~κ(S)·2⁻⁵²) for k ≪ nrhs.
 *
 * @param s - S, k×k symmetric positive semi-definite
 * @param k - order
 * @returns S⁻¹ (of S + δ·mean(diag S)·I when S is singular), k×k
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` when even a large ridge fails
 * @example
 * ```ts
 * ridgeInverse(new Float64Array([2, 0, 0, 4]), 2); // [0.5, 0, 0, 0.25]
 * ```
 */
export function ridgeInverse(s: Float64Array, k: number): Float64Array {
  let md = 0;
  for (let i = 0; i < k; i++) md += s[i * k + i]!;
  md = md > 0 ? md / k : 1;
  for (let t = 0; ; t++) {
    const a = t === 0 ? s : Float64Array.from(s);
    if (t > 0) for (let i = 0; i < k; i++) a[i * k + i]! += md * 1e-12 * 100 ** (t - 1);
    try {
      return spdInverse(a, k);
    } catch (e) {
      const retry =
        isCalderaError(e, 'NOT_POSITIVE_DEFINITE') || isCalderaError(e, 'SINGULAR_MATRIX');
      if (!retry || t >= 7) throw e;
    }
  }
}

/**
 * Arithmetic of the LPLR rounds: `'float64'` (the plain reference: float64 products, triangular
 * solves) or `'float32'` (the fast path: the m·n·k and n²·k products in float32 `sgemm`, the
 * k×k systems solved in float64 by {@link ridgeInverse}). The solutions are quantised to a few
 * bits right after, so float32 products change the fit only at the rounding level of the codes.
 *
 * @example
 * ```ts
 * const p: LplrPrecision = 'float32';
 * ```
 */
export type LplrPrecision = 'float64' | 'float32';

/**
 * Options of {@link fitLowRank}.
 *
 * @example
 * ```ts
 * const o: FitLowRankOptions = { precision: 'float32', h32: Float32Array.from(h) };
 * ```
 */
export interface FitLowRankOptions {
  /** Arithmetic of the LPLR rounds (default `'float64'`). */
  precision?: LplrPrecision;
  /** H rounded to float32, for `'float32'` (converted here when absent; pass it to reuse it). */
  h32?: Float32Array;
}

/**
 * Fits quantised L·R to A (m×n) in the data-aware norm (algorithms.md §4).
 *
 * @param a - A = W_r − Q, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n SPD
 * @param k - rank (1 ≤ k ≤ min(m, n))
 * @param spec - the factor quantiser (`float` stops after the closed form, §4.1)
 * @param rounds - LPLR rounds
 * @param svd - exact or randomized SVD for the closed form
 * @param rng - randomness of the randomized SVD
 * @param init - warm start: R (k×n, dequantised) of the previous iterate; the LPLR rounds then
 *   start from it instead of the closed-form (SVD) initialisation. Ignored for `float` factors
 *   and for 0 rounds, where the closed form is used.
 * @param options - arithmetic of the LPLR rounds (see {@link FitLowRankOptions})
 * @returns the best fit over the rounds
 * @throws CalderaError `INVALID_OPTIONS` for k outside 1..min(m, n); `SHAPE_MISMATCH` for a
 *   warm-start R of the wrong size
 * @example
 * ```ts
 * const fit = fitLowRank(a, 64, 128, h, 8, { family: 'e8p', bits: 4 }, 10, 'exact', new Rng(42));
 * ```
 */
export function fitLowRank(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  k: number,
  spec: QuantizerSpec,
  rounds: number,
  svd: SvdMode,
  rng: Rng,
  init: Float64Array | null = null,
  options: FitLowRankOptions = {},
): LowRankFit {
  if (!(Number.isInteger(k) && k >= 1 && k <= Math.min(m, n))) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `fitLowRank: rank must be in 1..${Math.min(m, n)}, got ${k}`,
    );
  }
  const closedForm = spec.family === 'float' || rounds === 0;
  if (init !== null && !closedForm) {
    if (init.length !== k * n) {
      throw new CalderaError(
        'SHAPE_MISMATCH',
        `fitLowRank: warm-start R must be ${k}×${n}, got ${init.length} values`,
      );
    }
    return lplr(a, m, n, h, k, spec, rounds, init, options);
  }
  const { u } = topSubspace(a, m, n, h, k, svd, rng);
  const r0 = mul('T', 'N', k, n, m, u, a); // U_kᵀ·A
  if (closedForm) {
    const lq = quantizeMatrix(transpose(u, m, k), k, m, spec);
    const rq = quantizeMatrix(r0, k, n, spec);
    return {
      k,
      l: transpose(lq.values, k, m),
      r: rq.values,
      lStored: lq.stored,
      rStored: rq.stored,
    };
  }
  return lplr(a, m, n, h, k, spec, rounds, r0, options);
}

/**
 * The products and solves of one LPLR round in a given arithmetic: `hrt(R)` = H·Rᵀ (n×k),
 * `ahrt(X)` = A·X (m×k), `rhrt(R, X)` = R·X (k×k), `gram(Lᵀ)` = Lᵀ·L (k×k), `lSolve(S, Y)` =
 * S⁻¹·Yᵀ (the Lᵀ of the L-solve, k×m, for Y = A·H·Rᵀ), `rSolve(S, Lᵀ)` = S⁻¹·Lᵀ·A (k×n).
 */
interface LplrOps {
  hrt(r: Float64Array): Float64Array;
  ahrt(x: Float64Array): Float64Array;
  rhrt(r: Float64Array, x: Float64Array): Float64Array;
  gram(lt: Float64Array): Float64Array;
  lSolve(s: Float64Array, y: Float64Array): Float64Array;
  rSolve(s: Float64Array, lt: Float64Array): Float64Array;
}

function lplrOps(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  k: number,
  options: FitLowRankOptions,
): LplrOps {
  if ((options.precision ?? 'float64') === 'float64') {
    return {
      hrt: (r) => mul('N', 'T', n, k, n, h, r),
      ahrt: (x) => mul('N', 'N', m, k, n, a, x),
      rhrt: (r, x) => mul('N', 'N', k, k, n, r, x),
      gram: (lt) => mul('N', 'T', k, k, m, lt, lt),
      lSolve: (s, y) => ridgeSolve(s, k, transpose(y, m, k), m),
      rSolve: (s, lt) => ridgeSolve(s, k, mul('N', 'N', k, n, m, lt, a), n),
    };
  }
  const a32 = toF32(a);
  const h32 = options.h32 ?? toF32(h);
  return {
    hrt: (r) => mulF32('N', 'T', n, k, n, h32, r),
    ahrt: (x) => mulF32('N', 'N', m, k, n, a32, x),
    rhrt: (r, x) => mulF32('N', 'N', k, k, n, r, x),
    gram: (lt) => mulF32('N', 'T', k, k, m, lt, lt),
    lSolve: (s, y) => mul('N', 'T', k, m, k, ridgeInverse(s, k), y),
    // Aᵀ·L (n×k) rather than Lᵀ·A (k×n): the GEMM pool splits C by rows, and k rows are few
    rSolve: (s, lt) =>
      mul('N', 'T', k, n, k, ridgeInverse(s, k), mulF32('T', 'T', n, k, m, a32, lt)),
  };
}

/** The LPLR rounds of §4.2 from an initial R (k×n); returns the best round. */
function lplr(
  a: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  k: number,
  spec: QuantizerSpec,
  rounds: number,
  r0: Float64Array,
  options: FitLowRankOptions,
): LowRankFit {
  const ops = lplrOps(a, m, n, h, k, options);
  let hrt = ops.hrt(r0); // H·Rᵀ
  let ahrt = ops.ahrt(hrt); // A·H·Rᵀ
  let rhrt = ops.rhrt(r0, hrt); // R·H·Rᵀ
  let best: LowRankFit | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let t = 0; t < rounds; t++) {
    // L-solve: L·(R H Rᵀ) = A H Rᵀ  ⇔  (R H Rᵀ)·Lᵀ = (A H Rᵀ)ᵀ
    const lt = ops.lSolve(rhrt, ahrt);
    const lq = quantizeMatrix(lt, k, m, spec);
    const ltq = lq.values; // Lᵀ, k×m
    // R-solve: (LᵀL)·R = Lᵀ·A
    const ltl = ops.gram(ltq);
    const rCur = ops.rSolve(ltl, ltq);
    const rq = quantizeMatrix(rCur, k, n, spec);
    hrt = ops.hrt(rq.values);
    ahrt = ops.ahrt(hrt);
    rhrt = ops.rhrt(rq.values, hrt);
    // ‖(A − LR)H^{1/2}‖² − tr(AHAᵀ) = −2·tr(Lᵀ·A·H·Rᵀ) + tr(LᵀL·R·H·Rᵀ)
    const l = transpose(ltq, k, m);
    const score = -2 * dot(l, ahrt) + dot(ltl, rhrt);
    if (score < bestScore || best === null) {
      bestScore = score;
      best = { k, l, r: rq.values, lStored: lq.stored, rStored: rq.stored };
    }
  }
  return best as LowRankFit;
}
