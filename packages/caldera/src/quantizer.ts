/**
 * Quantiser specifications of the solver and the stored form of a matrix (quantised codes, or
 * float16 values for "16-bit" factors), with honest bit counts.
 */
import { CalderaError, describeValue } from '@caldera/core';
import {
  bitsPerWeight,
  type E8QuantizerName,
  e8Dequantize,
  e8Quantize,
  type QuantizedMatrix,
  roundToFloat16,
  type UniformBits,
  uniformDequantize,
  uniformQuantize,
} from '@caldera/quant';
import { rms } from './internal/dense';

/**
 * How a matrix is stored: the E8 lattice family (2 bits = E8P12, 3 = E8P12RVQ3B,
 * 4 = E8P12RVQ4B), uniform symmetric b-bit scalars with one absmax scale per row group, or
 * float16 (`'float'`, the "16 bits = keep float" setting of the reference).
 *
 * @example
 * ```ts
 * const q: QuantizerSpec = { family: 'e8p', bits: 2 };
 * const lr: QuantizerSpec = { family: 'uniform', bits: 4, groupSize: 64 };
 * ```
 */
export type QuantizerSpec =
  | { family: 'e8p'; bits: 2 | 3 | 4 }
  | { family: 'uniform'; bits: UniformBits; groupSize?: number }
  | { family: 'float' };

/**
 * A stored matrix: quantised codes (from @caldera/quant), float16-rounded values, or float32
 * values (the unquantised factors of LoRD-style decompositions).
 *
 * @example
 * ```ts
 * const s: StoredMatrix = { kind: 'float16', rows: 1, cols: 1, values: new Float32Array([1]) };
 * ```
 */
export type StoredMatrix =
  | { kind: 'quantized'; q: QuantizedMatrix }
  | { kind: 'float16'; rows: number; cols: number; values: Float32Array }
  | { kind: 'float32'; rows: number; cols: number; values: Float32Array };

/**
 * The E8 quantiser name for a bit width.
 *
 * @param bits - 2, 3 or 4
 * @returns `'e8p12'`, `'e8p12rvq3b'` or `'e8p12rvq4b'`
 * @example
 * ```ts
 * e8NameForBits(4); // 'e8p12rvq4b'
 * ```
 */
export function e8NameForBits(bits: 2 | 3 | 4): E8QuantizerName {
  return bits === 2 ? 'e8p12' : bits === 3 ? 'e8p12rvq3b' : 'e8p12rvq4b';
}

/**
 * Validates a quantiser specification.
 *
 * @param spec - the specification
 * @param what - the option name, for the message
 * @returns the same spec
 * @throws CalderaError `INVALID_OPTIONS` for an unknown family or unsupported bit width
 * @example
 * ```ts
 * checkSpec({ family: 'e8p', bits: 2 }, 'q'); // ok
 * ```
 */
export function checkSpec(spec: QuantizerSpec, what: string): QuantizerSpec {
  const ok =
    spec !== null &&
    typeof spec === 'object' &&
    ((spec.family === 'e8p' && [2, 3, 4].includes(spec.bits)) ||
      (spec.family === 'uniform' &&
        [2, 3, 4, 8].includes(spec.bits) &&
        (spec.groupSize === undefined ||
          (Number.isInteger(spec.groupSize) && spec.groupSize > 0))) ||
      spec.family === 'float');
  if (!ok) {
    throw new CalderaError(
      'INVALID_OPTIONS',
      `${what}: unsupported quantizer ${describeValue(spec)}`,
      {
        details: { spec },
      },
    );
  }
  return spec;
}

/**
 * Quantises a rows×cols matrix by nearest rounding (no Hessian): E8 family with one scale
 * s = RMS(M)·`rmsFactor`⁻¹ (factors of §4.2 use s = RMS(M), i.e. `rmsFactor` 1), uniform with
 * per-group absmax, float16 by rounding.
 *
 * @param mat - the matrix, row-major
 * @param rows - rows
 * @param cols - columns
 * @param spec - the quantiser
 * @param rmsFactor - the RMS the normalised matrix should have (default 1)
 * @returns the stored form and its dequantised values
 * @example
 * ```ts
 * const { values } = quantizeMatrix(new Float64Array(8).fill(1), 1, 8, { family: 'e8p', bits: 4 });
 * ```
 */
export function quantizeMatrix(
  mat: Float64Array,
  rows: number,
  cols: number,
  spec: QuantizerSpec,
  rmsFactor = 1,
): { stored: StoredMatrix; values: Float64Array } {
  let stored: StoredMatrix;
  if (spec.family === 'float') {
    const v = new Float32Array(mat.length);
    for (let i = 0; i < v.length; i++) v[i] = roundToFloat16(mat[i]!);
    stored = { kind: 'float16', rows, cols, values: v };
  } else if (spec.family === 'e8p') {
    const r = rms(mat);
    const scale = r > 0 && Number.isFinite(r) ? r / rmsFactor : 1;
    stored = { kind: 'quantized', q: e8Quantize(e8NameForBits(spec.bits), mat, rows, cols, scale) };
  } else {
    const q = uniformQuantize(mat, rows, cols, {
      bits: spec.bits,
      groupSize: spec.groupSize ?? cols,
    });
    stored = { kind: 'quantized', q };
  }
  return { stored, values: dequantizeStored(stored) };
}

/**
 * Dequantises a stored matrix.
 *
 * @param s - the stored matrix
 * @returns its values, row-major float64
 * @example
 * ```ts
 * dequantizeStored({ kind: 'float16', rows: 1, cols: 1, values: new Float32Array([2]) }); // [2]
 * ```
 */
export function dequantizeStored(s: StoredMatrix): Float64Array {
  if (s.kind !== 'quantized') return Float64Array.from(s.values);
  const q = s.q;
  return Float64Array.from(q.family === 'e8p' ? e8Dequantize(q) : uniformDequantize(q));
}

/**
 * Honest storage size of a stored matrix in bits: the whole packed blob of a quantised matrix
 * (header, scales, codes; see `bitsPerWeight` of @caldera/quant), 16 bits per float16 value,
 * 32 per float32 value.
 *
 * @param s - the stored matrix
 * @returns bits
 * @example
 * ```ts
 * storedBits({ kind: 'float16', rows: 2, cols: 2, values: new Float32Array(4) }); // 64
 * ```
 */
export function storedBits(s: StoredMatrix): number {
  if (s.kind !== 'quantized') return (s.kind === 'float16' ? 16 : 32) * s.rows * s.cols;
  return bitsPerWeight(s.q) * s.q.rows * s.q.cols;
}

/**
 * The quantiser's name as used in reports (`'e8p12'`, `'uniform4'`, `'float16'`).
 *
 * @param spec - the quantiser
 * @returns its name
 * @example
 * ```ts
 * specName({ family: 'uniform', bits: 4 }); // 'uniform4'
 * ```
 */
export function specName(spec: QuantizerSpec): string {
  if (spec.family === 'float') return 'float16';
  return spec.family === 'e8p' ? e8NameForBits(spec.bits) : `uniform${spec.bits}`;
}
