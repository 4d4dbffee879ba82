/**
 * The Q step of algorithms.md §5: optional Hessian downdate (remove the input directions
 * already served by L·R), then LDLQ of the residual.
 */
import { CalderaError } from '@caldera/core';
import { blockLdl, choleskyWithJitter, orthonormalize } from '@caldera/linalg';
import { ldlqE8, ldlqUniform } from '@caldera/quant';
import { mul, rms, transpose } from './internal/dense';
import { e8NameForBits, type QuantizerSpec, type StoredMatrix } from './quantizer';

/**
 * Result of {@link ldlqQuantize}: the stored codes and their dequantised values.
 *
 * @example
 * ```ts
 * const r: LdlqQuantized = ldlqQuantize(b, m, n, h, { family: 'e8p', bits: 2 }, 10);
 * ```
 */
export interface LdlqQuantized {
  /** The stored matrix (codes and scales). */
  stored: StoredMatrix;
  /** Dequantised values, m×n row-major. */
  values: Float64Array;
  /**
   * tr((B − Q)·H·(B − Q)ᵀ) for the H that LDLQ rounded against, from LDLQ's own float64 loss
   * of its final sweep (so it costs nothing); absent when LDLQ padded the columns (E8 family
   * with n not a multiple of 8), where its loss also counts the padding.
   */
  loss?: number;
}

/**
 * The block LDL factorisation `blockLdl(H, n, g)` of @caldera/linalg that LDLQ needs (g = 8 for
 * the E8 family, 1 for uniform), kept across Q steps against the same H: it does not change
 * between iterations unless the Hessian downdate is on.
 *
 * @example
 * ```ts
 * const cache: LdlCache = {};
 * quantizeResidual(b, m, n, h, null, 0, spec, false, 0.01, 10, undefined, cache); // fills it
 * ```
 */
export interface LdlCache {
  /** The H factored (compared by identity). */
  h?: Float64Array;
  /** The block size. */
  g?: number;
  /** The factors. */
  ldl?: { l: Float64Array; d: Float64Array };
}

/**
 * The block size of LDLQ for a quantiser: 8 for the E8 family, 1 for uniform scalars.
 *
 * @param spec - the quantiser
 * @returns the block size
 * @example
 * ```ts
 * ldlqBlockSize({ family: 'e8p', bits: 2 }); // 8
 * ```
 */
export function ldlqBlockSize(spec: QuantizerSpec): number {
  return spec.family === 'e8p' ? 8 : 1;
}

/**
 * LDLQ of B (m×n) against H through @caldera/quant (`ldlqE8` with the scale RMS(B)/optScale of
 * §5 step 1, or `ldlqUniform` with one symmetric absmax scale per row group).
 *
 * @param b - B, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n SPD
 * @param spec - the quantiser (E8 family or uniform)
 * @param tuneIters - tune sweeps (reference 10)
 * @param signal - cancels the LDLQ passes (CalderaError `ABORTED`)
 * @param ldl - a precomputed `blockLdl(h, n, ldlqBlockSize(spec))` (n must then be a multiple of
 *   the block size); computed inside LDLQ when absent
 * @param threads - LDLQ threads (rows split with a helper thread; bit-identical; default 1)
 * @returns codes, values and the loss
 * @throws CalderaError `INVALID_OPTIONS` for a float quantiser; `SHAPE_MISMATCH` for an `ldl`
 *   that does not fit; `ABORTED`
 * @example
 * ```ts
 * const q = ldlqQuantize(b, 64, 128, h, { family: 'e8p', bits: 2 }, 10);
 * ```
 */
export function ldlqQuantize(
  b: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  spec: QuantizerSpec,
  tuneIters: number,
  signal?: AbortSignal,
  ldl?: { l: Float64Array; d: Float64Array },
  threads = 1,
): LdlqQuantized {
  if (ldl && (n % ldlqBlockSize(spec) !== 0 || ldl.l.length !== n * n)) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `ldlqQuantize: a precomputed LDL needs n (${n}) a multiple of ${ldlqBlockSize(spec)} and ${n}×${n} factors`,
    );
  }
  const last = (h: number[]): number => h[h.length - 1]!;
  if (spec.family === 'e8p') {
    const r = ldlqE8(e8NameForBits(spec.bits), b, m, n, h, {
      tuneIters,
      signal,
      threads,
      scale: rms(b) > 0 ? undefined : 1,
      ...(ldl ? { ldl } : {}),
    });
    const s = r.quantized.scale;
    return {
      stored: { kind: 'quantized', q: r.quantized },
      values: Float64Array.from(r.dequantized),
      ...(n % 8 === 0 && r.lossHistory.length > 0 ? { loss: s * s * last(r.lossHistory) } : {}),
    };
  }
  if (spec.family === 'uniform') {
    const r = ldlqUniform(
      b,
      m,
      n,
      h,
      { bits: spec.bits, groupSize: spec.groupSize ?? n },
      { tuneIters, signal, threads, ...(ldl ? { ldl } : {}) },
    );
    return {
      stored: { kind: 'quantized', q: r.quantized },
      values: Float64Array.from(r.dequantized),
      ...(r.lossHistory.length > 0 ? { loss: last(r.lossHistory) } : {}),
    };
  }
  throw new CalderaError('INVALID_OPTIONS', 'ldlqQuantize: Q needs a quantiser, not float');
}

/**
 * The downdated Hessian H' = H − C·P·Pᵀ·Cᵀ (C = chol(H), P an orthonormal basis of the row
 * space of R·C, which is the top-k right singular subspace of L·R·C when L has full column
 * rank), re-regularised: H' += σ₂·I, then H' += σ₂·|mean diag H'|·I. H' is positive
 * semi-definite by construction (C·(I − PPᵀ)·Cᵀ), so the reference's −λ_min shift is 0 up to
 * round-off, which the first σ₂ covers.
 *
 * @param h - H, n×n SPD
 * @param n - order
 * @param r - R, k×n (dequantised)
 * @param k - rank
 * @param sigma2 - σ₂ (reference 0.01)
 * @returns H'
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` when H cannot be factored even with jitter
 * @example
 * ```ts
 * const hq = downdateHessian(h, 128, fit.r, 8, 0.01);
 * ```
 */
export function downdateHessian(
  h: Float64Array,
  n: number,
  r: Float64Array,
  k: number,
  sigma2: number,
): Float64Array {
  const c = choleskyWithJitter(h, n).l;
  const rc = mul('N', 'N', k, n, n, r, c); // R·C, k×n
  const p = orthonormalize(transpose(rc, k, n), n, k); // n×k
  const cp = mul('N', 'N', n, k, n, c, p);
  const cpcp = mul('N', 'T', n, n, k, cp, cp);
  const out = new Float64Array(n * n);
  for (let i = 0; i < out.length; i++) out[i] = h[i]! - cpcp[i]!;
  let md = 0;
  for (let i = 0; i < n; i++) {
    out[i * n + i]! += sigma2;
    md += out[i * n + i]!;
  }
  md = Math.abs(md / n);
  for (let i = 0; i < n; i++) out[i * n + i]! += sigma2 * md;
  return out;
}

/**
 * Quantises B = W_r − L·R with LDLQ against H (or the downdated H' when `r` is given and
 * `downdate` is set). Against H itself, the block LDL of H is taken from `cache` (or computed
 * and stored there), and the result's `loss` is tr((B − Q)·H·(B − Q)ᵀ); against H' it has no
 * `loss` (that would be measured with H').
 *
 * @param b - B, m×n
 * @param m - rows
 * @param n - columns
 * @param h - H, n×n SPD
 * @param r - R (k×n) of the current low-rank part, or null
 * @param k - its rank
 * @param spec - Q's quantiser
 * @param downdate - apply the Hessian downdate
 * @param sigma2 - σ₂ of the downdate
 * @param tuneIters - LDLQ tune sweeps
 * @param signal - cancels the LDLQ passes
 * @param cache - keeps the block LDL of H across calls with the same H (compared by identity)
 * @param threads - LDLQ threads (see {@link ldlqQuantize})
 * @returns codes and dequantised Q
 * @example
 * ```ts
 * const q = quantizeResidual(b, m, n, h, fit.r, 8, { family: 'e8p', bits: 2 }, true, 0.01, 10);
 * ```
 */
export function quantizeResidual(
  b: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  r: Float64Array | null,
  k: number,
  spec: QuantizerSpec,
  downdate: boolean,
  sigma2: number,
  tuneIters: number,
  signal?: AbortSignal,
  cache?: LdlCache,
  threads = 1,
): LdlqQuantized {
  if (downdate && r !== null && k > 0) {
    const { loss: _, ...res } = ldlqQuantize(
      b,
      m,
      n,
      downdateHessian(h, n, r, k, sigma2),
      spec,
      tuneIters,
      signal,
      undefined,
      threads,
    );
    return res;
  }
  const g = ldlqBlockSize(spec);
  let ldl: { l: Float64Array; d: Float64Array } | undefined;
  if (cache && spec.family !== 'float' && n % g === 0) {
    if (cache.ldl === undefined || cache.h !== h || cache.g !== g) {
      const f = blockLdl(h, n, g);
      cache.h = h;
      cache.g = g;
      cache.ldl = { l: f.l, d: f.d };
    }
    ldl = cache.ldl;
  }
  return ldlqQuantize(b, m, n, h, spec, tuneIters, signal, ldl, threads);
}
