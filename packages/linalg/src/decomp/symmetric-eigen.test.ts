import { Rng } from '@caldera/core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { codeOf, gramSchmidt, matmul, orthError } from './decomp-test-utils';
import { symmetricEigen } from './symmetric-eigen';

function randomSymmetric(n: number, seed: number): Float64Array {
  const b = new Rng(seed).fillGaussian(new Float64Array(n * n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j]! + b[j * n + i]!;
  return a;
}

function residual(a: Float64Array, n: number, values: Float64Array, v: Float64Array): number {
  const av = matmul(a, n, n, false, v, n, false);
  let r = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      r = Math.max(r, Math.abs(av[i * n + j]! - values[j]! * v[i * n + j]!));
  return r;
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 5, 33, 64, 150])('random n = %i: ‖AV − VΛ‖ small, VᵀV = I, ascending', (n) => {
    const a = randomSymmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    let scale = 0;
    for (const x of a) scale = Math.max(scale, Math.abs(x));
    expect(residual(a, n, values, vectors)).toBeLessThan(1e-12 * n * scale);
    expect(orthError(vectors, n, n)).toBeLessThan(1e-13 * Math.max(10, n));
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  });

  it('agrees with ml-matrix on n = 20 and reads only the lower triangle', () => {
    const n = 20;
    const a = randomSymmetric(n, 99);
    const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
    const ref = [
      ...new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues,
    ].sort((x, y) => x - y);
    const garbled = Float64Array.from(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbled[i * n + j] = 1e6;
    const { values } = symmetricEigen(garbled, n);
    for (let i = 0; i < n; i++) expect(values[i]).toBeCloseTo(ref[i]!, 11);
  });

  it('repeated, zero and widely spread eigenvalues', () => {
    const n = 40;
    const q = gramSchmidt(new Rng(4).fillGaussian(new Float64Array(n * n)), n, n);
    const lam = Array.from({ length: n }, (_, i) => (i < 15 ? 0 : i < 30 ? 2 : 10 ** (i - 35)));
    const ql = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ql[i * n + j] = q[i * n + j]! * lam[j]!;
    const a = matmul(ql, n, n, false, q, n, true);
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lam].sort((x, y) => x - y);
    for (let i = 0; i < n; i++) expect(Math.abs(values[i]! - sorted[i]!)).toBeLessThan(1e-9 * 1e4);
    expect(orthError(vectors, n, n)).toBeLessThan(1e-12);
    expect(residual(a, n, values, vectors)).toBeLessThan(1e-9);
    const z = symmetricEigen(new Float32Array(9), 3);
    expect([...z.values]).toEqual([0, 0, 0]);
    expect(orthError(z.vectors, 3, 3)).toBe(0);
  });

  it('values-only mode matches and NaN is rejected', () => {
    const a = randomSymmetric(30, 7);
    const full = symmetricEigen(a, 30);
    const only = symmetricEigen(a, 30, { vectors: false });
    expect(only.vectors.length).toBe(0);
    for (let i = 0; i < 30; i++) expect(only.values[i]).toBeCloseTo(full.values[i]!, 12);
    a[31] = Number.NaN;
    expect(codeOf(() => symmetricEigen(a, 30))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => symmetricEigen(new Float64Array(8), 3))).toBe('SHAPE_MISMATCH');
  });
  it('rank-deficient Gram (Hessian-like XᵀX, n = 200, rank 60): residual and orthogonality', () => {
    const n = 200;
    const x = new Rng(12).fillGaussian(new Float64Array(60 * n));
    const h = matmul(x, n, 60, true, x, n, false);
    const { values, vectors } = symmetricEigen(h, n);
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    expect(residual(h, n, values, vectors)).toBeLessThan(1e-12 * scale);
    expect(orthError(vectors, n, n)).toBeLessThan(1e-12);
    for (let i = 0; i < n - 60; i++) expect(Math.abs(values[i]!)).toBeLessThan(1e-11 * scale);
    expect(values[n - 60]!).toBeGreaterThan(1e-3);
  });
});
