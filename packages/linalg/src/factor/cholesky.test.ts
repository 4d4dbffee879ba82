import { isCalderaError } from '@caldera/core';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BACKENDS,
  illConditionedSpd,
  matmul,
  maxAbs,
  maxAbsDiff,
  randomSpd,
} from '../../test/helpers';
import { setBackend } from '../backend/registry';
import { dpotrf, spotrf } from './cholesky';
import { choleskyWithJitter } from './cholesky-jitter';

afterAll(() => setBackend(undefined));

function codeOf(f: () => void): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return isCalderaError(e) ? e.code : 'other';
  }
}

describe.each(BACKENDS)('Cholesky on backend %s', (backend) => {
  it('reconstructs random SPD matrices: ‖A − L·Lᵀ‖ small, L lower, zeros above', () => {
    setBackend(backend);
    for (const n of [1, 7, 33, 130]) {
      const a = randomSpd(n, n);
      const l = a.slice();
      dpotrf(n, l);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
      expect(maxAbsDiff(matmul(l, l, n, n, n, true), a) / maxAbs(a)).toBeLessThan(1e-13);
      const ls = Float32Array.from(a);
      spotrf(n, ls);
      expect(maxAbsDiff(matmul(ls, ls, n, n, n, true), a) / maxAbs(a)).toBeLessThan(2e-6);
    }
  });

  it('spotrf n = 400 (trsm leaves solved through their inverse) matches dpotrf', () => {
    setBackend(backend);
    const n = 400;
    const a = randomSpd(n, 21);
    const l = a.slice();
    dpotrf(n, l);
    const ls = Float32Array.from(a);
    spotrf(n, ls);
    expect(maxAbsDiff(matmul(ls, ls, n, n, n, true), a) / maxAbs(a)).toBeLessThan(5e-6);
    expect(maxAbsDiff(ls, l) / maxAbs(l)).toBeLessThan(5e-5);
  });

  it('handles ill-conditioned SPD input (cond 1e10) with a backward-stable factor', () => {
    setBackend(backend);
    const n = 60;
    const a = illConditionedSpd(n, 1e10, 3);
    const l = a.slice();
    dpotrf(n, l);
    expect(maxAbsDiff(matmul(l, l, n, n, n, true), a) / maxAbs(a)).toBeLessThan(1e-14);
  });

  it('works on a sub-view with leading dimension and offset', () => {
    setBackend(backend);
    const n = 40;
    const a = randomSpd(n, 9);
    const ld = n + 5;
    const big = new Float64Array(3 + n * ld).fill(7);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) big[3 + i * ld + j] = a[i * n + j]!;
    dpotrf(n, big, ld, 3);
    const l = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) l[i * n + j] = big[3 + i * ld + j]!;
    expect(maxAbsDiff(matmul(l, l, n, n, n, true), a)).toBeLessThan(1e-13);
    expect(big[3 + n]).toBe(7); // padding column untouched
  });
});

describe('Cholesky against ml-matrix and errors', () => {
  it('matches ml-matrix CholeskyDecomposition on small matrices', () => {
    for (const n of [3, 10, 25]) {
      const a = randomSpd(n, 100 + n);
      const l = a.slice();
      dpotrf(n, l);
      const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
      const oracle = new CholeskyDecomposition(new Matrix(rows)).lowerTriangularMatrix;
      expect(maxAbsDiff(l, oracle.to1DArray())).toBeLessThan(1e-12);
    }
  });

  it('reports NOT_POSITIVE_DEFINITE with the failing pivot index', () => {
    const n = 50;
    const a = randomSpd(n, 4);
    // make the leading 41×41 block singular-ish by breaking pivot 40
    a[40 * n + 40] = -1;
    try {
      dpotrf(n, a.slice());
      expect.unreachable();
    } catch (e) {
      expect(isCalderaError(e, 'NOT_POSITIVE_DEFINITE')).toBe(true);
      expect((e as { details: { index: number } }).details.index).toBe(40);
    }
  });

  it('reports NON_FINITE_INPUT and SHAPE_MISMATCH', () => {
    const a = new Float64Array([4, 0, Number.NaN, 4]);
    expect(codeOf(() => dpotrf(2, a))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => spotrf(2, new Float32Array([1, 0, Number.POSITIVE_INFINITY, 1])))).toBe(
      'NON_FINITE_INPUT',
    );
    expect(codeOf(() => dpotrf(3, new Float64Array(4)))).toBe('SHAPE_MISMATCH');
    // only the lower triangle is read: NaN above the diagonal is ignored (and cleared)
    const upperNaN = new Float64Array([4, Number.NaN, 2, 5]);
    dpotrf(2, upperNaN);
    expect([...upperNaN]).toEqual([2, 0, 1, 2]);
    try {
      dpotrf(2, new Float64Array([4, 0, 2, Number.NaN]));
      expect.unreachable();
    } catch (e) {
      expect((e as { details: { row: number; col: number } }).details).toMatchObject({
        row: 1,
        col: 1,
      });
    }
    expect(codeOf(() => dpotrf(2, new Float64Array([1, 2, 2, 1])))).toBe('NOT_POSITIVE_DEFINITE');
  });

  it('choleskyWithJitter factors a singular PSD matrix with a small jitter', () => {
    const n = 20;
    const a = randomSpd(n, 5, 10); // rank 10
    expect(codeOf(() => dpotrf(n, a.slice()))).toBe('NOT_POSITIVE_DEFINITE');
    const { l, jitter, tries } = choleskyWithJitter(a, n, { initialJitter: 1e-8 });
    expect(tries).toBeGreaterThan(0);
    expect(jitter).toBeGreaterThan(0);
    const shifted = a.slice();
    for (let i = 0; i < n; i++) shifted[i * n + i]! += jitter;
    expect(maxAbsDiff(matmul(l, l, n, n, n, true), shifted)).toBeLessThan(1e-12);
    const ok = choleskyWithJitter(randomSpd(5, 1), 5);
    expect(ok.jitter).toBe(0);
    expect(ok.tries).toBe(0);
    expect(
      codeOf(() => choleskyWithJitter(new Float64Array([-1, 0, 0, -1]), 2, { maxTries: 2 })),
    ).toBe('NOT_POSITIVE_DEFINITE');
  });
});
