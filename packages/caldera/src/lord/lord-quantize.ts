/**
 * Quantising LoRD factors (LoRD + quantization): Lᵀ (k×m) and R (k×n) are quantised row by
 * row — uniform b-bit with one absmax scale per row, or the E8 lattice family after scaling
 * every row to unit RMS (one float16 scale per row, counted in the bits) — and dequantised
 * back, so the factors' accuracy and storage can be measured with the float runtime.
 */
import { type QuantizerSpec, quantizeMatrix, storedBits } from '../quantizer';

/**
 * Quantised–dequantised factors and their storage.
 *
 * @example
 * ```ts
 * const q: QuantizedFactors = quantizeLordFactors(l, r, 256, 16, 256, { family: 'uniform', bits: 4 });
 * q.bits / (256 * 256); // bits per dense parameter of this layer
 * ```
 */
export interface QuantizedFactors {
  /** L (m×k) after quantisation. */
  l: Float32Array;
  /** R (k×n) after quantisation. */
  r: Float32Array;
  /** Stored bits of both factors (codes, scales, headers, row scales). */
  bits: number;
}

function quantizeRows(
  rows: Float64Array,
  k: number,
  cols: number,
  spec: QuantizerSpec,
): { values: Float64Array; bits: number } {
  if (spec.family !== 'e8p') {
    const s = spec.family === 'uniform' ? { ...spec, groupSize: spec.groupSize ?? cols } : spec;
    const q = quantizeMatrix(rows, k, cols, s);
    return { values: q.values, bits: storedBits(q.stored) };
  }
  const scales = new Float64Array(k);
  const norm = new Float64Array(rows.length);
  for (let i = 0; i < k; i++) {
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += rows[i * cols + j]! ** 2;
    const s = Math.sqrt(ss / cols) || 1;
    scales[i] = s;
    for (let j = 0; j < cols; j++) norm[i * cols + j] = rows[i * cols + j]! / s;
  }
  const q = quantizeMatrix(norm, k, cols, spec);
  for (let i = 0; i < k; i++) {
    const s = scales[i]!;
    for (let j = 0; j < cols; j++) q.values[i * cols + j] = q.values[i * cols + j]! * s;
  }
  return { values: q.values, bits: storedBits(q.stored) + 16 * k };
}

/**
 * Quantises the two factors of a rank-k layer.
 *
 * @param l - L, m×k row-major
 * @param r - R, k×n row-major
 * @param m - output features
 * @param k - rank
 * @param n - input features
 * @param spec - the quantiser (`uniform` 8/4 bits, `e8p` 2/3/4 bits, `float` = float16)
 * @returns the dequantised factors and their stored bits
 * @throws CalderaError from the quantisers (e.g. a row length the E8 family cannot take)
 * @example
 * ```ts
 * const q = quantizeLordFactors(l, r, m, k, n, { family: 'e8p', bits: 2 });
 * ```
 */
export function quantizeLordFactors(
  l: Float32Array,
  r: Float32Array,
  m: number,
  k: number,
  n: number,
  spec: QuantizerSpec,
): QuantizedFactors {
  const lt = new Float64Array(k * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) lt[j * m + i] = l[i * k + j]!;
  const ql = quantizeRows(lt, k, m, spec);
  const qr = quantizeRows(Float64Array.from(r), k, n, spec);
  const lOut = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) lOut[i * k + j] = ql.values[j * m + i]!;
  return { l: lOut, r: Float32Array.from(qr.values), bits: ql.bits + qr.bits };
}

/**
 * Quantises one matrix row by row as {@link quantizeLordFactors} does a factor (for the
 * layers LoRD keeps dense, so a LoRD model can be quantised as a whole).
 *
 * @param w - the matrix, rows×cols row-major
 * @param rows - rows
 * @param cols - columns
 * @param spec - the quantiser
 * @returns the dequantised values and the stored bits
 * @example
 * ```ts
 * const { values, bits } = quantizeLordMatrix(w, 256, 688, { family: 'uniform', bits: 4 });
 * ```
 */
export function quantizeLordMatrix(
  w: Float32Array,
  rows: number,
  cols: number,
  spec: QuantizerSpec,
): { values: Float32Array; bits: number } {
  const q = quantizeRows(Float64Array.from(w), rows, cols, spec);
  return { values: Float32Array.from(q.values), bits: q.bits };
}
