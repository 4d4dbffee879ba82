import { isCalderaError } from '@caldera/core';
import { Matrix, pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { matmul, maxAbs, maxAbsDiff, orthogonal, randF64 } from '../../test/helpers';
import { lstsq, pinv } from './lstsq';

/** A = U·diag(s)·Vᵀ (m×n) with the given singular values (zeros allowed). */
function withSingularValues(m: number, n: number, s: number[], seed: number): Float64Array {
  const u = orthogonal(m, seed);
  const v = orthogonal(n, seed + 1);
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let k = 0; k < s.length; k++) t += u[i * m + k]! * s[k]! * v[j * n + k]!;
      a[i * n + j] = t;
    }
  return a;
}

describe('lstsq', () => {
  it('well-conditioned: normal equations agree with the QR path and satisfy Aᵀ(AX − B) = 0', () => {
    const [m, n, nrhs] = [60, 12, 2];
    const a = randF64(m * n, 1);
    const b = randF64(m * nrhs, 2);
    const normal = lstsq(a, m, n, b, nrhs);
    expect(normal.method).toBe('normal');
    const qr = lstsq(a, m, n, b, nrhs, { method: 'qr' });
    expect(qr.method).toBe('qr');
    expect(qr.rank).toBe(n);
    expect(maxAbsDiff(normal.x, qr.x)).toBeLessThan(1e-12);
    const r = matmul(a, normal.x, m, n, nrhs).map((v, i) => v - b[i]!);
    const at = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!;
    expect(maxAbs(matmul(at, r, n, m, nrhs))).toBeLessThan(1e-12);
  });

  it('ill-conditioned (cond 1e7): falls back to QR and is more accurate than forced normal equations', () => {
    const [m, n] = [40, 8];
    const s = Array.from({ length: n }, (_, k) => 10 ** (-7 * (k / (n - 1))));
    const a = withSingularValues(m, n, s, 3);
    const xTrue = randF64(n, 4);
    const b = matmul(a, xTrue, m, n, 1);
    const auto = lstsq(a, m, n, b);
    expect(auto.method).toBe('qr');
    const errQr = maxAbsDiff(auto.x, xTrue);
    expect(errQr).toBeLessThan(1e-7);
    const forced = lstsq(a, m, n, b, 1, { method: 'normal' });
    expect(maxAbsDiff(forced.x, xTrue)).toBeGreaterThan(errQr);
  });

  it('rank-deficient and underdetermined systems give the minimum-norm solution', () => {
    const [m, n] = [10, 6];
    const a = withSingularValues(m, n, [3, 2, 1, 0.5], 5); // rank 4
    const b = randF64(m, 6);
    const r = lstsq(a, m, n, b);
    expect(r.method).toBe('qr');
    expect(r.rank).toBe(4);
    const oracle = pseudoInverse(
      new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * n, i * n + n)))),
    );
    const xOracle = oracle.mmul(Matrix.columnVector(Array.from(b))).to1DArray();
    expect(maxAbsDiff(r.x, xOracle)).toBeLessThan(1e-10);
    // underdetermined: A (3×7) full row rank → A·x = b exactly, x ⟂ null(A)
    const aw = randF64(3 * 7, 7);
    const bw = randF64(3, 8);
    const w = lstsq(aw, 3, 7, bw);
    expect(maxAbsDiff(matmul(aw, w.x, 3, 7, 1), bw)).toBeLessThan(1e-12);
  });

  it('errors: NaN, shapes, forced normal on a singular matrix', () => {
    const codeOf = (f: () => void) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return isCalderaError(e) ? e.code : 'other';
      }
    };
    expect(codeOf(() => lstsq(new Float64Array([1, Number.NaN]), 2, 1, new Float64Array(2)))).toBe(
      'NON_FINITE_INPUT',
    );
    expect(codeOf(() => lstsq(new Float64Array(4), 2, 2, new Float64Array(1)))).toBe(
      'SHAPE_MISMATCH',
    );
    expect(
      codeOf(() =>
        lstsq(new Float64Array([1, 0, 1, 0]), 2, 2, new Float64Array(2), 1, { method: 'normal' }),
      ),
    ).toBe('SINGULAR_MATRIX');
  });
});

describe('pinv', () => {
  it.each([
    [7, 5, [4, 2, 1, 0.1, 0.01]],
    [6, 9, [5, 1, 0.5]],
    [8, 8, [2, 2, 1, 0, 0, 0, 0, 0]],
  ])('Moore–Penrose conditions hold for %i×%i (svd and cod agree)', (m, n, s) => {
    const a = withSingularValues(m, n, s, m + n);
    const p = pinv(a, m, n);
    expect(maxAbsDiff(pinv(a, m, n, { method: 'cod' }), p)).toBeLessThan(1e-9);
    const ap = matmul(a, p, m, n, m);
    const pa = matmul(p, a, n, m, n);
    expect(maxAbsDiff(matmul(ap, a, m, m, n), a)).toBeLessThan(1e-10); // A·A⁺·A = A
    expect(maxAbsDiff(matmul(pa, p, n, n, m), p)).toBeLessThan(1e-8); // A⁺·A·A⁺ = A⁺
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++)
        expect(Math.abs(ap[i * m + j]! - ap[j * m + i]!)).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        expect(Math.abs(pa[i * n + j]! - pa[j * n + i]!)).toBeLessThan(1e-10);
  });
});
