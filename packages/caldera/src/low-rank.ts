/**
 * LoRD-style low-rank decompositions with float factors (algorithms.md §13): W ≈ L·R with
 * L = U_k (orthonormal, m×k) and R = U_kᵀ·W (k×n), where U_k spans
 * - `'weight-svd'`: the top left singular vectors of W (optimal in the Frobenius norm);
 * - `'whitened-svd'`: those of W·H^{1/2} (optimal in the data-aware norm; CALDERA's LR
 *   initialisation and SVD-LLM's whitening: trunc_k(W·H^{1/2})·H^{−1/2} = U_k·U_kᵀ·W);
 * - `'output-pca'`: the top eigenvectors of the output second moment E[y·yᵀ] (m×m), as in
 *   LoRD / atomic feature mimicking. With E[yyᵀ] = W·H·Wᵀ this equals the whitened SVD.
 */
import { CalderaError, describeValue, Rng } from '@caldera/core';
import { regularizeHessian, relativeDataAwareError } from './hessian';
import { mul } from './internal/dense';
import { type Decomposition, makeDecomposition } from './result';
import { makeRotation } from './rotation';
import { symEig, topSubspace } from './top-subspace';
import { validateProblem } from './validate';

/**
 * How the rank is chosen: fixed; smallest k keeping an `energy` fraction of the spectrum;
 * smallest k whose relative error in the method's norm, sqrt(Σ_{i≥k} λᵢ / Σ λᵢ), is at most
 * `errorBudget`; or the largest k with k·(m+n) ≤ (1 − `parameterReduction`)·m·n.
 *
 * @example
 * ```ts
 * const r: RankRule = { parameterReduction: 0.5 };
 * ```
 */
export type RankRule =
  | { rank: number }
  | { energy: number }
  | { errorBudget: number }
  | { parameterReduction: number };

/**
 * The low-rank methods.
 *
 * @example
 * ```ts
 * const m: LowRankMethod = 'whitened-svd';
 * ```
 */
export type LowRankMethod = 'weight-svd' | 'whitened-svd' | 'output-pca';

/**
 * Options of {@link lowRankDecompose}.
 *
 * @example
 * ```ts
 * const o: LowRankOptions = { rule: { energy: 0.95 } };
 * ```
 */
export interface LowRankOptions {
  /** Rank rule (default `{ energy: 0.9 }`). */
  rule?: RankRule;
  /** `'output-pca'`: E[y·yᵀ], m×m (default W·H·Wᵀ from the given H). */
  outputMoment?: Float64Array | Float32Array;
  /** Ridge added to H/mean(diag H) for the whitened SVD (default 1e-6). */
  sigmaReg?: number;
}

/**
 * Picks k from a descending spectrum by a {@link RankRule}.
 *
 * @param spectrum - λᵢ ≥ 0, descending
 * @param m - rows
 * @param n - columns
 * @param rule - the rule
 * @returns k in 1..min(m, n)
 * @throws CalderaError `RANK_TOO_LARGE` for a fixed rank above min(m, n); `INVALID_OPTIONS` for
 *   an out-of-range fraction or a parameter reduction no rank ≥ 1 can meet
 * @example
 * ```ts
 * selectRank(new Float64Array([9, 1, 0]), 3, 3, { energy: 0.9 }); // 1
 * ```
 */
export function selectRank(spectrum: Float64Array, m: number, n: number, rule: RankRule): number {
  const kmax = Math.min(m, n, spectrum.length);
  if ('rank' in rule) {
    if (!Number.isInteger(rule.rank) || rule.rank < 1) {
      throw new CalderaError(
        'INVALID_OPTIONS',
        `rank must be a positive integer, got ${describeValue(rule.rank)}`,
      );
    }
    if (rule.rank > Math.min(m, n)) {
      throw new CalderaError(
        'RANK_TOO_LARGE',
        `rank ${rule.rank} exceeds min(m, n) = ${Math.min(m, n)}`,
      );
    }
    return rule.rank;
  }
  if ('parameterReduction' in rule) {
    const rho = rule.parameterReduction;
    if (!(rho >= 0 && rho < 1)) {
      throw new CalderaError(
        'INVALID_OPTIONS',
        `parameterReduction must be in [0, 1), got ${describeValue(rho)}`,
      );
    }
    const k = Math.min(kmax, Math.floor(((1 - rho) * m * n) / (m + n)));
    if (k < 1)
      throw new CalderaError(
        'INVALID_OPTIONS',
        `no rank ≥ 1 reduces ${m}×${n} parameters by ${rho}`,
      );
    return k;
  }
  const frac = 'energy' in rule ? rule.energy : 1 - rule.errorBudget ** 2;
  const given = 'energy' in rule ? rule.energy : rule.errorBudget;
  if (!(Number.isFinite(given) && given >= 0 && given <= 1)) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `rank rule fraction must be in [0, 1], got ${describeValue(rule)}`,
    );
  }
  let total = 0;
  for (const v of spectrum) total += v;
  let acc = 0;
  for (let k = 1; k <= kmax; k++) {
    acc += spectrum[k - 1]!;
    if (acc >= frac * total * (1 - 1e-12)) return k;
  }
  return kmax;
}

/**
 * Low-rank decomposition with float32 factors (see the module comment for the methods).
 *
 * @param method - `'weight-svd'`, `'whitened-svd'` or `'output-pca'`
 * @param w - W, m×n row-major
 * @param m - rows
 * @param n - columns
 * @param h - H (n×n) for the whitened SVD, the default output moment and the reported error;
 *   null means H = I
 * @param options - rank rule, output moment, ridge
 * @returns the decomposition (L = lᵀ, R = r) with its {@link LowRankReport}
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `HESSIAN_NOT_SYMMETRIC`,
 *   `RANK_TOO_LARGE`, `INVALID_OPTIONS`
 * @example
 * ```ts
 * const d = lowRankDecompose('whitened-svd', w, 64, 128, h, { rule: { parameterReduction: 0.5 } });
 * d.lowRank?.factoredParameters; // ≤ 0.5 · 64 · 128
 * ```
 */
export function lowRankDecompose(
  method: LowRankMethod,
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array | null,
  options: LowRankOptions = {},
): Decomposition {
  const rule = options.rule ?? { energy: 0.9 };
  validateProblem(
    w,
    m,
    n,
    h,
    'rank' in rule && Number.isInteger(rule.rank) && rule.rank >= 0 ? rule.rank : 0,
  );
  const w64 = Float64Array.from(w);
  let u: Float64Array;
  let spectrum: Float64Array;
  let ldu: number;
  if (method === 'output-pca') {
    const mom = options.outputMoment;
    let g: Float64Array;
    if (mom) {
      validateProblem(new Float32Array(m * m), m, m, mom, 0);
      g = Float64Array.from(mom);
    } else {
      g = h
        ? mul('N', 'T', m, m, n, w64, mul('N', 'N', m, n, n, w64, Float64Array.from(h)))
        : mul('N', 'T', m, m, n, w64, w64);
    }
    const e = symEig(g, m);
    u = e.vectors;
    ldu = m;
    spectrum = e.values.map((v) => Math.max(0, v));
  } else if (method === 'weight-svd' || method === 'whitened-svd') {
    const hh =
      method === 'whitened-svd' && h ? regularizeHessian(h, n, options.sigmaReg ?? 1e-6) : null;
    const kAll = Math.min(m, n);
    const t = topSubspace(w64, m, n, hh, kAll, 'exact', new Rng(0));
    u = t.u;
    ldu = kAll;
    spectrum = t.values.subarray(0, kAll);
  } else {
    throw new CalderaError('INVALID_OPTIONS', `unknown low-rank method ${describeValue(method)}`);
  }
  const k = selectRank(spectrum, m, n, rule);
  const ut = new Float32Array(k * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) ut[j * m + i] = u[i * ldu + j]!;
  const r = mul('N', 'N', k, n, m, Float64Array.from(ut), w64);
  let total = 0;
  let kept = 0;
  spectrum.forEach((v, i) => {
    total += v;
    if (i < k) kept += v;
  });
  const d = makeDecomposition({
    method,
    m,
    n,
    rank: k,
    globalScale: 1,
    rotation: makeRotation(m, n, false, new Rng(0)),
    q: null,
    l: { kind: 'float32', rows: k, cols: m, values: ut },
    r: { kind: 'float32', rows: k, cols: n, values: Float32Array.from(r) },
    options: {
      method,
      rule,
      sigmaReg: options.sigmaReg ?? 1e-6,
      outputMoment: options.outputMoment ? 'given' : 'W·H·Wᵀ',
    },
    trace: [],
    bestIteration: -1,
    dataAwareError: 0,
  });
  d.lowRank = {
    denseParameters: m * n,
    factoredParameters: k * (m + n),
    denseFlops: 2 * m * n,
    factoredFlops: 2 * k * (m + n),
    energyKept: total > 0 ? kept / total : 1,
    spectrum: Float64Array.from(spectrum),
  };
  const eye = h ?? identity(n);
  d.dataAwareError = relativeDataAwareError(w, d.reconstruct(), m, n, eye);
  return d;
}

function identity(n: number): Float64Array {
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}
