/**
 * `calderaDecompose`: W ≈ Q + L·R for one weight matrix given its Hessian (algorithms.md §3).
 */
import { Rng, throwIfAborted } from '@caldera/core';
import { regularizeHessian, relativeDataAwareError } from './hessian';
import { mul, rms, toF32 } from './internal/dense';
import { hessianNorm2Fast, planHessianNorm } from './internal/hessian-norm';
import { fitLowRank, type LowRankFit } from './lr-step';
import { type CalderaOptions, resolveCalderaOptions } from './options';
import { type LdlCache, quantizeResidual } from './q-step';
import type { StoredMatrix } from './quantizer';
import {
  type Decomposition,
  type IterationRecord,
  type MethodName,
  makeDecomposition,
} from './result';
import { makeRotation, rotateHessian, rotateWeights } from './rotation';
import { validateProblem } from './validate';

/**
 * The size m·n·k (multiply-adds of one A·X product of the LPLR rounds) from which
 * {@link calderaDecompose} runs the LPLR products in float32: 2²⁴, about half a millisecond of
 * `sgemm` on two threads. Below it the float64 reference path is used.
 *
 * @example
 * ```ts
 * 1024 * 1024 * 256 >= LPLR_FLOAT32_MIN_WORK; // true: the 1024² rank-256 benchmark runs float32
 * ```
 */
export const LPLR_FLOAT32_MIN_WORK = 2 ** 24;

/**
 * CALDERA on one matrix: regularise H (H/mean(diag) + σ·I), divide W by its RMS g, rotate
 * both sides with the RHT (padding any dimension without a K·2^j factorisation), then
 * alternate the LR step (whitened closed form + LPLR) and the Q step (LDLQ, optional Hessian
 * downdate) for `iterations` rounds in `order`, keeping the iterate of lowest data-aware
 * error once every step has run at least once. Progress: one `progress` event per iteration
 * (task `'caldera'`, metrics `error` and `bestError`), and a `done` event whose metrics also
 * hold the wall seconds of each phase (`secondsSetup`: rotation, factorisations, tr(W_r·H_r·W_rᵀ);
 * `secondsLowRank`: LR steps; `secondsQuantize`: Q steps; `secondsError`: the error after each
 * step; `secondsFinal`: reconstruction and the final error); `signal` is checked between steps.
 *
 * Speed (the same results up to float32 rounding inside the LPLR rounds): the LPLR products run
 * in float32 (`precision: 'float32'` of {@link fitLowRank}) once m·n·k reaches
 * {@link LPLR_FLOAT32_MIN_WORK} (smaller problems keep the float64 path, where float32 saves
 * nothing measurable and their results stay bit-stable); the block LDL of H is computed once
 * and reused by every Q step (without the downdate); the error after a Q step is LDLQ's own
 * float64 loss, after an LR step ‖Δ·C‖² with H = C·Cᵀ in float32 products summed in float64.
 *
 * @param w - W, m×n row-major (out_features × in_features)
 * @param m - rows
 * @param n - columns
 * @param h - H = E[x·xᵀ], n×n row-major, symmetric
 * @param options - see {@link CalderaOptions}; defaults {@link CALDERA_DEFAULTS}
 * @param method - label recorded in the result (used by the baselines)
 * @returns the decomposition (best iterate) with its error trace
 * @throws CalderaError `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `HESSIAN_NOT_SYMMETRIC`,
 *   `RANK_TOO_LARGE`, `INVALID_OPTIONS`, `ABORTED`
 * @example
 * ```ts
 * const d = calderaDecompose(w, 64, 128, h, { rank: 8, iterations: 4 });
 * console.log(d.dataAwareError, d.bitsPerParameter);
 * const wHat = d.reconstruct();
 * ```
 */
export function calderaDecompose(
  w: Float32Array | Float64Array,
  m: number,
  n: number,
  h: Float64Array | Float32Array,
  options: CalderaOptions = {},
  method: MethodName = 'caldera',
): Decomposition {
  const o = resolveCalderaOptions(options);
  validateProblem(w, m, n, h, o.rank);
  const { onProgress, signal } = options;
  const seconds = { setup: 0, lowRank: 0, quantize: 0, error: 0, final: 0 };
  let t0 = performance.now();
  const lap = (phase: keyof typeof seconds): void => {
    const t = performance.now();
    seconds[phase] += (t - t0) / 1000;
    t0 = t;
  };
  const rng = new Rng(o.seed);
  const rmsW = rms(w);
  const g = rmsW || 1; // an all-zero W stays zero: globalScale 0 below
  const rot = makeRotation(m, n, o.rht, rng);
  const wr = rotateWeights(rot, w);
  for (let i = 0; i < wr.length; i++) wr[i]! /= g;
  const hr = rotateHessian(
    rot,
    regularizeHessian(h, n, o.sigmaReg),
    o.sigmaReg > 0 ? o.sigmaReg : 0.01,
  );
  const { mp, np } = rot;
  const k = o.rank;
  const norm = planHessianNorm(hr, np);
  const denom = hessianNorm2Fast(norm, wr, mp) || 1;
  const precision = mp * np * k >= LPLR_FLOAT32_MIN_WORK ? 'float32' : 'float64';
  const h32 = precision === 'float32' && o.lplrRounds > 0 ? toF32(hr) : undefined;
  const ldlCache: LdlCache = {};
  lap('setup');
  const steps = o.order.filter((s) => s === 'Q' || k > 0);
  const needed = new Set(steps);
  const seen = new Set<string>();
  let qVals: Float64Array = new Float64Array(mp * np);
  let qStored: StoredMatrix | null = null;
  let fit: LowRankFit | null = null;
  let lrVals: Float64Array = new Float64Array(mp * np);
  const trace: IterationRecord[] = [];
  let best: { q: StoredMatrix | null; fit: LowRankFit | null; it: number; err: number } | null =
    null;
  onProgress?.({ type: 'start', task: 'caldera', total: o.iterations, unit: 'iterations' });
  const resid = new Float64Array(mp * np);
  let err2: number | undefined;
  for (let it = 0; it < o.iterations; it++) {
    for (const step of steps) {
      throwIfAborted(signal, 'calderaDecompose');
      if (step === 'LR') {
        for (let i = 0; i < resid.length; i++) resid[i] = wr[i]! - qVals[i]!;
        const init = o.lrWarmStart && fit !== null ? fit.r : null;
        fit = fitLowRank(resid, mp, np, hr, k, o.lrQuantizer, o.lplrRounds, o.svd, rng, init, {
          precision,
          ...(h32 ? { h32 } : {}),
        });
        lrVals = mul('N', 'N', mp, np, k, fit.l, fit.r);
        err2 = undefined;
        lap('lowRank');
      } else {
        for (let i = 0; i < resid.length; i++) resid[i] = wr[i]! - lrVals[i]!;
        const res = quantizeResidual(
          resid,
          mp,
          np,
          hr,
          fit?.r ?? null,
          k,
          o.qQuantizer,
          o.downdate,
          o.sigmaReg2,
          o.tuneIters,
          signal,
          ldlCache,
          o.threads,
        );
        qVals = res.values;
        qStored = res.stored;
        err2 = res.loss;
        lap('quantize');
      }
      seen.add(step);
      if (err2 === undefined) {
        for (let i = 0; i < resid.length; i++) resid[i] = wr[i]! - qVals[i]! - lrVals[i]!;
        err2 = hessianNorm2Fast(norm, resid, mp);
      }
      const err = Math.sqrt(Math.max(0, err2) / denom);
      lap('error');
      trace.push({ iteration: it, step, error: err });
      if ([...needed].every((s) => seen.has(s)) && (best === null || err < best.err)) {
        best = { q: qStored, fit, it, err };
      }
    }
    onProgress?.({
      type: 'progress',
      task: 'caldera',
      current: it + 1,
      total: o.iterations,
      unit: 'iterations',
      metrics: { error: trace[trace.length - 1]!.error, bestError: best?.err ?? Number.NaN },
    });
  }
  const b = best ?? { q: qStored, fit, it: o.iterations - 1, err: Number.NaN };
  const d = makeDecomposition({
    method,
    m,
    n,
    rank: b.fit ? k : 0,
    globalScale: rmsW === 0 ? 0 : g,
    rotation: rot,
    q: b.q,
    l: b.fit?.lStored ?? null,
    r: b.fit?.rStored ?? null,
    options: { ...o },
    trace,
    bestIteration: b.it,
    dataAwareError: 0,
  });
  d.dataAwareError = relativeDataAwareError(w, d.reconstruct(), m, n, h);
  lap('final');
  onProgress?.({
    type: 'done',
    task: 'caldera',
    metrics: {
      error: d.dataAwareError,
      bitsPerParameter: d.bitsPerParameter,
      secondsSetup: seconds.setup,
      secondsLowRank: seconds.lowRank,
      secondsQuantize: seconds.quantize,
      secondsError: seconds.error,
      secondsFinal: seconds.final,
    },
  });
  return d;
}
