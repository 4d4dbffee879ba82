/**
 * Uniform-quantised linear layer: W kept as @caldera/quant's bit-packed b-bit codes with a
 * scale (and offset) per group of columns. Decode rows of a 4-bit layer (columns and group
 * size multiples of 8) are dot products straight from the packed words, group by group
 * (`uniform4DotRows`); otherwise a product dequantises a tile of output rows into a small
 * scratch and multiplies it. W is never rebuilt whole.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { sgemm } from '@caldera/linalg';
import { groupsPerRow, packBits, type UniformQuantized, unpackQuantized } from '@caldera/quant';
import { matvecRows } from '../kernels/matvec';
import { uniform4DotRows, uniformGroupSums } from '../kernels/uniform4-dot';
import { GEMM_MIN_ROWS } from './dense-linear';
import { checkForwardArgs, type Linear } from './linear';
import { ScratchSlot, scratch, scratch64 } from './shared-scratch';

/** Whether typed-array words are little-endian (the packed code stream is). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Target size (floats) of one dequantised tile. */
const TILE_FLOATS = 1 << 15;

/**
 * A linear layer multiplying from packed uniform codes.
 *
 * @example
 * ```ts
 * const q = uniformQuantize(Float32Array.of(1, -1, 0.5, 0), 2, 2, { bits: 4 });
 * const layer = new UniformLinear(q);
 * const y = new Float32Array(2);
 * layer.forward(Float32Array.of(1, 1), 1, y); // ≈ [0, 0.5]
 * ```
 */
export class UniformLinear implements Linear {
  readonly kind = 'uniform';
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly bits: number;
  readonly groupSize: number;
  readonly symmetric: boolean;
  /** The codes as a little-endian LSB-first bit stream, plus one zero byte of padding. */
  readonly packed: Uint8Array;
  readonly scales: Float32Array;
  readonly offsets: Float32Array;
  private readonly tileRows: number;
  /** The code stream as 32-bit words (4-bit codes, n and group size multiples of 8), else undefined. */
  private readonly words: Uint32Array | undefined;

  /**
   * @param q - a uniform-quantised matrix from `uniformQuantize` or `unpackQuantized`
   * @throws CalderaError `UNSUPPORTED_LAYER` for a bit width above 8
   */
  constructor(q: UniformQuantized) {
    if (!(q.bits >= 1 && q.bits <= 8)) {
      throw new CalderaError(
        'UNSUPPORTED_LAYER',
        `UniformLinear: bits ${describeValue(q.bits)} not in 1..8`,
      );
    }
    this.outFeatures = q.rows;
    this.inFeatures = q.cols;
    this.bits = q.bits;
    this.groupSize = q.groupSize;
    this.symmetric = q.scheme === 'symmetric';
    const bytes = packBits(q.codes, q.bits);
    this.packed = new Uint8Array(bytes.length + 1);
    this.packed.set(bytes);
    this.scales = q.scales;
    this.offsets = q.offsets;
    this.tileRows = Math.max(1, Math.min(q.rows, Math.floor(TILE_FLOATS / q.cols)));
    this.words =
      LITTLE_ENDIAN && q.bits === 4 && q.cols % 8 === 0 && q.groupSize % 8 === 0
        ? new Uint32Array(this.packed.buffer, this.packed.byteOffset, (q.rows * q.cols) / 8)
        : undefined;
  }

  /**
   * Builds the layer from a packed blob of `@caldera/quant`'s `packQuantized`.
   *
   * @param blob - a CQNT blob holding a uniform matrix
   * @returns the layer
   * @throws CalderaError `UNSUPPORTED_LAYER` when the blob holds an E8 matrix; quant's
   *   `CORRUPT_PACKED_DATA` / `FORMAT_VERSION_UNSUPPORTED` codes
   * @example
   * ```ts
   * const layer = UniformLinear.fromPacked(packQuantized(uniformQuantize(w, m, n, { bits: 4 })));
   * ```
   */
  static fromPacked(blob: Uint8Array): UniformLinear {
    const q = unpackQuantized(blob);
    if (q.family !== 'uniform') {
      throw new CalderaError(
        'UNSUPPORTED_LAYER',
        `UniformLinear.fromPacked: the blob holds a ${q.quantizer} matrix`,
      );
    }
    return new UniformLinear(q);
  }

  /**
   * Dequantises output rows [r0, r1) into `dst` (row-major, (r1−r0) × inFeatures).
   *
   * @param r0 - first row
   * @param r1 - end row (exclusive)
   * @param dst - destination
   */
  dequantizeRows(r0: number, r1: number, dst: Float32Array): void {
    const n = this.inFeatures;
    const bits = this.bits;
    const groupSize = this.groupSize;
    const packed = this.packed;
    const scales = this.scales;
    const offsets = this.offsets;
    const symmetric = this.symmetric;
    const gpr = groupsPerRow(n, groupSize);
    const mask = (1 << bits) - 1;
    const mid = symmetric ? 2 ** (bits - 1) - 1 : 0;
    let p = 0;
    for (let r = r0; r < r1; r++) {
      let bit = r * n * bits;
      for (let g = 0; g < gpr; g++) {
        const scale = scales[r * gpr + g]!;
        const offset = symmetric ? 0 : offsets[r * gpr + g]!;
        const end = Math.min(n, (g + 1) * groupSize);
        for (let j = g * groupSize; j < end; j++) {
          const b = bit >>> 3;
          const code = ((packed[b]! | (packed[b + 1]! << 8)) >>> (bit & 7)) & mask;
          dst[p++] = offset + (code - mid) * scale;
          bit += bits;
        }
      }
    }
  }

  /**
   * @param x - rows × inFeatures
   * @param rows - number of rows
   * @param out - rows × outFeatures
   * @throws CalderaError `SHAPE_MISMATCH`
   */
  forward(x: Float32Array, rows: number, out: Float32Array): void {
    checkForwardArgs(this, x, rows, out);
    if (rows === 0) return;
    const m = this.outFeatures;
    const n = this.inFeatures;
    if (this.words !== undefined && rows < GEMM_MIN_ROWS) {
      this.forwardFromCodes(this.words, x, rows, out);
      return;
    }
    const tile = scratch(ScratchSlot.Tile, this.tileRows * n);
    const tileRows = this.tileRows;
    for (let r0 = 0; r0 < m; r0 += tileRows) {
      const r1 = Math.min(m, r0 + tileRows);
      this.dequantizeRows(r0, r1, tile);
      const t = r1 - r0;
      if (rows < GEMM_MIN_ROWS) matvecRows(tile, t, n, x, rows, out, m, r0);
      else sgemm('N', 'T', rows, t, n, 1, x, n, tile, n, 0, out, m, 0, 0, r0);
    }
  }

  /** Decode rows straight from the 4-bit words (one dot product per output, group-wise). */
  private forwardFromCodes(
    words: Uint32Array,
    x: Float32Array,
    rows: number,
    out: Float32Array,
  ): void {
    const m = this.outFeatures;
    const n = this.inFeatures;
    const gpr = groupsPerRow(n, this.groupSize);
    const mid = this.symmetric ? 7 : 0;
    const buf = scratch64(rows * (n + gpr));
    const sumsOff = rows * n;
    for (let j = 0; j < rows * n; j++) buf[j] = x[j]!;
    for (let r = 0; r < rows; r++) {
      uniformGroupSums(buf, r * n, n, this.groupSize, buf, sumsOff + r * gpr);
      uniform4DotRows(
        words,
        n,
        this.groupSize,
        0,
        m,
        buf,
        r * n,
        buf,
        sumsOff + r * gpr,
        this.scales,
        this.offsets,
        mid,
        this.symmetric,
        out,
        r * m,
      );
    }
  }

  /** @returns the dequantised W */
  toDense(): Float32Array {
    const w = new Float32Array(this.outFeatures * this.inFeatures);
    this.dequantizeRows(0, this.outFeatures, w);
    return w;
  }

  /** @returns bytes of the packed codes, scales and offsets */
  residentBytes(): number {
    return this.packed.byteLength + this.scales.byteLength + this.offsets.byteLength;
  }
}
