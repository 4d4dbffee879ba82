/**
 * An E8-lattice-quantised matrix (E8P12, 2 bits; E8P12-RVQ4B, 4 bits; E8P12-RVQ3B, 3 bits)
 * kept as its codes, with products computed straight from them: each 16-bit E8P code selects
 * one entry of the packed integer codebook (`e8pPackedTable`, 4·codeword in eight 8-bit
 * lanes), so a product costs two (RVQ4B: four) table reads per 8 weights. Codes are held as
 * `Uint16Array`s (stage 1, and stage 2 for the residual quantisers), which keeps element reads
 * small-integer and the hot loops monomorphic.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { type E8Quantized, e8Ops, e8pCodebook, RVQ4B_RESID_SCALE } from '@caldera/quant';
import { e8pAccumulateColumns, e8pDotRows, e8pPackedTable } from '../kernels/e8p-packed-dot';
import { e8pResidualAccumulateColumns, e8pResidualDotRows } from '../kernels/e8p-residual-dot';
import { scratch64 } from './shared-scratch';

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
  /** Stage-1 E8P codes, rows × ⌈cols/8⌉ row-major. */
  readonly codes1: Uint16Array;
  /** Stage-2 codes (RVQ4B: E8P codes; RVQ3B: 8-bit codes); empty for E8P12. */
  readonly codes2: Uint16Array;
  private readonly vpr: number;
  private readonly table: Float32Array;
  private readonly buf = new Float32Array(8);
  private readonly decodeOne: (
    code: number,
    out: Float32Array,
    offset?: number,
    scale?: number,
  ) => void;

  /**
   * @param q - the quantised matrix (`e8Quantize` or `unpackQuantized` output)
   * @throws CalderaError `UNSUPPORTED_LAYER` for a non-E8 matrix
   */
  constructor(q: E8Quantized) {
    if (q.family !== 'e8p') {
      throw new CalderaError(
        'UNSUPPORTED_LAYER',
        `PackedE8Matrix: not an E8 matrix: ${describeValue(q.family)}`,
      );
    }
    this.rows = q.rows;
    this.cols = q.cols;
    this.scale = q.scale;
    this.quantizer = q.quantizer;
    this.vpr = Math.ceil(q.cols / 8);
    const n = q.codes.length;
    this.codes1 = new Uint16Array(n);
    this.codes2 = new Uint16Array(q.quantizer === 'e8p12' ? 0 : n);
    const shift = q.quantizer === 'e8p12rvq4b' ? 16 : 8;
    for (let k = 0; k < n; k++) {
      const c = q.codes[k]!;
      if (q.quantizer === 'e8p12') this.codes1[k] = c;
      else {
        this.codes1[k] = Math.floor(c / 2 ** shift);
        this.codes2[k] = c % 2 ** shift;
      }
    }
    this.table = e8pCodebook();
    this.decodeOne = e8Ops(q.quantizer).decodeOne;
  }

  /** Whether the fast table paths apply (whole 8-vectors, table-decodable quantiser). */
  private fast(): boolean {
    return this.cols % 8 === 0 && this.quantizer !== 'e8p12rvq3b';
  }

  /** Fills `this.buf` with the unscaled codeword of code index k (any quantiser). */
  private word(k: number): Float32Array {
    const c1 = this.codes1[k]!;
    if (this.quantizer === 'e8p12') this.decodeOne(c1, this.buf, 0, 1);
    else if (this.quantizer === 'e8p12rvq4b')
      this.decodeOne(c1 * 65536 + this.codes2[k]!, this.buf, 0, 1);
    else this.decodeOne(c1 * 256 + this.codes2[k]!, this.buf, 0, 1);
    return this.buf;
  }

  /**
   * Dequantises rows [r0, r1) into `dst` ((r1 − r0) × cols, row-major).
   *
   * @param r0 - first row
   * @param r1 - end row (exclusive)
   * @param dst - destination
   */
  decodeRows(r0: number, r1: number, dst: Float32Array): void {
    const cols = this.cols;
    const vpr = this.vpr;
    const scale = this.scale;
    const t = this.table;
    const codes1 = this.codes1;
    const codes2 = this.codes2;
    const two = this.quantizer === 'e8p12rvq4b';
    const inv = 1 / RVQ4B_RESID_SCALE;
    const fast = this.fast();
    for (let r = r0; r < r1; r++) {
      const o = (r - r0) * cols;
      for (let v = 0; v < vpr; v++) {
        const k = r * vpr + v;
        if (fast) {
          const a = codes1[k]! * 8;
          const d = o + 8 * v;
          if (two) {
            const b = codes2[k]! * 8;
            for (let i = 0; i < 8; i++) dst[d + i] = (t[a + i]! + t[b + i]! * inv) * scale;
          } else for (let i = 0; i < 8; i++) dst[d + i] = t[a + i]! * scale;
        } else {
          const w = this.word(k);
          const n = Math.min(8, cols - 8 * v);
          for (let i = 0; i < n; i++) dst[o + 8 * v + i] = w[i]! * scale;
        }
      }
    }
  }

  /**
   * `out[r, i] = Σ_j x[r, j] · A[i, j]` (Y = X·Aᵀ) for rows r < `rows`.
   *
   * @param x - rows × cols
   * @param rows - number of input rows
   * @param out - rows × this.rows, overwritten
   */
  multiplyTransposed(x: Float32Array, rows: number, out: Float32Array): void {
    const m = this.rows;
    const cols = this.cols;
    const vpr = this.vpr;
    const scale = this.scale;
    const codes1 = this.codes1;
    const codes2 = this.codes2;
    if (!this.fast()) {
      out.fill(0, 0, rows * m);
      for (let i = 0; i < m; i++)
        for (let v = 0; v < vpr; v++) {
          const w = this.word(i * vpr + v);
          const n = Math.min(8, cols - 8 * v);
          for (let r = 0; r < rows; r++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += w[k]! * x[r * cols + 8 * v + k]!;
            out[r * m + i]! += s * scale;
          }
        }
      return;
    }
    const table = e8pPackedTable();
    const x64 = scratch64(rows * cols);
    for (let j = 0; j < rows * cols; j++) x64[j] = x[j]!;
    const a1 = scale * 0.25;
    const a2 = a1 / RVQ4B_RESID_SCALE;
    for (let r = 0; r < rows; r++) {
      if (this.quantizer === 'e8p12') {
        e8pDotRows(table, codes1, vpr, 0, m, x64, r * cols, a1, out, r * m, false);
      } else {
        e8pResidualDotRows(
          table,
          codes1,
          codes2,
          vpr,
          0,
          m,
          x64,
          r * cols,
          a1,
          a2,
          out,
          r * m,
          false,
        );
      }
    }
  }

  /**
   * `out[r, j] += Σ_i t[r, i] · A[i, j]` (Y += T·A) for rows r < `rows`.
   *
   * @param tIn - rows × this.rows
   * @param rows - number of rows
   * @param out - rows × cols, accumulated into
   */
  multiplyAccumulate(tIn: Float32Array, rows: number, out: Float32Array): void {
    const m = this.rows;
    const cols = this.cols;
    const vpr = this.vpr;
    const scale = this.scale;
    const codes1 = this.codes1;
    const codes2 = this.codes2;
    const two = this.quantizer === 'e8p12rvq4b';
    if (this.fast()) {
      const table = e8pPackedTable();
      const a1 = scale * 0.25;
      const a2 = a1 / RVQ4B_RESID_SCALE;
      for (let r = 0; r < rows; r++) {
        if (two) {
          e8pResidualAccumulateColumns(
            table,
            codes1,
            codes2,
            vpr,
            m,
            tIn,
            r * m,
            a1,
            a2,
            out,
            r * cols,
          );
        } else e8pAccumulateColumns(table, codes1, vpr, m, tIn, r * m, a1, out, r * cols);
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < m; i++) {
        const a0 = tIn[r * m + i]! * scale;
        for (let v = 0; v < vpr; v++) {
          const w = this.word(i * vpr + v);
          const n = Math.min(8, cols - 8 * v);
          for (let k = 0; k < n; k++) out[r * cols + 8 * v + k]! += a0 * w[k]!;
        }
      }
    }
  }

  /** @returns bytes of the codes (+ 4 for the scale) */
  residentBytes(): number {
    return this.codes1.byteLength + this.codes2.byteLength + 4;
  }
}
