/**
 * Dense float32 linear layer: W stored outFeatures × inFeatures (PyTorch layout).
 */
import { sgemm } from '@caldera/linalg';
import { matvecRows } from '../kernels/matvec';
import { checkForwardArgs, checkMatrix, type Linear } from './linear';

/**
 * Below this many rows a product runs as float64-accumulated dot products (decode); from it on
 * through `sgemm` (prefill).
 *
 * @example
 * ```ts
 * const viaGemm = rows >= GEMM_MIN_ROWS;
 * ```
 */
export const GEMM_MIN_ROWS = 8;

/**
 * `y = W x` with a float32 W. Few rows (decode) use float64-accumulated dot products; more
 * rows (prefill) go through `@caldera/linalg`'s `sgemm` on its active (fastest) backend.
 *
 * @example
 * ```ts
 * const layer = new DenseLinear(Float32Array.of(1, 2, 3, 4), 2, 2);
 * const y = new Float32Array(2);
 * layer.forward(Float32Array.of(1, 1), 1, y); // y = [3, 7]
 * ```
 */
export class DenseLinear implements Linear {
  readonly kind = 'dense';

  /**
   * @param weight - W, outFeatures × inFeatures row-major (kept, not copied)
   * @param outFeatures - rows of W
   * @param inFeatures - columns of W
   * @throws CalderaError `SHAPE_MISMATCH` when the weight length is not out·in
   */
  constructor(
    readonly weight: Float32Array,
    readonly outFeatures: number,
    readonly inFeatures: number,
  ) {
    checkMatrix('DenseLinear weight', weight, outFeatures, inFeatures);
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
    const weight = this.weight;
    const m = this.outFeatures;
    const n = this.inFeatures;
    if (rows < GEMM_MIN_ROWS) matvecRows(weight, m, n, x, rows, out);
    else sgemm('N', 'T', rows, m, n, 1, x, n, weight, n, 0, out, m);
  }

  /** @returns a copy of W */
  toDense(): Float32Array {
    return this.weight.slice();
  }

  /** @returns 4 bytes per weight */
  residentBytes(): number {
    return this.weight.byteLength;
  }
}
