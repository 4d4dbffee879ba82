import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import { blockLdl, dgemm } from '@caldera/linalg';
import { blockInverses, flushUpdates, loss, quadAround, tuneTargets8 } from './ldlq-kernels';
import { flushWorkspace } from './ldlq-wasm';

/**
 * LDLQ, the Hessian-aware rounding of algorithms.md §5 (steps 3–5), for any block rounder.
 *
 * Loss: tr((B − Ŵ) H (B − Ŵ)ᵀ) for B (m × n, normalised weights) and SPD H (n × n), the rows
 * of B independent. With H = L D Lᵀ (block LDL, block size g, L unit block-lower):
 *
 * 1. Feedback pass, blocks in reverse order: T_k = B_k + (B − Ŵ)_{>k} L[>k, k], Ŵ_k = Q(T_k).
 *    Done by column panels of `panel` columns: inside a panel a small product per block, after
 *    a panel one GEMM pushes its errors into all earlier columns.
 * 2. G = (B − Ŵ) H, computed cheaply as R D Lᵀ with R = T − Ŵ (since (B − Ŵ) L = R).
 * 3. `tuneIters` block Gauss–Seidel sweeps in reverse block order:
 *    T_k = Ŵ_k + G[:, k] H_kk⁻¹ (the exact minimiser for block k, others fixed), rounded.
 *    Per row, the new rounding is kept only if it does not increase that row's block loss
 *    (v − T_k) H_kk (v − T_k)ᵀ — so a sweep never increases the loss (for scalar rounders the
 *    guard never fires: nearest is optimal in one dimension). G is updated for changed rows.
 *
 * Everything H-related is float64.
 */

/**
 * Rounds blocks of g columns to a quantiser's grid (and remembers the codes).
 *
 * @example
 * ```ts
 * const r: BlockRounder = {
 *   blockSize: 1,
 *   round: (t, out, codes) => t.forEach((v, i) => { out[i] = Math.round(v); codes[i] = 0; }),
 * };
 * ```
 */
export interface BlockRounder {
  /** Columns rounded jointly (8 for the E8 family, 1 for scalar). */
  readonly blockSize: number;
  /**
   * Rounds the row-major block `target` (columns k·g … k·g+g−1, one row per entry of
   * `codes`) into `out` (grid values) and writes one code per row into `codes`. Without
   * `rows` the block holds every matrix row in order; with it (the tune sweeps skip rows whose
   * result cannot change) block row q is matrix row `rows[q]`.
   */
  round(
    target: Float64Array,
    out: Float64Array,
    codes: Uint32Array,
    k: number,
    rows?: Int32Array,
  ): void;
}

/**
 * Options of {@link ldlqCore}.
 *
 * @example
 * ```ts
 * const o: LdlqCoreOptions = { tuneIters: 10, panel: 128 };
 * ```
 */
export interface LdlqCoreOptions extends LongRunningOptions {
  /** Block Gauss–Seidel tune sweeps after the feedback pass (default 10). */
  tuneIters?: number;
  /** Panel width in columns for the feedback pass (multiple of g; default 128). */
  panel?: number;
  /**
   * A precomputed `blockLdl(H, n, g)` of @caldera/linalg (e.g. shared by workers that each
   * run LDLQ on a slice of rows — rows are independent, so slicing is exact).
   */
  ldl?: { l: Float64Array; d: Float64Array };
  /**
   * Block size 8 only: run the tune sweeps' G updates in the WebAssembly SIMD kernel where
   * available (default true; results are bit-identical either way).
   */
  wasm?: boolean;
  /**
   * Skip, in the tune sweeps, the rows whose outcome is already known (unchanged since the
   * block's previous visit; default true). `false` visits every row (the plain reference;
   * results are identical).
   */
  skipUnchanged?: boolean;
}

/**
 * Result of {@link ldlqCore}.
 *
 * @example
 * ```ts
 * const r: LdlqCoreResult = { what: new Float64Array(0), codes: new Uint32Array(0), lossHistory: [], timings: {} };
 * ```
 */
export interface LdlqCoreResult {
  /** Ŵ, m × n row-major: the rounded values (grid points) of the final sweep. */
  what: Float64Array;
  /** The codes of Ŵ, m × (n/g) row-major. */
  codes: Uint32Array;
  /** tr((B − Ŵ) H (B − Ŵ)ᵀ) after the feedback pass and after each tune sweep. */
  lossHistory: number[];
  /** Seconds spent in each phase. */
  timings: Record<string, number>;
}

/**
 * Runs LDLQ (module comment) on B (m × n) with H (n × n); n must be a multiple of g.
 *
 * @param b - B, m × n row-major float64 (not modified)
 * @param m - rows
 * @param n - columns (multiple of `rounder.blockSize`)
 * @param h - H, n × n row-major float64, symmetric positive definite (not modified)
 * @param rounder - the block rounder
 * @param options - tune sweeps, panel width, progress, abort
 * @returns Ŵ, the loss after each phase, timings
 * @throws CalderaError `NOT_POSITIVE_DEFINITE` from the block LDL; `INVALID_ARGUMENT` for
 *   inconsistent sizes; `ABORTED`
 * @example
 * ```ts
 * const r = ldlqCore(B, m, n, H, rounder, { tuneIters: 10 });
 * ```
 */
export function ldlqCore(
  b: Float64Array,
  m: number,
  n: number,
  h: Float64Array,
  rounder: BlockRounder,
  options: LdlqCoreOptions = {},
): LdlqCoreResult {
  const g = rounder.blockSize;
  if (!Number.isInteger(g) || g < 1 || n % g !== 0 || b.length !== m * n || h.length !== n * n) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `ldlqCore: need n % g = 0, |B| = m·n, |H| = n², got ${describeValue({ m, n, g, b: b.length, h: h.length })}`,
    );
  }
  const tuneIters = options.tuneIters ?? 10;
  const P = Math.max(g, Math.floor((options.panel ?? 128) / g) * g);
  const K = n / g;
  const { signal, onProgress } = options;
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => {
    const t = performance.now();
    timings[name] = (timings[name] ?? 0) + (t - t0) / 1000;
    t0 = t;
  };
  onProgress?.({ type: 'start', task: 'ldlq', total: 1 + tuneIters, unit: 'passes' });

  const { l, d } = options.ldl ?? blockLdl(h, n, g);
  lap('blockLdl');
  throwIfAborted(signal, 'ldlq');

  // 1. feedback pass
  const t = Float64Array.from(b);
  const what = new Float64Array(m * n);
  const ep = new Float64Array(m * P);
  const tb = new Float64Array(m * g);
  const ob = new Float64Array(m * g);
  const codes = new Uint32Array(m * K);
  const cb = new Uint32Array(m);
  for (let p1 = n; p1 > 0; p1 -= P) {
    const p0 = Math.max(0, p1 - P);
    const w = p1 - p0;
    for (let k = p1 / g - 1; k >= p0 / g; k--) {
      const c0 = k * g;
      const after = p1 - (c0 + g);
      if (after > 0) {
        dgemm('N', 'N', m, g, after, 1, ep, w, l, n, 1, t, n, c0 + g - p0, (c0 + g) * n + c0, c0);
      }
      for (let r = 0; r < m; r++) for (let j = 0; j < g; j++) tb[r * g + j] = t[r * n + c0 + j]!;
      rounder.round(tb, ob, cb, k);
      for (let r = 0; r < m; r++) {
        codes[r * K + k] = cb[r]!;
        for (let j = 0; j < g; j++) {
          const v = ob[r * g + j]!;
          what[r * n + c0 + j] = v;
          ep[r * w + c0 - p0 + j] = b[r * n + c0 + j]! - v;
        }
      }
    }
    if (p0 > 0) dgemm('N', 'N', m, p0, w, 1, ep, w, l, n, 1, t, n, 0, p0 * n, 0);
    throwIfAborted(signal, 'ldlq');
  }
  lap('feedback');

  // 2. G = (B − Ŵ) H = (T − Ŵ) D Lᵀ
  for (let i = 0; i < t.length; i++) t[i] = t[i]! - what[i]!;
  const row = new Float64Array(g);
  for (let r = 0; r < m; r++) {
    for (let k = 0; k < K; k++) {
      const c0 = k * g;
      for (let j = 0; j < g; j++) row[j] = t[r * n + c0 + j]!;
      for (let j = 0; j < g; j++) {
        let s = 0;
        for (let i = 0; i < g; i++) s += row[i]! * d[(c0 + i) * n + c0 + j]!;
        t[r * n + c0 + j] = s;
      }
    }
  }
  // For g = 8 the tune sweeps' G updates run in a WebAssembly SIMD kernel on copies of G and H
  // in its memory (bit-identical to flushUpdates; `wasm: false` forces the plain kernel).
  const CHUNK = Math.min(m, 256);
  const ws =
    g === 8 && tuneIters > 0 && options.wasm !== false ? flushWorkspace(m, n, CHUNK) : null;
  const gm = ws ? ws.gm : new Float64Array(m * n);
  for (let p0 = 0; p0 < n; p0 += P) {
    const w = Math.min(P, n - p0);
    dgemm('N', 'T', m, w, p0 + w, 1, t, n, l, n, 0, gm, n, 0, p0 * n, p0);
  }
  lap('gradient');
  const lossHistory = [loss(b, what, gm)];
  onProgress?.({
    type: 'progress',
    task: 'ldlq',
    current: 1,
    total: 1 + tuneIters,
    unit: 'passes',
  });

  // 3. tune sweeps. A row's target for block k depends only on that row's Ŵ and G, so when a
  // row has not changed since block k's previous visit its outcome is known (the same target,
  // the same rounding and guard): it is skipped. `lastChange[r]` = step of row r's latest
  // change; the first sweep visits every row.
  const hinv = blockInverses(h, n, g);
  const hkk = new Float64Array(g * g);
  const idx = ws ? ws.idx : new Int32Array(CHUNK);
  const dc = ws ? ws.dc : new Float64Array(CHUNK * g);
  if (ws) ws.h.set(h);
  const flush = (nc: number, c0: number): number => {
    if (ws) ws.flush(nc, c0);
    else flushUpdates(nc, idx, dc, h, gm, n, g, c0);
    return 0;
  };
  const act = new Int32Array(m);
  const lastChange = new Int32Array(m);
  const skip = options.skipUnchanged !== false;
  let step = 0;
  for (let it = 0; it < tuneIters; it++) {
    for (let k = K - 1; k >= 0; k--) {
      const c0 = k * g;
      const hi = k * g * g;
      step++;
      const since = skip ? step - K : -1;
      let na = 0;
      for (let r = 0; r < m; r++) if (lastChange[r]! >= since) act[na++] = r;
      if (na === 0) continue;
      for (let i = 0; i < g; i++)
        for (let j = 0; j < g; j++) hkk[i * g + j] = h[(c0 + i) * n + c0 + j]!;
      if (g === 8) tuneTargets8(what, gm, hinv, tb, act, na, n, c0, hi);
      else {
        for (let q = 0; q < na; q++) {
          const o = act[q]! * n + c0;
          for (let j = 0; j < g; j++) {
            let s = what[o + j]!;
            for (let i = 0; i < g; i++) s += gm[o + i]! * hinv[hi + i * g + j]!;
            tb[q * g + j] = s;
          }
        }
      }
      const all = na === m;
      rounder.round(
        all ? tb : tb.subarray(0, na * g),
        ob,
        all ? cb : cb.subarray(0, na),
        k,
        all ? undefined : act,
      );
      let nc = 0;
      for (let q = 0; q < na; q++) {
        const r = act[q]!;
        const o = r * n + c0;
        const p = q * g;
        if (g === 8) {
          if (
            ob[p] === what[o] &&
            ob[p + 1] === what[o + 1] &&
            ob[p + 2] === what[o + 2] &&
            ob[p + 3] === what[o + 3] &&
            ob[p + 4] === what[o + 4] &&
            ob[p + 5] === what[o + 5] &&
            ob[p + 6] === what[o + 6] &&
            ob[p + 7] === what[o + 7]
          ) {
            continue;
          }
        } else {
          let changed = false;
          for (let j = 0; j < g; j++) if (ob[p + j] !== what[o + j]) changed = true;
          if (!changed) continue;
        }
        if (g > 1 && quadAround(ob, tb, q, g, hkk) > quadAround(what, tb, q, g, hkk, o)) {
          continue;
        }
        lastChange[r] = step;
        codes[r * K + k] = cb[q]!;
        for (let j = 0; j < g; j++) {
          dc[nc * g + j] = ob[p + j]! - what[o + j]!;
          what[o + j] = ob[p + j]!;
        }
        idx[nc++] = r;
        if (nc === CHUNK) nc = flush(nc, c0);
      }
      flush(nc, c0);
    }
    lossHistory.push(loss(b, what, gm));
    lap('tune');
    throwIfAborted(signal, 'ldlq');
    onProgress?.({
      type: 'progress',
      task: 'ldlq',
      current: 2 + it,
      total: 1 + tuneIters,
      unit: 'passes',
    });
  }
  onProgress?.({
    type: 'done',
    task: 'ldlq',
    metrics: { loss: lossHistory[lossHistory.length - 1]! },
  });
  return { what, codes, lossHistory, timings };
}
