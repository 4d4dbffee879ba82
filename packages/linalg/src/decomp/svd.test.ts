import { Rng } from '@caldera/core';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  codeOf,
  diffNorm,
  fro,
  gramSchmidt,
  matmul,
  orthError,
  withSpectrum,
} from './decomp-test-utils';
import { randomizedSvd } from './randomized-svd';
import { svd } from './svd';
import { symmetricEigen } from './symmetric-eigen';

function reconstruct(
  u: Float64Array | Float32Array,
  s: ArrayLike<number>,
  vt: Float64Array | Float32Array,
  m: number,
  k: number,
  n: number,
) {
  const us = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * k + j]! * s[j]!;
  return matmul(us, m, k, false, vt, n, false);
}

describe('svd (QR-preconditioned one-sided Jacobi)', () => {
  it.each([
    [40, 25],
    [25, 40],
    [30, 30],
    [70, 45],
    [1, 6],
    [6, 1],
  ])('%i×%i: reconstruction, orthonormal factors, descending', (m, n) => {
    const a = new Rng(m + 7 * n).fillGaussian(new Float64Array(m * n));
    const { u, s, vt, k } = svd(a, m, n);
    expect(k).toBe(Math.min(m, n));
    expect(diffNorm(reconstruct(u, s, vt, m, k, n), a) / fro(a)).toBeLessThan(1e-13);
    expect(orthError(u, m, k)).toBeLessThan(1e-13);
    const vvt = matmul(vt, k, n, false, vt, k, true);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        expect(Math.abs(vvt[i * k + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-13);
    for (let i = 1; i < k; i++) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]!);
  });

  it('singular values match ml-matrix and √eig(AᵀA)', () => {
    const m = 15;
    const n = 9;
    const a = new Rng(21).fillGaussian(new Float64Array(m * n));
    const { s } = svd(a, m, n);
    const rows = Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
    const ref = new SingularValueDecomposition(new Matrix(rows)).diagonal;
    for (let i = 0; i < n; i++) expect(s[i]).toBeCloseTo(ref[i]!, 12);
    const gram = matmul(a, n, m, true, a, n, false);
    const { values } = symmetricEigen(gram, n);
    for (let i = 0; i < n; i++) expect(s[i]).toBeCloseTo(Math.sqrt(values[n - 1 - i]!), 11);
  });

  it('small singular values keep high relative accuracy (column-scaled matrix)', () => {
    const m = 50;
    const n = 20;
    const q = gramSchmidt(new Rng(2).fillGaussian(new Float64Array(m * n)), m, n);
    const sig = Array.from({ length: n }, (_, i) => 10 ** (-14 * (i / (n - 1))));
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j] = q[i * n + j]! * sig[j]!;
    const { s } = svd(a, m, n);
    for (let i = 0; i < n; i++) expect(Math.abs(s[i]! - sig[i]!) / sig[i]!).toBeLessThan(1e-9);
  });

  it('rank-deficient input gives zeros and an orthonormal completed U', () => {
    const m = 12;
    const n = 8;
    const l = new Rng(3).fillGaussian(new Float64Array(m * 3));
    const r = new Rng(4).fillGaussian(new Float64Array(3 * n));
    const a = matmul(l, m, 3, false, r, n, false);
    const { u, s, vt } = svd(a, m, n);
    expect(u.every(Number.isFinite)).toBe(true);
    for (let i = 3; i < n; i++) expect(s[i]!).toBeLessThan(1e-13 * s[0]!);
    expect(orthError(u, m, n)).toBeLessThan(1e-12);
    expect(diffNorm(reconstruct(u, s, vt, m, n, n), a) / fro(a)).toBeLessThan(1e-13);
    const z = svd(new Float32Array(6), 2, 3);
    expect([...z.s]).toEqual([0, 0]);
    expect(orthError(z.u, 2, 2)).toBe(0);
  });

  it('rejects NaN and bad shapes', () => {
    const a = new Float64Array(4);
    a[2] = Number.POSITIVE_INFINITY;
    expect(codeOf(() => svd(a, 2, 2))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => svd(new Float64Array(3), 2, 2))).toBe('SHAPE_MISMATCH');
  });
});

describe('randomizedSvd', () => {
  const m = 300;
  const n = 200;
  const sig = Array.from({ length: n }, (_, i) => 0.8 ** i);
  const a = Float32Array.from(withSpectrum(m, n, sig, 17));

  it('top-k matches the exact decomposition on a decaying spectrum', () => {
    const k = 10;
    const { u, s, vt } = randomizedSvd(a, m, n, k, { seed: 1 });
    expect(u.length).toBe(m * k);
    expect(vt.length).toBe(k * n);
    for (let i = 0; i < k; i++) expect(Math.abs(s[i]! - sig[i]!) / sig[i]!).toBeLessThan(1e-4);
    expect(orthError(u, m, k)).toBeLessThan(1e-5);
    // error of the rank-k approximation is close to the optimal σ_{k+1}-tail
    const approx = reconstruct(u, s, vt, m, k, n);
    const tail = Math.sqrt(sig.slice(k).reduce((t, x) => t + x * x, 0));
    expect(diffNorm(approx, a)).toBeLessThan(tail * 1.01 + 1e-4);
  });

  it('is deterministic for a seed and works without power iterations (wide input too)', () => {
    const r1 = randomizedSvd(a, m, n, 5, { seed: 3 });
    const r2 = randomizedSvd(a, m, n, 5, { seed: 3 });
    expect([...r1.s]).toEqual([...r2.s]);
    const wide = new Float32Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wide[j * m + i] = a[i * n + j]!;
    const r3 = randomizedSvd(wide, n, m, 5, { seed: 4, powerIters: 0, oversample: 20 });
    for (let i = 0; i < 5; i++) expect(Math.abs(r3.s[i]! - sig[i]!) / sig[i]!).toBeLessThan(1e-2);
  });

  it('rejects bad k and NaN', () => {
    expect(codeOf(() => randomizedSvd(a, m, n, 0))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => randomizedSvd(a, m, n, 201))).toBe('SHAPE_MISMATCH');
    const bad = Float32Array.from(a);
    bad[5] = Number.NaN;
    expect(codeOf(() => randomizedSvd(bad, m, n, 3))).toBe('NON_FINITE_INPUT');
  });
});
