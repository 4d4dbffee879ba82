import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { orthError } from './decomp-test-utils';
import { symmetricEigen } from './symmetric-eigen';
import { tridiagonalDc } from './tridiagonal-dc';
import { tridiagonalQl } from './tridiagonal-ql';

function check(d: Float64Array, e: Float64Array) {
  const n = d.length;
  const { values, z } = tridiagonalDc(d, e);
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]!) + 2 * Math.abs(e[i]!));
  let res = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let s = d[i]! * z[i * n + j]!;
      if (i > 0) s += e[i - 1]! * z[(i - 1) * n + j]!;
      if (i < n - 1) s += e[i]! * z[(i + 1) * n + j]!;
      res = Math.max(res, Math.abs(s - values[j]! * z[i * n + j]!));
    }
  }
  expect(res).toBeLessThan(1e-14 * n * norm);
  expect(orthError(z, n, n)).toBeLessThan(1e-13);
  const ref = Float64Array.from(d);
  tridiagonalQl(ref, Float64Array.from(e), n);
  ref.sort();
  for (let i = 0; i < n; i++) expect(Math.abs(values[i]! - ref[i]!)).toBeLessThan(1e-12 * norm);
}

describe('tridiagonal divide and conquer', () => {
  const n = 201;
  it('random tridiagonal', () => {
    const rng = new Rng(1);
    check(rng.fillGaussian(new Float64Array(n)), rng.fillGaussian(new Float64Array(n)));
  });
  it('Wilkinson W⁺ (pairs of nearly equal eigenvalues)', () => {
    const d = Float64Array.from({ length: n }, (_, i) => Math.abs(i - (n - 1) / 2));
    check(d, new Float64Array(n).fill(1));
  });
  it('glued blocks with tiny couplings and constant diagonal (heavy deflation)', () => {
    const d = Float64Array.from({ length: n }, (_, i) => i % 20);
    const e = Float64Array.from({ length: n }, (_, i) => (i % 20 === 19 ? 1e-12 : 1));
    check(d, e);
    check(new Float64Array(n).fill(3), new Float64Array(n).fill(0));
    check(
      new Float64Array(n).fill(1),
      Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1)),
    );
  });
  it('symmetricEigen: divide and conquer agrees with the QL reference', () => {
    const m = 130;
    const b = new Rng(5).fillGaussian(new Float64Array(m * m));
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) a[i * m + j] = b[i * m + j]! + b[j * m + i]!;
    const dc = symmetricEigen(a, m, { method: 'dc' });
    const ql = symmetricEigen(a, m, { method: 'ql' });
    for (let i = 0; i < m; i++) expect(dc.values[i]).toBeCloseTo(ql.values[i]!, 11);
    // eigenvectors agree up to sign
    for (let j = 0; j < m; j += 13) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += dc.vectors[i * m + j]! * ql.vectors[i * m + j]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    }
  });
});
