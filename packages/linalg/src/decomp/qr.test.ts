import { Rng } from '@caldera/core';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { codeOf, diffNorm, fro, matmul, orthError, withSpectrum } from './decomp-test-utils';
import { orthonormalize, qr } from './orthonormalize';
import { geqrf, orgqr } from './qr';

describe('Householder QR', () => {
  it.each([
    [50, 30],
    [30, 50],
    [100, 100],
    [130, 70],
    [1, 5],
    [7, 1],
  ])('%i×%i float64: QᵀQ = I and A = QR', (m, n) => {
    const a = new Rng(m * 1000 + n).fillGaussian(new Float64Array(m * n));
    const { q, r, k } = qr(a, m, n);
    expect(k).toBe(Math.min(m, n));
    expect(orthError(q, m, k)).toBeLessThan(1e-13);
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) expect(r[i * n + j]).toBe(0);
    expect(diffNorm(matmul(q, m, k, false, r, n, false), a) / fro(a)).toBeLessThan(1e-14);
  });

  it('float32 storage (GEMM in sgemm) stays orthonormal to float32 precision', () => {
    const m = 200;
    const n = 90;
    const a = new Rng(3).fillGaussian(new Float32Array(m * n));
    const { q, r } = qr(a, m, n);
    expect(q).toBeInstanceOf(Float32Array);
    expect(orthError(q, m, n)).toBeLessThan(2e-5);
    expect(diffNorm(matmul(q, m, n, false, r, n, false), a) / fro(a)).toBeLessThan(1e-5);
  });

  it('|diag R| matches ml-matrix', () => {
    const m = 12;
    const n = 8;
    const a = new Rng(11).fillGaussian(new Float64Array(m * n));
    const { r } = qr(a, m, n);
    const rows = Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
    const ref = new QrDecomposition(new Matrix(rows)).upperTriangularMatrix;
    for (let i = 0; i < n; i++)
      expect(Math.abs(r[i * n + i]!)).toBeCloseTo(Math.abs(ref.get(i, i)), 12);
  });

  it('ill-conditioned (κ = 1e12) and rank-deficient input: orthonormal Q, no NaN', () => {
    const n = 40;
    const sig = Array.from({ length: n }, (_, i) => 10 ** (-12 * (i / (n - 1))));
    const a = withSpectrum(60, n, sig, 5);
    const { q, r } = qr(a, 60, n);
    expect(orthError(q, 60, n)).toBeLessThan(1e-13);
    expect(diffNorm(matmul(q, 60, n, false, r, n, false), a) / fro(a)).toBeLessThan(1e-14);
    // duplicate and zero columns
    const b = new Rng(6).fillGaussian(new Float64Array(50 * 6));
    for (let i = 0; i < 50; i++) {
      b[i * 6 + 3] = b[i * 6 + 1]!;
      b[i * 6 + 5] = 0;
    }
    const qb = orthonormalize(b, 50, 6);
    expect(qb.every(Number.isFinite)).toBe(true);
    expect(orthError(qb, 50, 6)).toBeLessThan(1e-13);
    const zero = orthonormalize(new Float32Array(20 * 4), 20, 4);
    expect(orthError(zero, 20, 4)).toBeLessThan(1e-6);
  });

  it('geqrf/orgqr honour lda and offset', () => {
    const m = 40;
    const n = 35;
    const lda = 38;
    const src = new Rng(8).fillGaussian(new Float64Array(m * n));
    const a = new Float64Array(3 + m * lda);
    for (let i = 0; i < m; i++) a.set(src.subarray(i * n, i * n + n), 3 + i * lda);
    const tau = new Float64Array(n);
    geqrf(a, m, n, tau, lda, 3);
    const q = orgqr(a, m, n, tau, m, lda, 3); // full m×m Q
    expect(orthError(q, m, m)).toBeLessThan(1e-13);
    const r = new Float64Array(m * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = a[3 + i * lda + j]!;
    expect(diffNorm(matmul(q, m, m, false, r, n, false), src) / fro(src)).toBeLessThan(1e-14);
  });

  it('rejects NaN and bad shapes', () => {
    const a = new Float64Array(6);
    a[4] = Number.NaN;
    expect(codeOf(() => qr(a, 2, 3))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => qr(new Float64Array(5), 2, 3))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => orthonormalize(new Float64Array(6), -1, 3))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => geqrf(new Float64Array(6), 2, 3, new Float64Array(1)))).toBe(
      'SHAPE_MISMATCH',
    );
  });
});
