/**
 * Fast Walsh–Hadamard transform along the rows of a matrix: each row x (length n = 2^j) becomes
 * x·S_n with S_n[i][j] = (−1)^popcount(i AND j) (natural / Sylvester order; S_n is symmetric), in
 * place, in n·log₂n additions per row. With `normalize` the result is scaled by 1/√n, making the
 * transform orthonormal (and its own inverse).
 */
import { CalderaError, describeValue } from '@caldera/core';
import type { FloatArray } from '../blas/types';
import { checkDim, checkView } from '../blas/validate';
import { sylvester } from './hadamard-matrix';

/**
 * Unchecked in-place FWHT of one row segment `x[off … off+n)`; n must be a power of two.
 *
 * @param x - storage
 * @param off - start of the segment
 * @param n - segment length (power of two)
 * @example
 * ```ts
 * const x = new Float32Array([1, 0]);
 * fwhtSegment(x, 0, 2); // x = [1, 1]
 * ```
 */
export function fwhtSegment(x: FloatArray, off: number, n: number): void {
  let h = 1;
  // radix-4 stages: combine strides h and 2h in one pass
  for (; 4 * h <= n; h *= 4) {
    const h2 = 2 * h;
    for (let base = off; base < off + n; base += 4 * h) {
      for (let i = base; i < base + h; i++) {
        const a = x[i]!;
        const b = x[i + h]!;
        const c = x[i + h2]!;
        const d = x[i + h2 + h]!;
        const ab = a + b;
        const amb = a - b;
        const cd = c + d;
        const cmd = c - d;
        x[i] = ab + cd;
        x[i + h] = amb + cmd;
        x[i + h2] = ab - cd;
        x[i + h2 + h] = amb - cmd;
      }
    }
  }
  for (; h < n; h *= 2) {
    for (let base = off; base < off + n; base += 2 * h) {
      for (let i = base; i < base + h; i++) {
        const a = x[i]!;
        const b = x[i + h]!;
        x[i] = a + b;
        x[i + h] = a - b;
      }
    }
  }
}

function checkPow2(routine: string, n: number): void {
  checkDim(routine, 'n', n);
  if (n < 1 || (n & (n - 1)) !== 0) {
    throw new CalderaError(
      'UNSUPPORTED_DIMENSION',
      `${routine}: row length must be a power of two, got ${describeValue(n)}`,
      {
        details: { n },
      },
    );
  }
}

/**
 * In-place fast Walsh–Hadamard transform of every row of a row-major `rows × n` view.
 *
 * @param x - storage (float32 or float64)
 * @param rows - number of rows
 * @param n - row length, a power of two
 * @param normalize - scale by 1/√n (orthonormal transform), default false
 * @param ld - row stride, default n
 * @param off - offset of element (0, 0), default 0
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when n is not a power of two; `SHAPE_MISMATCH` when
 *   the view does not fit
 * @example
 * ```ts
 * const x = new Float32Array([1, 2, 3, 4]);
 * fwht(x, 1, 4); // x = [10, -2, -4, 0]
 * ```
 */
export function fwht(
  x: FloatArray,
  rows: number,
  n: number,
  normalize = false,
  ld = n,
  off = 0,
): void {
  checkPow2('fwht', n);
  checkDim('fwht', 'rows', rows);
  checkView('fwht', 'x', x, rows, n, ld, off);
  const s = 1 / Math.sqrt(n);
  for (let r = 0; r < rows; r++) {
    const o = off + r * ld;
    fwhtSegment(x, o, n);
    if (normalize) for (let i = o; i < o + n; i++) x[i] = x[i]! * s;
  }
}

/**
 * Reference FWHT by dense multiplication with the Sylvester matrix (O(n²) per row; for tests).
 *
 * @param x - `rows × n` row-major, not modified
 * @param rows - number of rows
 * @param n - row length, a power of two
 * @param normalize - scale by 1/√n
 * @returns a new Float64Array with each row multiplied by S_n
 * @throws CalderaError `UNSUPPORTED_DIMENSION` when n is not a power of two
 * @example
 * ```ts
 * fwhtRef(new Float64Array([1, 2]), 1, 2); // Float64Array [3, -1]
 * ```
 */
export function fwhtRef(x: FloatArray, rows: number, n: number, normalize = false): Float64Array {
  checkPow2('fwhtRef', n);
  const h = sylvester(n);
  const out = new Float64Array(rows * n);
  const s = normalize ? 1 / Math.sqrt(n) : 1;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += x[r * n + i]! * h[i * n + j]!;
      out[r * n + j] = acc * s;
    }
  }
  return out;
}
