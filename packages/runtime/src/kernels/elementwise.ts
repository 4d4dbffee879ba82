/**
 * Small elementwise kernels of the decoder block.
 */

/**
 * SwiGLU gate: `out[i] = silu(gate[i]) · up[i]` with `silu(x) = x / (1 + e^−x)`.
 *
 * @param gate - gate projections
 * @param up - up projections
 * @param n - number of elements
 * @param out - output (may alias `gate`)
 * @example
 * ```ts
 * const o = new Float32Array(1);
 * swiglu(Float32Array.of(0), Float32Array.of(5), 1, o); // o = [0]
 * ```
 */
export function swiglu(gate: Float32Array, up: Float32Array, n: number, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i]!;
    out[i] = (g / (1 + Math.exp(-g))) * up[i]!;
  }
}

/**
 * `x += y` over n elements.
 *
 * @param x - accumulator
 * @param y - addend
 * @param n - number of elements
 * @example
 * ```ts
 * const x = Float32Array.of(1, 2);
 * addInPlace(x, Float32Array.of(3, 4), 2); // x = [4, 6]
 * ```
 */
export function addInPlace(x: Float32Array, y: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) x[i] = x[i]! + y[i]!;
}

/**
 * Adds a bias vector to every row: `x[r, i] += bias[i]`.
 *
 * @param x - rows × dim
 * @param bias - length dim
 * @param rows - number of rows
 * @param dim - row length
 * @example
 * ```ts
 * const x = new Float32Array(4);
 * addBias(x, Float32Array.of(1, 2), 2, 2); // x = [1, 2, 1, 2]
 * ```
 */
export function addBias(x: Float32Array, bias: Float32Array, rows: number, dim: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    for (let i = 0; i < dim; i++) x[o + i] = x[o + i]! + bias[i]!;
  }
}
