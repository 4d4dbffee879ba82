/**
 * The linear-layer interface of the runtime: every projection of a decoder block (dense,
 * low-rank, quantised, CALDERA) is a {@link Linear}, so the forward pass never knows how a
 * weight is stored.
 *
 * Extension point: a new kind implements this interface (its `forward` multiplies straight
 * from its own storage; scratch is allocated once and grown only when more rows arrive) and
 * is put into a model with `LlamaModel.setLinear`. `toDense()` is for tests and conversions,
 * never for the forward pass.
 */
import { CalderaError, describeValue } from '@caldera/core';

/**
 * `y = W x` for rows of inputs, W of shape outFeatures × inFeatures.
 *
 * @example
 * ```ts
 * function apply(layer: Linear, x: Float32Array): Float32Array {
 *   const y = new Float32Array(layer.outFeatures);
 *   layer.forward(x, 1, y);
 *   return y;
 * }
 * ```
 */
export interface Linear {
  /** The kind (`'dense'`, `'low-rank'`, `'uniform'`, `'caldera'`, …), for reports. */
  readonly kind: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /**
   * Computes `out[r, :] = W · x[r, :]` for `rows` rows (row-major, `rows × inFeatures` in,
   * `rows × outFeatures` out). `out` must not alias `x`.
   */
  forward(x: Float32Array, rows: number, out: Float32Array): void;
  /** Rebuilds W (outFeatures × inFeatures, row-major) — for tests and conversions only. */
  toDense(): Float32Array;
  /** Bytes of weight storage this layer keeps resident (codes, scales, factors). */
  residentBytes(): number;
}

/**
 * Validates the arguments of a {@link Linear.forward} call.
 *
 * @param layer - the layer
 * @param x - inputs
 * @param rows - number of rows
 * @param out - outputs
 * @throws CalderaError `SHAPE_MISMATCH` when a buffer is too short or rows is not a
 *   non-negative integer
 * @example
 * ```ts
 * checkForwardArgs(layer, x, 1, y); // throws when x.length < layer.inFeatures
 * ```
 */
export function checkForwardArgs(
  layer: Linear,
  x: Float32Array,
  rows: number,
  out: Float32Array,
): void {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${layer.kind} linear: bad row count ${describeValue(rows)}`,
    );
  }
  if (x.length < rows * layer.inFeatures || out.length < rows * layer.outFeatures) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${layer.kind} linear ${layer.outFeatures}×${layer.inFeatures}: ${rows} rows need input ${rows * layer.inFeatures} and output ${rows * layer.outFeatures} values, got ${x.length} and ${out.length}`,
      { details: { rows, x: x.length, out: out.length } },
    );
  }
}

/**
 * Checks that a matrix buffer holds rows × cols values.
 *
 * @param what - name for the message
 * @param data - the buffer
 * @param rows - expected rows
 * @param cols - expected columns
 * @throws CalderaError `SHAPE_MISMATCH`
 * @example
 * ```ts
 * checkMatrix('weight', new Float32Array(6), 2, 3); // ok
 * ```
 */
export function checkMatrix(
  what: string,
  data: ArrayLike<number>,
  rows: number,
  cols: number,
): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new CalderaError('SHAPE_MISMATCH', `${what}: bad shape ${describeValue([rows, cols])}`);
  }
  if (data.length !== rows * cols) {
    throw new CalderaError(
      'SHAPE_MISMATCH',
      `${what}: expected ${rows}×${cols} = ${rows * cols} values, got ${data.length}`,
    );
  }
}
