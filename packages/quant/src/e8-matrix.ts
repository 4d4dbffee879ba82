import { CalderaError, describeValue } from '@caldera/core';
import { e8pDecodeOne } from './e8p-codebook';
import { e8pEncodeOne } from './e8p-encode';
import {
  E8P12_OPT_SCALE,
  RVQ3B_OPT_SCALE,
  RVQ4B_OPT_SCALE,
  rvq3DecodeOne,
  rvq3EncodeOne,
  rvq4DecodeOne,
  rvq4EncodeOne,
} from './rvq';

/**
 * Names of the E8 lattice family quantisers.
 *
 * @example
 * ```ts
 * const name: E8QuantizerName = 'e8p12rvq4b';
 * ```
 */
export type E8QuantizerName = 'e8p12' | 'e8p12rvq3b' | 'e8p12rvq4b';

/**
 * A matrix quantised with the E8 family: each row is cut into 8-vectors (columns padded with
 * zeros up to a multiple of 8); value = scale · codeword.
 *
 * @example
 * ```ts
 * const q: E8Quantized = e8Quantize('e8p12', new Float32Array(16), 2, 8);
 * ```
 */
export interface E8Quantized {
  /** Discriminant of the quantised-matrix union. */
  family: 'e8p';
  /** Which E8 quantiser. */
  quantizer: E8QuantizerName;
  /** Rows of the matrix. */
  rows: number;
  /** Columns of the matrix (before padding). */
  cols: number;
  /** The one scale of the matrix (stored as float32). */
  scale: number;
  /**
   * One combined code per 8-vector, rows × ⌈cols/8⌉ row-major: e8p12 → 16-bit code;
   * e8p12rvq4b → (code1 << 16) | code2; e8p12rvq3b → (code1 << 8) | code2.
   */
  codes: Uint32Array;
}

/**
 * Per-quantiser one-vector encoder and decoder, and the RMS inputs are normalised to.
 *
 * @param name - the quantiser
 * @returns encode/decode of one 8-vector and `optScale`
 * @throws CalderaError `UNKNOWN_QUANTIZER` for a name outside the E8 family
 * @example
 * ```ts
 * e8Ops('e8p12').optScale; // 1.03
 * ```
 */
export function e8Ops(name: E8QuantizerName): {
  encodeOne: (x: ArrayLike<number>, offset: number, invScale?: number) => number;
  decodeOne: (
    code: number,
    out: Float32Array | Float64Array,
    offset?: number,
    scale?: number,
  ) => void;
  optScale: number;
} {
  switch (name) {
    case 'e8p12':
      return { encodeOne: e8pEncodeOne, decodeOne: e8pDecodeOne, optScale: E8P12_OPT_SCALE };
    case 'e8p12rvq4b':
      return { encodeOne: rvq4EncodeOne, decodeOne: rvq4DecodeOne, optScale: RVQ4B_OPT_SCALE };
    case 'e8p12rvq3b':
      return { encodeOne: rvq3EncodeOne, decodeOne: rvq3DecodeOne, optScale: RVQ3B_OPT_SCALE };
    default:
      throw new CalderaError(
        'UNKNOWN_QUANTIZER',
        `e8Ops: ${describeValue(name)} is not an E8 family quantizer`,
      );
  }
}

/**
 * The default scale of §5 step 1: RMS(w) / optScale, so that w / scale has RMS optScale.
 *
 * @param w - the weights
 * @param name - the quantiser
 * @returns the scale (1 for an all-zero matrix)
 * @example
 * ```ts
 * e8DefaultScale(new Float32Array(8).fill(1.03), 'e8p12'); // 1
 * ```
 */
export function e8DefaultScale(w: Float32Array | Float64Array, name: E8QuantizerName): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  const rms = Math.sqrt(s / Math.max(1, w.length));
  return rms > 0 ? Math.fround(rms / e8Ops(name).optScale) : 1;
}

/**
 * Quantises a rows × cols matrix with an E8 family quantiser (nearest codeword per 8-vector;
 * for Hessian-aware rounding see `ldlq`).
 *
 * @param name - `'e8p12'`, `'e8p12rvq3b'` or `'e8p12rvq4b'`
 * @param w - the weights, row-major
 * @param rows - rows
 * @param cols - columns (any; rows are zero-padded to a multiple of 8 internally)
 * @param scale - the matrix scale (default {@link e8DefaultScale}); stored as float32
 * @returns the codes and scale
 * @throws CalderaError `INVALID_ARGUMENT` for a bad shape or scale
 * @example
 * ```ts
 * const q = e8Quantize('e8p12rvq4b', new Float32Array(12).fill(0.5), 1, 12);
 * q.codes.length; // 2
 * ```
 */
export function e8Quantize(
  name: E8QuantizerName,
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  scale?: number,
): E8Quantized {
  checkShape('e8Quantize', w.length, rows, cols);
  const s = Math.fround(scale ?? e8DefaultScale(w, name));
  if (!(Number.isFinite(s) && s > 0)) {
    throw new CalderaError('INVALID_ARGUMENT', `e8Quantize: bad scale ${describeValue(scale)}`);
  }
  const { encodeOne } = e8Ops(name);
  const vpr = Math.ceil(cols / 8);
  const codes = new Uint32Array(rows * vpr);
  const buf = new Float64Array(8);
  const inv = 1 / s;
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vpr; v++) {
      const c0 = v * 8;
      const n = Math.min(8, cols - c0);
      for (let i = 0; i < 8; i++) buf[i] = i < n ? w[r * cols + c0 + i]! : 0;
      codes[r * vpr + v] = encodeOne(buf, 0, inv);
    }
  }
  return { family: 'e8p', quantizer: name, rows, cols, scale: s, codes };
}

/**
 * Dequantises an {@link E8Quantized} matrix (padding columns dropped).
 *
 * @param q - the quantised matrix
 * @param out - optional destination, rows·cols long
 * @returns the values, row-major
 * @example
 * ```ts
 * const w = e8Dequantize(e8Quantize('e8p12', new Float32Array(8), 1, 8, 1));
 * ```
 */
export function e8Dequantize(q: E8Quantized, out?: Float32Array): Float32Array {
  const { rows, cols } = q;
  const { decodeOne } = e8Ops(q.quantizer);
  const vpr = Math.ceil(cols / 8);
  const o = out ?? new Float32Array(rows * cols);
  const buf = new Float64Array(8);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vpr; v++) {
      decodeOne(q.codes[r * vpr + v]!, buf, 0, q.scale);
      const c0 = v * 8;
      const n = Math.min(8, cols - c0);
      for (let i = 0; i < n; i++) o[r * cols + c0 + i] = buf[i]!;
    }
  }
  return o;
}

/**
 * Validates a matrix shape against its data length.
 *
 * @param what - caller name
 * @param length - data length
 * @param rows - rows
 * @param cols - columns
 * @throws CalderaError `INVALID_ARGUMENT` on mismatch
 * @example
 * ```ts
 * checkShape('f', 6, 2, 3); // ok
 * ```
 */
export function checkShape(what: string, length: number, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
    throw new CalderaError('INVALID_ARGUMENT', `${what}: bad shape ${describeValue([rows, cols])}`);
  }
  if (length !== rows * cols) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: expected ${rows * cols} values for ${rows}×${cols}, got ${length}`,
    );
  }
}
