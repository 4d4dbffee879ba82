import { isCalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { illConditionedSpd, matmul, maxAbs, maxAbsDiff, randomSpd } from '../../test/helpers';
import { blockLdl, ldl } from './ldl';

/** L·D·Lᵀ for dense L and D. */
function ldlt(l: Float64Array, d: Float64Array, n: number): Float64Array {
  return matmul(matmul(l, d, n, n, n), l, n, n, n, true);
}

describe('LDLᵀ', () => {
  it('A = L·diag(d)·Lᵀ with unit lower L on random and ill-conditioned input', () => {
    for (const [n, a] of [
      [17, randomSpd(17, 1)],
      [90, randomSpd(90, 2)],
      [40, illConditionedSpd(40, 1e9, 3)],
    ] as const) {
      const { l, d } = ldl(a, n);
      const dd = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        dd[i * n + i] = d[i]!;
        expect(l[i * n + i]).toBe(1);
        expect(d[i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
      }
      expect(maxAbsDiff(ldlt(l, dd, n), a) / maxAbs(a)).toBeLessThan(1e-13);
    }
  });

  it.each([
    [64, 8],
    [70, 8],
    [13, 8],
    [9, 4],
    [5, 1],
  ])('block LDLᵀ n=%i g=%i: identity diagonal blocks, block-diagonal D, reconstruction', (n, g) => {
    const a = randomSpd(n, n * 3 + g);
    const { l, d } = blockLdl(a, n, g);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const sameBlock = Math.floor(i / g) === Math.floor(j / g);
        if (sameBlock) expect(l[i * n + j]).toBe(i === j ? 1 : 0);
        else {
          expect(d[i * n + j]).toBe(0);
          if (j > i) expect(l[i * n + j]).toBe(0);
        }
      }
    }
    expect(maxAbsDiff(ldlt(l, d, n), a) / maxAbs(a)).toBeLessThan(1e-13);
  });

  it('rejects non-SPD input and bad block sizes', () => {
    const bad = new Float64Array([1, 2, 2, 1]);
    expect(() => ldl(bad, 2)).toThrow(expect.objectContaining({ code: 'NOT_POSITIVE_DEFINITE' }));
    try {
      blockLdl(randomSpd(4, 1), 4, 0);
      expect.unreachable();
    } catch (e) {
      expect(isCalderaError(e, 'SHAPE_MISMATCH')).toBe(true);
    }
  });
});
