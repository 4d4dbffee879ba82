import { CalderaError, describeValue } from '@caldera/core';
import { roundToFloat16 } from './float16';

/**
 * Uniform b-bit scalar quantisation per group (algorithms.md §6.4, generalised).
 *
 * A matrix (rows × cols, row-major) is cut along each row into groups of `groupSize`
 * consecutive columns (the last group of a row may be shorter; `groupSize = cols` means one
 * group per row). Per group:
 * - symmetric: levels q ∈ [−Q, Q] with Q = 2^{b−1} − 1; value = (code − Q)·scale,
 *   scale = α·absmax / Q (2 bits → {−1, 0, 1}·scale);
 * - asymmetric: levels 0…2^b − 1; value = offset + code·scale, the range [min, max] shrunk
 *   by α about its midpoint: offset = mid − α·h, scale = 2α·h / (2^b − 1).
 * α = 1 without search; with `search: 'mse'`, α runs over `gridSteps` values evenly spaced in
 * [minShrink, 1] and the α of least squared error is kept per group (the largest on ties).
 * Rounding is `Math.round` (ties toward +∞), then clamping. With `scaleFormat: 'f16'`, scale
 * and offset are rounded to float16 before the codes are computed, so stored and used values
 * agree.
 */

/**
 * Bit widths supported by the uniform quantiser.
 *
 * @example
 * ```ts
 * const bits: UniformBits = 4;
 * ```
 */
export type UniformBits = 2 | 3 | 4 | 8;

/**
 * Options of {@link uniformQuantize}.
 *
 * @example
 * ```ts
 * const o: UniformOptions = { bits: 4, groupSize: 128, scheme: 'asymmetric', search: 'mse' };
 * ```
 */
export interface UniformOptions {
  /** Bits per weight: 2, 3, 4 or 8. */
  bits: UniformBits;
  /** Columns per group (default: the whole row). */
  groupSize?: number;
  /** `'symmetric'` (absmax, default) or `'asymmetric'` (min–max). */
  scheme?: 'symmetric' | 'asymmetric';
  /** `'none'` (default) or `'mse'` (grid search over shrink factors). */
  search?: 'none' | 'mse';
  /** Number of shrink factors tried by the MSE search (default 32). */
  gridSteps?: number;
  /** Smallest shrink factor tried by the MSE search (default 0.4). */
  minShrink?: number;
  /** Precision of stored scales/offsets: `'f32'` (default) or `'f16'`. */
  scaleFormat?: 'f32' | 'f16';
}

/**
 * A uniformly quantised matrix (unpacked).
 *
 * @example
 * ```ts
 * const q: UniformQuantized = uniformQuantize(new Float32Array(8), 1, 8, { bits: 2 });
 * ```
 */
export interface UniformQuantized {
  /** Discriminant of the quantised-matrix union. */
  family: 'uniform';
  /** Rows of the matrix. */
  rows: number;
  /** Columns of the matrix. */
  cols: number;
  /** Bits per code. */
  bits: UniformBits;
  /** Columns per group. */
  groupSize: number;
  /** Symmetric or asymmetric levels. */
  scheme: 'symmetric' | 'asymmetric';
  /** Precision of the stored scales/offsets. */
  scaleFormat: 'f32' | 'f16';
  /** One code per weight, row-major. */
  codes: Uint8Array;
  /** One scale per group, row-major (rows × groupsPerRow). */
  scales: Float32Array;
  /** One offset per group (asymmetric only; empty for symmetric). */
  offsets: Float32Array;
}

/**
 * Number of groups per row.
 *
 * @param cols - columns
 * @param groupSize - columns per group
 * @returns ⌈cols / groupSize⌉
 * @example
 * ```ts
 * groupsPerRow(10, 4); // 3
 * ```
 */
export function groupsPerRow(cols: number, groupSize: number): number {
  return Math.ceil(cols / groupSize);
}

function checkOptions(o: UniformOptions, cols: number): Required<UniformOptions> {
  if (![2, 3, 4, 8].includes(o.bits)) {
    throw new CalderaError(
      'UNSUPPORTED_BITS',
      `uniformQuantize: bits must be 2, 3, 4 or 8, got ${describeValue(o.bits)}`,
    );
  }
  const groupSize = o.groupSize ?? cols;
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `uniformQuantize: groupSize must be a positive integer, got ${describeValue(groupSize)}`,
    );
  }
  const gridSteps = o.gridSteps ?? 32;
  const minShrink = o.minShrink ?? 0.4;
  if (!Number.isInteger(gridSteps) || gridSteps < 1 || !(minShrink > 0 && minShrink <= 1)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `uniformQuantize: need gridSteps ≥ 1 and minShrink in (0, 1], got ${describeValue({ gridSteps, minShrink })}`,
    );
  }
  return {
    bits: o.bits,
    groupSize,
    scheme: o.scheme ?? 'symmetric',
    search: o.search ?? 'none',
    gridSteps,
    minShrink,
    scaleFormat: o.scaleFormat ?? 'f32',
  };
}

/** Computes (scale, offset) of a group for shrink α; returns them through `so`. */
function groupParams(
  lo: number,
  hi: number,
  absmax: number,
  alpha: number,
  sym: boolean,
  bits: number,
  f16: boolean,
  so: Float64Array,
): void {
  let scale: number;
  let offset = 0;
  if (sym) {
    scale = (alpha * absmax) / (2 ** (bits - 1) - 1);
  } else {
    const mid = 0.5 * (lo + hi);
    const h = 0.5 * (hi - lo);
    scale = (2 * alpha * h) / (2 ** bits - 1);
    offset = mid - alpha * h;
  }
  so[0] = f16 ? roundToFloat16(scale) : Math.fround(scale);
  so[1] = f16 ? roundToFloat16(offset) : Math.fround(offset);
}

/**
 * Rounds one value to a group's grid.
 *
 * @param x - the value
 * @param scale - the group's scale (0 maps everything to the middle/offset level)
 * @param offset - the group's offset (asymmetric) or 0
 * @param sym - symmetric levels
 * @param bits - bits per code
 * @returns the code
 * @example
 * ```ts
 * uniformRoundCode(0.9, 1, 0, true, 2); // 2 (level +1)
 * ```
 */
export function uniformRoundCode(
  x: number,
  scale: number,
  offset: number,
  sym: boolean,
  bits: number,
): number {
  if (sym) {
    const q = 2 ** (bits - 1) - 1;
    if (scale === 0) return q;
    const c = Math.round(x / scale);
    return (c < -q ? -q : c > q ? q : c) + q;
  }
  const top = 2 ** bits - 1;
  if (scale === 0) return 0;
  const c = Math.round((x - offset) / scale);
  return c < 0 ? 0 : c > top ? top : c;
}

/**
 * The value of a code.
 *
 * @param code - the code
 * @param scale - the group's scale
 * @param offset - the group's offset (asymmetric) or 0
 * @param sym - symmetric levels
 * @param bits - bits per code
 * @returns the dequantised value
 * @example
 * ```ts
 * uniformCodeValue(2, 0.5, 0, true, 2); // 0.5
 * ```
 */
export function uniformCodeValue(
  code: number,
  scale: number,
  offset: number,
  sym: boolean,
  bits: number,
): number {
  return sym ? (code - (2 ** (bits - 1) - 1)) * scale : offset + code * scale;
}

/**
 * Quantises a matrix with uniform b-bit levels per group.
 *
 * @param w - the weights, rows × cols row-major
 * @param rows - number of rows
 * @param cols - number of columns
 * @param options - bits, group size, scheme, search, scale format
 * @returns codes, scales and offsets
 * @throws CalderaError `UNSUPPORTED_BITS` for bits outside {2,3,4,8}; `INVALID_ARGUMENT` for
 *   bad shapes or options, or non-finite weights
 * @example
 * ```ts
 * const q = uniformQuantize(Float32Array.of(-1, 0, 0.5, 1), 1, 4, { bits: 2 });
 * Array.from(q.codes); // [0, 1, 2, 2]
 * ```
 */
export function uniformQuantize(
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  options: UniformOptions,
): UniformQuantized {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `uniformQuantize: bad shape ${describeValue([rows, cols])}`,
    );
  }
  if (w.length !== rows * cols) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `uniformQuantize: expected ${rows * cols} weights for ${rows}×${cols}, got ${w.length}`,
    );
  }
  const o = checkOptions(options, cols);
  const { bits, groupSize } = o;
  const sym = o.scheme === 'symmetric';
  const f16 = o.scaleFormat === 'f16';
  const gpr = groupsPerRow(cols, groupSize);
  const codes = new Uint8Array(rows * cols);
  const scales = new Float32Array(rows * gpr);
  const offsets = new Float32Array(sym ? 0 : rows * gpr);
  const so = new Float64Array(2);
  const steps = o.search === 'mse' ? o.gridSteps : 1;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < gpr; g++) {
      const start = r * cols + g * groupSize;
      const end = r * cols + Math.min(cols, (g + 1) * groupSize);
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let j = start; j < end; j++) {
        const x = w[j]!;
        if (!Number.isFinite(x)) {
          throw new CalderaError(
            'INVALID_ARGUMENT',
            `uniformQuantize: non-finite weight ${describeValue(x)} at index ${j}`,
          );
        }
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const absmax = Math.max(-lo, hi);
      let bestErr = Number.POSITIVE_INFINITY;
      let bestScale = 0;
      let bestOffset = 0;
      for (let s = 0; s < steps; s++) {
        const alpha = steps === 1 ? 1 : 1 - (s * (1 - o.minShrink)) / (steps - 1);
        groupParams(lo, hi, absmax, alpha, sym, bits, f16, so);
        const scale = so[0]!;
        const offset = so[1]!;
        if (steps === 1) {
          bestScale = scale;
          bestOffset = offset;
          break;
        }
        let err = 0;
        for (let j = start; j < end; j++) {
          const x = w[j]!;
          const d =
            x -
            uniformCodeValue(
              uniformRoundCode(x, scale, offset, sym, bits),
              scale,
              offset,
              sym,
              bits,
            );
          err += d * d;
        }
        if (err < bestErr) {
          bestErr = err;
          bestScale = scale;
          bestOffset = offset;
        }
      }
      scales[r * gpr + g] = bestScale;
      if (!sym) offsets[r * gpr + g] = bestOffset;
      for (let j = start; j < end; j++) {
        codes[j] = uniformRoundCode(w[j]!, bestScale, bestOffset, sym, bits);
      }
    }
  }
  return {
    family: 'uniform',
    rows,
    cols,
    bits,
    groupSize,
    scheme: o.scheme,
    scaleFormat: o.scaleFormat,
    codes,
    scales,
    offsets,
  };
}

/**
 * Dequantises a {@link UniformQuantized} matrix.
 *
 * @param q - the quantised matrix
 * @param out - optional destination, rows·cols long
 * @returns the values, row-major
 * @example
 * ```ts
 * const q = uniformQuantize(Float32Array.of(-1, 0, 1, 1), 1, 4, { bits: 2 });
 * Array.from(uniformDequantize(q)); // [-1, 0, 1, 1]
 * ```
 */
export function uniformDequantize(q: UniformQuantized, out?: Float32Array): Float32Array {
  const { rows, cols, bits, groupSize } = q;
  const sym = q.scheme === 'symmetric';
  const gpr = groupsPerRow(cols, groupSize);
  const o = out ?? new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < gpr; g++) {
      const scale = q.scales[r * gpr + g]!;
      const offset = sym ? 0 : q.offsets[r * gpr + g]!;
      const start = r * cols + g * groupSize;
      const end = r * cols + Math.min(cols, (g + 1) * groupSize);
      for (let j = start; j < end; j++) {
        o[j] = uniformCodeValue(q.codes[j]!, scale, offset, sym, bits);
      }
    }
  }
  return o;
}
