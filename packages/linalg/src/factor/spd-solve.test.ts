import { isCalderaError } from '@caldera/core';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { matmul, maxAbs, maxAbsDiff, randF64, randomSpd } from '../../test/helpers';
import { spdInverse, spdSolve } from './spd-solve';

describe('SPD solve and inverse', () => {
  it('solve residual ‖A·X − B‖ is small and matches ml-matrix', () => {
    for (const [n, nrhs] of [
      [6, 1],
      [50, 3],
      [120, 2],
    ] as const) {
      const a = randomSpd(n, n);
      const b = randF64(n * nrhs, n + 1);
      const x = spdSolve(a, n, b, nrhs);
      expect(maxAbsDiff(matmul(a, x, n, n, nrhs), b) / maxAbs(b)).toBeLessThan(1e-11);
      if (n <= 50) {
        const rows = (v: Float64Array, c: number) =>
          Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * c, i * c + c)));
        const oracle = solve(new Matrix(rows(a, n)), new Matrix(rows(b, nrhs))).to1DArray();
        expect(maxAbsDiff(x, oracle)).toBeLessThan(1e-9);
      }
    }
  });

  it('inverse: A·A⁻¹ = I and A⁻¹ symmetric', () => {
    const n = 70;
    const a = randomSpd(n, 11);
    const inv = spdInverse(a, n);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    expect(maxAbsDiff(matmul(a, inv, n, n, n), eye)).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) expect(inv[i * n + j]).toBe(inv[j * n + i]);
  });

  it('errors: NaN right-hand side, non-SPD matrix, wrong sizes', () => {
    const a = randomSpd(3, 1);
    const codeOf = (f: () => void) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return isCalderaError(e) ? e.code : 'other';
      }
    };
    expect(codeOf(() => spdSolve(a, 3, new Float64Array([1, Number.NaN, 2])))).toBe(
      'NON_FINITE_INPUT',
    );
    expect(codeOf(() => spdSolve(a, 3, new Float64Array(2)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => spdInverse(new Float64Array([0, 1, 1, 0]), 2))).toBe(
      'NOT_POSITIVE_DEFINITE',
    );
  });
});
