/**
 * Options of the CALDERA solver. Rank 64, E8P 2-bit Q, 4-bit E8P12RVQ4B factors, exact SVD and
 * σ_reg = 0.01 follow the reference (algorithms.md §9). The loop settings were chosen by
 * measurement on pycode-6m's layers with real Hessians (`bench/defaults-bench.ts`, the page
 * apps/docs/pages/measurements/defaults.md), as the lowest calibrated error per second:
 * 2 outer iterations (the third cuts the mean error by < 0.5%; 15 instead of 2 buys 1.3% for 7.5× the
 * time), 2 LPLR rounds (the lowest error of 1, 2, 3, 5, 10), the LR step warm-started from
 * the previous iterate (lower error, and it skips the SVD), RHT on (error +4% without it), no
 * Hessian downdate (error +21% with it: it leaves the factors' rounding error uncorrected in
 * the directions L·R serves).
 */
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import { checkSpec, type QuantizerSpec } from './quantizer';
import type { SvdMode } from './top-subspace';

/**
 * Options of {@link calderaDecompose}. Every field is optional; see {@link CALDERA_DEFAULTS}.
 *
 * @example
 * ```ts
 * const o: CalderaOptions = { rank: 16, iterations: 5, lrQuantizer: { family: 'float' } };
 * ```
 */
export interface CalderaOptions extends LongRunningOptions {
  /** Rank k of L·R (default 64; must be ≤ min(m, n)). 0 gives Q alone. */
  rank?: number;
  /** Quantiser of Q (default E8P12, 2 bits). */
  qQuantizer?: QuantizerSpec;
  /** Quantiser of L and R (default E8P12RVQ4B, 4 bits; `{ family: 'float' }` keeps float16). */
  lrQuantizer?: QuantizerSpec;
  /** Outer alternations (default 2, measured). */
  iterations?: number;
  /** LPLR rounds per LR step (default 2, measured). */
  lplrRounds?: number;
  /**
   * Warm-start each LR step's LPLR rounds from the previous iterate's R instead of a fresh
   * closed-form (SVD) initialisation (default true, measured).
   */
  lrWarmStart?: boolean;
  /** Hessian downdate before LDLQ (default false, measured). */
  downdate?: boolean;
  /** Randomized Hadamard transform on both sides (default true). */
  rht?: boolean;
  /** Exact or randomized SVD for the LR initialisation (default `'exact'`). */
  svd?: SvdMode;
  /** LDLQ tune sweeps (default 10). */
  tuneIters?: number;
  /**
   * Threads of the Q step's LDLQ (default 1; 2 or more split the rows with a helper worker
   * thread in Node, bit-identical results). Leave it at 1 inside a layer pool that already
   * runs one layer per thread.
   */
  threads?: number;
  /** σ_reg added to H after normalising its mean diagonal to 1 (default 0.01). */
  sigmaReg?: number;
  /** σ_reg2 of the downdated Hessian (default 0.01). */
  sigmaReg2?: number;
  /** Step order within an iteration (default `['LR', 'Q']`). */
  order?: readonly ('LR' | 'Q')[];
  /** Seed of the RHT signs and the randomized SVD (default 42). */
  seed?: number;
}

/**
 * The resolved options (every field set), as recorded in a result.
 *
 * @example
 * ```ts
 * const r: ResolvedCalderaOptions = resolveCalderaOptions({});
 * ```
 */
export type ResolvedCalderaOptions = Required<Omit<CalderaOptions, 'onProgress' | 'signal'>>;

/**
 * The defaults.
 *
 * @example
 * ```ts
 * CALDERA_DEFAULTS.rank; // 64
 * ```
 */
export const CALDERA_DEFAULTS: Readonly<ResolvedCalderaOptions> = Object.freeze({
  rank: 64,
  qQuantizer: { family: 'e8p', bits: 2 },
  lrQuantizer: { family: 'e8p', bits: 4 },
  iterations: 2,
  lplrRounds: 2,
  downdate: false,
  lrWarmStart: true,
  rht: true,
  svd: 'exact',
  tuneIters: 10,
  threads: 1,
  sigmaReg: 0.01,
  sigmaReg2: 0.01,
  order: ['LR', 'Q'],
  seed: 42,
} as ResolvedCalderaOptions);

function nonNegInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `${what} must be a non-negative integer, got ${describeValue(v)}`,
    );
  }
  return v;
}

/**
 * Fills in defaults and validates.
 *
 * @param o - the caller's options
 * @returns every field set
 * @throws CalderaError `INVALID_OPTIONS` for a bad value (negative counts, unknown quantiser,
 *   non-finite σ, a Q quantiser of family float, an empty or unknown step order)
 * @example
 * ```ts
 * resolveCalderaOptions({ rank: 8 }).iterations; // 2
 * ```
 */
export function resolveCalderaOptions(o: CalderaOptions): ResolvedCalderaOptions {
  const r = { ...CALDERA_DEFAULTS } as ResolvedCalderaOptions;
  for (const [key, value] of Object.entries(o)) {
    if (value !== undefined && key !== 'onProgress' && key !== 'signal')
      (r as unknown as Record<string, unknown>)[key] = value;
  }
  nonNegInt(r.rank, 'rank');
  nonNegInt(r.iterations, 'iterations');
  nonNegInt(r.lplrRounds, 'lplrRounds');
  nonNegInt(r.tuneIters, 'tuneIters');
  nonNegInt(r.threads, 'threads');
  if (r.threads < 1) throw new CalderaError('INVALID_OPTIONS', 'threads must be at least 1');
  if (r.iterations < 1) throw new CalderaError('INVALID_OPTIONS', 'iterations must be at least 1');
  checkSpec(r.qQuantizer, 'qQuantizer');
  checkSpec(r.lrQuantizer, 'lrQuantizer');
  if (r.qQuantizer.family === 'float') {
    throw new CalderaError(
      'INVALID_OPTIONS',
      'qQuantizer cannot be float: Q is the quantised part',
    );
  }
  if (
    !(
      r.sigmaReg >= 0 &&
      Number.isFinite(r.sigmaReg) &&
      r.sigmaReg2 >= 0 &&
      Number.isFinite(r.sigmaReg2)
    )
  ) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `sigmaReg/sigmaReg2 must be finite and ≥ 0, got ${describeValue([r.sigmaReg, r.sigmaReg2])}`,
    );
  }
  if (r.svd !== 'exact' && r.svd !== 'randomized') {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `svd must be 'exact' or 'randomized', got ${describeValue(r.svd)}`,
    );
  }
  if (
    !Array.isArray(r.order) ||
    r.order.length === 0 ||
    r.order.some((s) => s !== 'LR' && s !== 'Q')
  ) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `order must list 'LR' and/or 'Q', got ${describeValue(r.order)}`,
    );
  }
  if (!Number.isFinite(r.seed))
    throw new CalderaError('INVALID_OPTIONS', `seed must be finite, got ${describeValue(r.seed)}`);
  return r;
}
