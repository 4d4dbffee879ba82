import { CalderaError, describeValue } from '@caldera/core';
import { blockLdl, dgemm } from '@caldera/linalg';
import {
  checkShape,
  type E8Quantized,
  type E8QuantizerName,
  e8DefaultScale,
  e8Ops,
} from './e8-matrix';
import { type BlockRounder, type LdlqCoreOptions, ldlqCore } from './ldlq-core';
import { MIN_SPLIT_ROWS, runRowSplit } from './ldlq-rows';
import {
  groupsPerRow,
  type UniformOptions,
  type UniformQuantized,
  uniformCodeValue,
  uniformQuantize,
  uniformRoundCode,
} from './uniform';

/**
 * LDLQ front ends (algorithms.md §5): E8 family (block size 8, columns zero-padded to a
 * multiple of 8 with H extended by mean(diag H) on the padding) and uniform scalar (block
 * size 1, grid fixed per group from the unrounded weights first).
 */

/**
 * Options of {@link ldlqE8} and {@link ldlqUniform}.
 *
 * @example
 * ```ts
 * const o: LdlqOptions = { tuneIters: 10, onProgress: (e) => console.log(e.type) };
 * ```
 */
export interface LdlqOptions extends LdlqCoreOptions {
  /** E8 family only: the matrix scale (default: RMS(w) / optScale, §5 step 1). */
  scale?: number;
  /**
   * Threads (default 1). With 2 or more, in Node, the rows are split in two and a helper worker
   * thread runs LDLQ on the second half while the caller runs the first (rows are independent
   * in LDLQ, so results are bit-identical to one thread); the call stays synchronous. Where
   * worker threads are unavailable, or for fewer than 16 rows, one thread is used. Progress
   * events come from the caller's half; `timings.waitThreads` is the caller's wait for the
   * helper (`timings.helperUnavailable` instead when the helper could not start and the caller
   * did both halves).
   */
  threads?: number;
}

/**
 * Result of the LDLQ front ends.
 *
 * @example
 * ```ts
 * const r: LdlqResult<E8Quantized> = ldlqE8('e8p12', w, m, n, h);
 * ```
 */
export interface LdlqResult<Q> {
  /** The quantised matrix (codes of the final sweep). */
  quantized: Q;
  /** Its dequantised values, rows × cols float32. */
  dequantized: Float32Array;
  /** H-weighted loss tr(ΔHΔᵀ) in the normalised domain after the feedback pass and each sweep. */
  lossHistory: number[];
  /** Seconds per phase. */
  timings: Record<string, number>;
}

function toHessian(what: string, h: Float32Array | Float64Array, n: number): Float64Array {
  if (h.length !== n * n) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: H must be ${n}×${n} (${n * n} values), got ${describeValue(h.length)} values`,
    );
  }
  return h instanceof Float64Array ? h : Float64Array.from(h);
}

/** Adds the caller's block-LDL time of a split run to its timings. */
function withLdlTime<R extends { timings: Record<string, number> }>(r: R, seconds: number): R {
  r.timings.blockLdl = (r.timings.blockLdl ?? 0) + seconds;
  return r;
}

/** Pads H (n × n) to np × np with mean(diag H) on the new diagonal. */
function padHessian(h: Float64Array, n: number, np: number): Float64Array {
  if (np === n) return h;
  const out = new Float64Array(np * np);
  let md = 0;
  for (let i = 0; i < n; i++) {
    out.set(h.subarray(i * n, i * n + n), i * np);
    md += h[i * n + i]!;
  }
  md = md > 0 ? md / n : 1;
  for (let i = n; i < np; i++) out[i * np + i] = md;
  return out;
}

/**
 * LDLQ with an E8 family quantiser: Hessian-aware rounding of W (rows × cols) for the loss
 * tr((W − Ŵ) H (W − Ŵ)ᵀ), H being the cols × cols input Hessian.
 *
 * @param name - `'e8p12'`, `'e8p12rvq3b'` or `'e8p12rvq4b'`
 * @param w - W, rows × cols row-major (any cols; padded internally)
 * @param rows - rows
 * @param cols - columns
 * @param h - H, cols × cols row-major, symmetric positive definite
 * @param options - scale, tune sweeps (default 10), panel width, threads, progress, abort
 * @returns the quantised matrix, its values, the loss history and timings
 * @throws CalderaError `INVALID_ARGUMENT` (shapes, scale), `NOT_POSITIVE_DEFINITE`, `ABORTED`
 * @example
 * ```ts
 * const { quantized, dequantized } = ldlqE8('e8p12', w, 64, 64, h, { tuneIters: 10 });
 * ```
 */
export function ldlqE8(
  name: E8QuantizerName,
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  h: Float32Array | Float64Array,
  options: LdlqOptions = {},
): LdlqResult<E8Quantized> {
  checkShape('ldlqE8', w.length, rows, cols);
  const { encodeOne, decodeOne } = e8Ops(name);
  const scale = Math.fround(options.scale ?? e8DefaultScale(w, name));
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new CalderaError('INVALID_ARGUMENT', `ldlqE8: bad scale ${describeValue(options.scale)}`);
  }
  const hh = toHessian('ldlqE8', h, cols);
  const np = Math.ceil(cols / 8) * 8;
  const hp = padHessian(hh, cols, np);
  if ((options.threads ?? 1) > 1 && rows >= MIN_SPLIT_ROWS) {
    // one block LDL for both halves (computed here, shared with the helper)
    const t0 = performance.now();
    const one = { ...options, scale, threads: 1, ldl: options.ldl ?? blockLdl(hp, np, 8) };
    const ldlS = (performance.now() - t0) / 1000;
    const split = runRowSplit({ kind: 'e8', name, scale }, w, rows, cols, hh, one, (ws, r) =>
      ldlqE8(name, ws, r, cols, hh, one),
    );
    if (split) return withLdlTime(split as LdlqResult<E8Quantized>, ldlS);
  }
  const b = new Float64Array(rows * np);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) b[r * np + j] = w[r * cols + j]! / scale;
  const rounder: BlockRounder = {
    blockSize: 8,
    round(target, out, codes) {
      for (let r = 0; r < codes.length; r++) {
        const c = encodeOne(target, 8 * r);
        codes[r] = c;
        decodeOne(c, out, 8 * r);
      }
    },
  };
  const res = ldlqCore(b, rows, np, hp, rounder, options);
  const dequantized = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) dequantized[r * cols + j] = res.what[r * np + j]! * scale;
  }
  return {
    quantized: { family: 'e8p', quantizer: name, rows, cols, scale, codes: res.codes },
    dequantized,
    lossHistory: res.lossHistory,
    timings: res.timings,
  };
}

/**
 * LDLQ with a uniform scalar quantiser (block size 1). The per-group grid (scale, offset) is
 * chosen first from W itself by {@link uniformQuantize} (absmax / min–max / MSE search as
 * configured); LDLQ then chooses the codes on that grid.
 *
 * @param w - W, rows × cols row-major
 * @param rows - rows
 * @param cols - columns
 * @param h - H, cols × cols row-major, symmetric positive definite
 * @param uniform - the uniform quantiser options
 * @param options - tune sweeps (default 10), panel width, threads, progress, abort
 * @returns the quantised matrix, its values, the loss history and timings
 * @throws CalderaError `INVALID_ARGUMENT`, `UNSUPPORTED_BITS`, `NOT_POSITIVE_DEFINITE`, `ABORTED`
 * @example
 * ```ts
 * const { quantized } = ldlqUniform(w, 64, 64, h, { bits: 4, groupSize: 32 });
 * ```
 */
export function ldlqUniform(
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  h: Float32Array | Float64Array,
  uniform: UniformOptions,
  options: Omit<LdlqOptions, 'scale'> = {},
): LdlqResult<UniformQuantized> {
  checkShape('ldlqUniform', w.length, rows, cols);
  const hh = toHessian('ldlqUniform', h, cols);
  if ((options.threads ?? 1) > 1 && rows >= MIN_SPLIT_ROWS) {
    const t0 = performance.now();
    const one = { ...options, threads: 1, ldl: options.ldl ?? blockLdl(hh, cols, 1) };
    const ldlS = (performance.now() - t0) / 1000;
    const split = runRowSplit({ kind: 'uniform', uniform }, w, rows, cols, hh, options, (ws, r) =>
      ldlqUniform(ws, r, cols, hh, uniform, one),
    );
    if (split) return withLdlTime(split as LdlqResult<UniformQuantized>, ldlS);
  }
  const grid = uniformQuantize(w, rows, cols, uniform);
  const sym = grid.scheme === 'symmetric';
  const gpr = groupsPerRow(cols, grid.groupSize);
  const rounder: BlockRounder = {
    blockSize: 1,
    round(target, out, codes, k, rows) {
      const gi = Math.floor(k / grid.groupSize);
      for (let q = 0; q < codes.length; q++) {
        const r = rows === undefined ? q : rows[q]!;
        const s = grid.scales[r * gpr + gi]!;
        const o = sym ? 0 : grid.offsets[r * gpr + gi]!;
        const c = uniformRoundCode(target[q]!, s, o, sym, grid.bits);
        codes[q] = c;
        out[q] = uniformCodeValue(c, s, o, sym, grid.bits);
      }
    },
  };
  const b = w instanceof Float64Array ? w : Float64Array.from(w);
  const res = ldlqCore(b, rows, cols, hh, rounder, options);
  const quantized: UniformQuantized = { ...grid, codes: Uint8Array.from(res.codes) };
  return {
    quantized,
    dequantized: Float32Array.from(res.what),
    lossHistory: res.lossHistory,
    timings: res.timings,
  };
}

/**
 * The H-weighted error tr((W − Ŵ) H (W − Ŵ)ᵀ), accumulated in float64.
 *
 * @param w - W, rows × cols
 * @param what - Ŵ, rows × cols
 * @param rows - rows
 * @param cols - columns
 * @param h - H, cols × cols
 * @returns the weighted error
 * @throws CalderaError `INVALID_ARGUMENT` on shape mismatch
 * @example
 * ```ts
 * weightedError(Float32Array.of(1), Float32Array.of(0), 1, 1, Float64Array.of(2)); // 2
 * ```
 */
export function weightedError(
  w: Float32Array | Float64Array,
  what: Float32Array | Float64Array,
  rows: number,
  cols: number,
  h: Float32Array | Float64Array,
): number {
  checkShape('weightedError', w.length, rows, cols);
  checkShape('weightedError', what.length, rows, cols);
  const hh = toHessian('weightedError', h, cols);
  const e = new Float64Array(rows * cols);
  for (let i = 0; i < e.length; i++) e[i] = w[i]! - what[i]!;
  const eh = new Float64Array(rows * cols);
  dgemm('N', 'N', rows, cols, cols, 1, e, cols, hh, cols, 0, eh, cols);
  let s = 0;
  for (let i = 0; i < e.length; i++) s += e[i]! * eh[i]!;
  return s;
}
