/**
 * Small dense helpers on row-major float64 matrices used by the solver (products through
 * `dgemm`, traces, norms). Internal: not exported from the package.
 */
import { dgemm } from '@caldera/linalg';

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
