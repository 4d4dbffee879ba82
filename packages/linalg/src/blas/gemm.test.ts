import { isCalderaError } from '@caldera/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, maxAbs, maxAbsDiff, randF32, randF64 } from '../../test/helpers';
import { getBackendByName, setBackend } from '../backend/registry';
import { dgemm, sgemm } from './gemm';
import { dgemmRef, sgemmRef } from './gemm-ref';
import type { Transpose } from './types';

const TRANS: [Transpose, Transpose][] = [
  ['N', 'N'],
  ['N', 'T'],
  ['T', 'N'],
  ['T', 'T'],
];

// shapes chosen to cross the micro-tile, kc (256) and nc (256) boundaries of the fast paths
const SHAPES: [number, number, number][] = [
  [37, 45, 29],
  [9, 300, 20],
  [33, 17, 300],
  [130, 70, 260],
];

afterAll(() => setBackend(undefined));

describe.each(BACKENDS)('sgemm/dgemm on backend %s', (backend) => {
  it.each(TRANS)('%s%s matches the reference on strided views with offsets', (ta, tb) => {
    setBackend(backend);
    expect(getBackendByName(backend).isAvailable()).toBe(true);
    let seed = 1;
    for (const [m, n, k] of SHAPES) {
      const [ar, ac] = ta === 'N' ? [m, k] : [k, m];
      const [br, bc] = tb === 'N' ? [k, n] : [n, k];
      const lda = ac + 3;
      const ldb = bc + 5;
      const ldc = n + 2;
      const a = randF32(ar * lda + 7, seed++);
      const b = randF32(br * ldb + 11, seed++);
      const c0 = randF32(m * ldc + 13, seed++);
      for (const [alpha, beta] of [
        [1, 0],
        [0.75, -0.5],
      ] as const) {
        const c = c0.slice();
        const cRef = c0.slice();
        sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 7, 11, 13);
        sgemmRef(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cRef, ldc, 7, 11, 13);
        // float32 accumulation error bound ~ k·eps·|a||b|
        expect(maxAbsDiff(c, cRef)).toBeLessThan(k * 1.2e-7 * 16);
        // the padding outside the view is untouched
        expect(c[12]).toBe(c0[12]);
        expect(c[13 + n]).toBe(c0[13 + n]);

        const ad = Float64Array.from(a);
        const bd = Float64Array.from(b);
        const cd = Float64Array.from(c0);
        const cdRef = cd.slice();
        dgemm(ta, tb, m, n, k, alpha, ad, lda, bd, ldb, beta, cd, ldc, 7, 11, 13);
        dgemmRef(ta, tb, m, n, k, alpha, ad, lda, bd, ldb, beta, cdRef, ldc, 7, 11, 13);
        expect(maxAbsDiff(cd, cdRef)).toBeLessThan(k * 1e-15 * 16);
      }
    }
  });

  it('ignores NaN in C when beta = 0 and handles k = 0 and alpha = 0', () => {
    setBackend(backend);
    const m = 40;
    const a = randF32(m * m, 5);
    const c = new Float32Array(m * m).fill(Number.NaN);
    sgemm('N', 'N', m, m, m, 1, a, m, a, m, 0, c, m);
    expect(Number.isFinite(maxAbs(c))).toBe(true);
    const c2 = new Float32Array([1, 2, 3, 4]);
    sgemm('N', 'N', 2, 2, 0, 1, a, 1, a, 2, 2, c2, 2);
    expect([...c2]).toEqual([2, 4, 6, 8]);
    sgemm('N', 'N', 2, 2, 2, 0, a, 2, a, 2, 1, c2, 2);
    expect([...c2]).toEqual([2, 4, 6, 8]);
  });

  it('agrees with the reference on random small shapes (property)', () => {
    setBackend(backend);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(...TRANS),
        fc.integer({ min: 0, max: 1000 }),
        (m, n, k, [ta, tb], seed) => {
          const a = randF64(m * k, seed);
          const b = randF64(k * n, seed + 1);
          const c = randF64(m * n, seed + 2);
          const cRef = c.slice();
          const lda = ta === 'N' ? k : m;
          const ldb = tb === 'N' ? n : k;
          dgemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n);
          dgemmRef(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0.5, cRef, n);
          return maxAbsDiff(c, cRef) < 1e-12;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('gemm validation', () => {
  it('rejects views that do not fit and bad flags with SHAPE_MISMATCH', () => {
    const a = new Float32Array(6);
    const c = new Float32Array(4);
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return isCalderaError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => sgemm('N', 'N', 2, 2, 3, 1, a, 3, new Float32Array(4), 2, 0, c, 2))).toBe(
      'SHAPE_MISMATCH',
    );
    expect(code(() => sgemm('N', 'N', 2, 2, 3, 1, a, 2, a, 2, 0, c, 2))).toBe('SHAPE_MISMATCH');
    expect(code(() => sgemm('N', 'N', 2, 2, 2, 1, a, 2, a, 2, 0, c, 2, 0, 0, 1))).toBe(
      'SHAPE_MISMATCH',
    );
    expect(code(() => sgemm('X' as Transpose, 'N', 1, 1, 1, 1, a, 1, a, 1, 0, c, 1))).toBe(
      'SHAPE_MISMATCH',
    );
    expect(code(() => sgemm('N', 'N', -1, 1, 1, 1, a, 1, a, 1, 0, c, 1))).toBe('SHAPE_MISMATCH');
    expect(code(() => sgemm('N', 'N', 2, 2, 2, 1, a, 2, a, 2, 0, c, 2))).toBe('none');
  });
});
