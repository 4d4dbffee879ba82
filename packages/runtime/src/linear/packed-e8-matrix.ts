/**
 * An E8-lattice-quantised matrix (E8P12, 2 bits; E8P12-RVQ4B, 4 bits; E8P12-RVQ3B, 3 bits)
 * kept as its codes, with products computed straight from them: each 16-bit E8P code selects
 * one row of the 65536 × 8 codebook table, so a product costs one table read per 8 weights.
 * Codes are stored as `Uint16Array` for E8P12 (2 bits/weight) and `Uint32Array` otherwise.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { type E8Quantized, e8Ops, e8pCodebook, RVQ4B_RESID_SCALE } from '@caldera/quant';

/**
 * Products with a packed E8-family matrix A (rows × cols, value = scale · codeword).
 *
 * @example
 * ```ts
 * const a = new PackedE8Matrix(e8Quantize('e8p12', w, 16, 32));
 * const y = new Float32Array(16);
 * a.multiplyTransposed(x, 1, y); // y = A·x
 * ```
 */
export class PackedE8Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly scale: number;
  readonly quantizer: E8Quantized['quantizer'];
  /** Codes, rows × ⌈cols/8⌉ row-major. */
  readonly codes: Uint16Array | Uint32Array;
  private readonly vpr: number;
  private readonly table: Float32Array;
  private readonly buf = new Float32Array(8);
  private readonly decodeOne: (code: number, out: Float32Array, offset?: number, scale?: number) => void;

  /**
   * @param q - the quantised matrix (`e8Quantize` or `unpackQuantized` output)
   * @throws CalderaError `UNSUPPORTED_LAYER` for a non-E8 matrix
   */
  constructor(q: E8Quantized) {
    if (q.family !== 'e8p') {
      throw new CalderaError('UNSUPPORTED_LAYER', `PackedE8Matrix: not an E8 matrix: ${describeValue(q.family)}`);
    }
    this.rows = q.rows;
    this.cols = q.cols;
    this.scale = q.scale;
    this.quantizer = q.quantizer;
    this.vpr = Math.ceil(q.cols / 8);
    this.codes = q.quantizer === 'e8p12' ? Uint16Array.from(q.codes) : q.codes.slice();
    this.table = e8pCodebook();
    this.decodeOne = e8Ops(q.quantizer).decodeOne;
  }

  /** Fills `this.buf` with the unscaled codeword of code index k. */
  private word(k: number): Float32Array {
    const c = this.codes[k]!;
    const b = this.buf;
    const t = this.table;
    if (this.quantizer === 'e8p12') {
      const o = c * 8;
      for (let i = 0; i < 8; i++) b[i] = t[o + i]!;
    } else if (this.quantizer === 'e8p12rvq4b') {
      const o1 = (c >>> 16) * 8;
      const o2 = (c & 0xffff) * 8;
      for (let i = 0; i < 8; i++) b[i] = t[o1 + i]! + t[o2 + i]! / RVQ4B_RESID_SCALE;
    } else {
      this.decodeOne(c, b, 0, 1);
    }
    return b;
  }

  /**
   * Dequantises rows [r0, r1) into `dst` ((r1 − r0) × cols, row-major).
   *
   * @param r0 - first row
   * @param r1 - end row (exclusive)
   * @param dst - destination
   */
  decodeRows(r0: number, r1: number, dst: Float32Array): void {
    const { cols, vpr, scale } = this;
    for (let r = r0; r < r1; r++) {
      const o = (r - r0) * cols;
      for (let v = 0; v < vpr; v++) {
        const w = this.word(r * vpr + v);
        const n = Math.min(8, cols - 8 * v);
        for (let i = 0; i < n; i++) dst[o + 8 * v + i] = w[i]! * scale;
      }
    }
  }

  /**
   * `out[r, i] (+)= Σ_j x[r, j] · A[i, j]` (i.e. Y = X·Aᵀ) for rows r < `rows`.
   *
   * @param x - rows × cols
   * @param rows - number of input rows
   * @param out - rows × this.rows
   * @param accumulate - add into out (default false)
   */
  multiplyTransposed(x: Float32Array, rows: number, out: Float32Array, accumulate = false): void {
    const { rows: m, cols, vpr, scale } = this;
    for (let i = 0; i < m; i++) {
      for (let r = 0; r < rows; r++) if (!accumulate) out[r * m + i] = 0;
      for (let v = 0; v < vpr; v++) {
        const w = this.word(i * vpr + v);
        const n = Math.min(8, cols - 8 * v);
        for (let r = 0; r < rows; r++) {
          const xo = r * cols + 8 * v;
          let s = 0;
          for (let k = 0; k < n; k++) s += w[k]! * x[xo + k]!;
          out[r * m + i]! += s * scale;
        }
      }
    }
  }

  /**
   * `out[r, j] += Σ_i t[r, i] · A[i, j]` (i.e. Y += T·A) for rows r < `rows`.
   *
   * @param t - rows × this.rows
   * @param rows - number of rows
   * @param out - rows × cols, accumulated into
   */
  multiplyAccumulate(t: Float32Array, rows: number, out: Float32Array): void {
    const { rows: m, cols, vpr, scale } = this;
    for (let i = 0; i < m; i++) {
      for (let v = 0; v < vpr; v++) {
        const w = this.word(i * vpr + v);
        const n = Math.min(8, cols - 8 * v);
        for (let r = 0; r < rows; r++) {
          const a = t[r * m + i]! * scale;
          if (a === 0) continue;
          const oo = r * cols + 8 * v;
          for (let k = 0; k < n; k++) out[oo + k]! += a * w[k]!;
        }
      }
    }
  }

  /** @returns bytes of the codes (+ 4 for the scale) */
  residentBytes(): number {
    return this.codes.byteLength + 4;
  }
}
