/**
 * Small dense helpers on row-major float64 matrices used by the solver (products through
 * `dgemm`, or `sgemm` on float32 copies where the result only seeds a quantised value; traces,
 * norms). Internal: not exported from the package.
 */
import { dgemm, sgemm } from '@caldera/linalg';

/**
 * C = op(A)·op(B) as a new m×n float64 matrix.
 *
 * @param ta - `'N'` (A is m×k) or `'T'` (A stored k×m)
 * @param tb - `'N'` (B is k×n) or `'T'` (B stored n×k)
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param a - A
 * @param b - B
 * @returns C
 * @example
 * ```ts
 * mul('N', 'N', 1, 1, 1, new Float64Array([2]), new Float64Array([3])); // [6]
 * ```
 */
export function mul(
  ta: 'N' | 'T',
  tb: 'N' | 'T',
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
): Float64Array {
  const c = new Float64Array(m * n);
  if (m === 0 || n === 0 || k === 0) return c;
  dgemm(ta, tb, m, n, k, 1, a, ta === 'N' ? k : m, b, tb === 'N' ? n : k, 0, c, n);
  return c;
}

/**
 * A float32 copy (round to nearest) of a float64 array.
 *
 * @param a - the values
 * @returns Float32Array.from(a)
 * @example
 * ```ts
 * toF32(new Float64Array([1 / 3])); // [0.3333333432674408]
 * ```
 */
export function toF32(a: Float64Array): Float32Array {
  return Float32Array.from(a);
}

/**
 * C = op(A)·op(B) in float32 arithmetic (`sgemm`, about 2× the speed of `dgemm` in wasm SIMD),
 * returned as float64: the plain reference is {@link mul}, which it matches to about
 * k·2⁻²⁴·‖A‖‖B‖. Float64 operands are rounded to float32 first; pass float32 copies of
 * operands that are reused (e.g. H, or A across the LPLR rounds) to convert them once.
 *
 * @param ta - `'N'` (A is m×k) or `'T'` (A stored k×m)
 * @param tb - `'N'` (B is k×n) or `'T'` (B stored n×k)
 * @param m - rows of C
 * @param n - columns of C
 * @param k - inner dimension
 * @param a - A (float32, or float64 rounded here)
 * @param b - B (float32, or float64 rounded here)
 * @returns C, float64
 * @example
 * ```ts
 * mulF32('N', 'N', 1, 1, 1, new Float32Array([2]), new Float64Array([3])); // [6]
 * ```
 */
export function mulF32(
  ta: 'N' | 'T',
  tb: 'N' | 'T',
  m: number,
  n: number,
  k: number,
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
): Float64Array {
  if (m === 0 || n === 0 || k === 0) return new Float64Array(m * n);
  const a32 = a instanceof Float32Array ? a : toF32(a);
  const b32 = b instanceof Float32Array ? b : toF32(b);
  const c = new Float32Array(m * n);
  sgemm(ta, tb, m, n, k, 1, a32, ta === 'N' ? k : m, b32, tb === 'N' ? n : k, 0, c, n);
  return Float64Array.from(c);
}

/**
 * Transpose of a rows×cols matrix.
 *
 * @param a - the matrix
 * @param rows - rows
 * @param cols - columns
 * @returns the cols×rows transpose
 * @example
 * ```ts
 * transpose(new Float64Array([1, 2]), 1, 2); // [1, 2] as 2×1
 * ```
 */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/**
 * Σ a_i·b_i over two equally long arrays (the Frobenius inner product).
 *
 * @param a - first
 * @param b - second
 * @returns the inner product
 * @example
 * ```ts
 * dot(new Float64Array([1, 2]), new Float64Array([3, 4])); // 11
 * ```
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * tr(Δ·H·Δᵀ) for Δ m×n and H n×n (the data-aware squared error).
 *
 * @param d - Δ
 * @param m - rows
 * @param n - columns
 * @param h - H
 * @returns the trace
 * @example
 * ```ts
 * hessianNorm2(new Float64Array([1, 1]), 1, 2, new Float64Array([1, 0, 0, 1])); // 2
 * ```
 */
export function hessianNorm2(d: Float64Array, m: number, n: number, h: Float64Array): number {
  return dot(d, mul('N', 'N', m, n, n, d, h));
}

/**
 * Root mean square of the entries.
 *
 * @param a - the values
 * @returns sqrt(mean(a²)), 0 for an empty array
 * @example
 * ```ts
 * rms(new Float64Array([3, 4])); // 3.5355…
 * ```
 */
export function rms(a: ArrayLike<number>): number {
  return a.length === 0 ? 0 : Math.sqrt(dot(a, a) / a.length);
}
