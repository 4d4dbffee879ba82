import { isCalderaError } from '@caldera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, maxAbs, maxAbsDiff, randF64 } from '../../test/helpers';
import { setBackend } from '../backend/registry';
import { gemmRefUnchecked } from './gemm-ref';
import { dtrsm, strsm } from './trsm';
import type { Diag, Side, Transpose, Uplo } from './types';

afterAll(() => setBackend(undefined));

/** A well-conditioned triangular matrix stored in a full n×n array (other triangle = garbage). */
function triangular(n: number, uplo: Uplo, seed: number): Float64Array {
  const a = randF64(n * n, seed);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const inTri = uplo === 'L' ? j < i : j > i;
      if (inTri) a[i * n + j]! *= 0.5 / Math.sqrt(n);
    }
    a[i * n + i] = 2 + Math.abs(a[i * n + i]!);
  }
  return a;
}

/** op(T) as a dense matrix, honouring uplo and the unit diagonal. */
function dense(a: Float64Array, n: number, uplo: Uplo, trans: Transpose, diag: Diag): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const inTri = uplo === 'L' ? j <= i : j >= i;
      let v = inTri ? a[i * n + j]! : 0;
      if (i === j && diag === 'U') v = 1;
      if (trans === 'N') t[i * n + j] = v;
      else t[j * n + i] = v;
    }
  }
  return t;
}

const CASES: [Side, Uplo, Transpose, Diag][] = [];
for (const s of ['L', 'R'] as Side[])
  for (const u of ['L', 'U'] as Uplo[])
    for (const t of ['N', 'T'] as Transpose[])
      for (const d of ['N', 'U'] as Diag[]) CASES.push([s, u, t, d]);

describe.each(BACKENDS)('trsm on backend %s', (backend) => {
  it.each(
    CASES,
  )('side %s uplo %s trans %s diag %s: residual op(A)·X − α·B is small', (side, uplo, trans, diag) => {
    setBackend(backend);
    for (const [m, n] of [
      [5, 3],
      [70, 45],
    ] as const) {
      const na = side === 'L' ? m : n;
      const a = triangular(na, uplo, m * 7 + n);
      const b0 = randF64(m * n, m + n);
      const x = b0.slice();
      dtrsm(side, uplo, trans, diag, m, n, 2, a, na, x, n);
      const t = dense(a, na, uplo, trans, diag);
      const r = new Float64Array(m * n);
      if (side === 'L') gemmRefUnchecked('N', 'N', m, n, m, 1, t, m, 0, x, n, 0, 0, r, n, 0);
      else gemmRefUnchecked('N', 'N', m, n, n, 1, x, n, 0, t, n, 0, 0, r, n, 0);
      const b2 = b0.map((v) => 2 * v);
      expect(maxAbsDiff(r, b2) / maxAbs(b2)).toBeLessThan(1e-12);
      const xf = Float32Array.from(b0);
      strsm(side, uplo, trans, diag, m, n, 2, Float32Array.from(a), na, xf, n);
      expect(maxAbsDiff(xf, x) / maxAbs(x)).toBeLessThan(1e-4);
    }
  });
});

describe.each(BACKENDS)('float32 trsm inverse-leaf path on backend %s', (backend) => {
  it('matches the float64 substitution for tall/wide B, and falls back on a wide diagonal spread', () => {
    setBackend(backend);
    for (const [side, uplo, trans, diag] of CASES) {
      // B with many rows (side R) or columns (side L), so leaves ≤ 64 take the inverse path
      const [m, n] = side === 'R' ? [160, 100] : [100, 160];
      const na = side === 'L' ? m : n;
      const a = triangular(na, uplo, na + (trans === 'T' ? 1 : 0));
      const b0 = randF64(m * n, 11);
      const x = b0.slice();
      dtrsm(side, uplo, trans, diag, m, n, 1, a, na, x, n);
      const xf = Float32Array.from(b0);
      strsm(side, uplo, trans, diag, m, n, 1, Float32Array.from(a), na, xf, n);
      expect(maxAbsDiff(xf, x) / maxAbs(x)).toBeLessThan(2e-5);
      // diagonal spread 1e6: the inverse is refused and substitution gives the same accuracy
      const w = a.slice();
      for (let i = 0; i < na; i += 2) w[i * na + i] = 1e6;
      const xw = b0.slice();
      dtrsm(side, uplo, trans, diag, m, n, 1, w, na, xw, n);
      const xwf = Float32Array.from(b0);
      strsm(side, uplo, trans, diag, m, n, 1, Float32Array.from(w), na, xwf, n);
      expect(maxAbsDiff(xwf, xw) / maxAbs(xw)).toBeLessThan(2e-5);
    }
  });
});

describe('trsm validation', () => {
  it('throws SINGULAR_MATRIX, NON_FINITE_INPUT and SHAPE_MISMATCH', () => {
    const a = new Float64Array([1, 0, 1, 0]);
    const codeOf = (f: () => void) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return isCalderaError(e) ? e.code : 'other';
      }
    };
    expect(codeOf(() => dtrsm('L', 'L', 'N', 'N', 2, 1, 1, a, 2, new Float64Array(2), 1))).toBe(
      'SINGULAR_MATRIX',
    );
    expect(codeOf(() => dtrsm('L', 'L', 'N', 'U', 2, 1, 1, a, 2, new Float64Array(2), 1))).toBe(
      'none',
    );
    expect(
      codeOf(() => dtrsm('L', 'L', 'N', 'U', 2, 1, 1, a, 2, new Float64Array([1, Number.NaN]), 1)),
    ).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => dtrsm('L', 'L', 'N', 'U', 3, 1, 1, a, 2, new Float64Array(3), 1))).toBe(
      'SHAPE_MISMATCH',
    );
  });
});
