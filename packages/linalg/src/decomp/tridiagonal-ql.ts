/**
 * Implicit QL iteration with Wilkinson-type shifts for a symmetric tridiagonal matrix (the
 * classic `tql2`/`steqr` scheme, derived from the plane-rotation chase): eigenvalues land in d;
 * if `zt` is given, each rotation of coordinates (i, i+1) is applied to rows i and i+1 of zt
 * (contiguous in row-major storage), so that on return row j of zt is the eigenvector of T for
 * d[j] when zt started as the identity.
 */
import { CalderaError } from '@caldera/core';

const EPS = 2 ** -52;
const MAX_ITER = 60;

/**
 * Diagonalizes the tridiagonal (d, e) in place.
 *
 * @param d - diagonal, length n; overwritten with the (unsorted) eigenvalues
 * @param e - subdiagonal, length n (e[i] couples i and i+1); destroyed
 * @param n - order
 * @param zt - optional n×n row-major matrix whose rows are rotated along (eigenvectors as rows)
 * @throws CalderaError `NO_CONVERGENCE` when an eigenvalue needs more than 60 iterations
 * @example
 * ```ts
 * const d = new Float64Array([2, 2]), e = new Float64Array([1, 0]);
 * tridiagonalQl(d, e, 2); // d = {1, 3} in some order
 * ```
 */
export function tridiagonalQl(
  d: Float64Array,
  e: Float64Array,
  n: number,
  zt?: Float64Array,
): void {
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= EPS * dd) break;
      }
      if (m === l) break;
      if (iter++ === MAX_ITER) {
        throw new CalderaError(
          'NO_CONVERGENCE',
          `tridiagonalQl: eigenvalue ${l} did not converge in ${MAX_ITER} iterations`,
          {
            details: { index: l, n },
          },
        );
      }
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (zt !== undefined) {
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const zf = zt[ri1 + k]!;
            const zi = zt[ri + k]!;
            zt[ri1 + k] = s * zi + c * zf;
            zt[ri + k] = c * zi - s * zf;
          }
        }
      }
      if (underflow) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
