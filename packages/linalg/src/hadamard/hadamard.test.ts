import { isCalderaError, Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { fwht, fwhtRef } from './fwht';
import { galoisField } from './galois-field';
import { gsQuadruple, periodicAutocorrelation } from './goethals-seidel';
import { HADAMARD_ORDERS, hadamardMatrix, sylvester } from './hadamard-matrix';
import { hadamardPlan } from './hadamard-plan';
import { padToHadamard, rht, rhtInverse, rhtRows, rhtRowsInverse } from './rht';
import { rhtTwoSided, rhtTwoSidedInverse } from './rht-two-sided';

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(isCalderaError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected CalderaError ${code}`);
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

describe('Hadamard matrices', () => {
  it.each([1, 2, 4, 8, 64, ...HADAMARD_ORDERS])('order %i: entries ±1 and H·Hᵀ = K·I', (k) => {
    const h = hadamardMatrix(k);
    expect(h.length).toBe(k * k);
    expect(h.every((v) => v === 1 || v === -1)).toBe(true);
    let bad = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let t = 0; t < k; t++) dot += h[i * k + t]! * h[j * k + t]!;
        if (dot !== (i === j ? k : 0)) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('stored Goethals–Seidel quadruples have zero summed periodic autocorrelation', () => {
    for (const n of [29, 39, 43]) {
      const q = gsQuadruple(n);
      expect(q.every((s) => s.length === n)).toBe(true);
      for (let s = 1; s < n; s++) expect(periodicAutocorrelation(q, s)).toBe(0);
      expect(periodicAutocorrelation(q, 0)).toBe(4 * n);
    }
  });

  it('GF(25) quadratic character has 12 squares and χ(−1) = 1', () => {
    const f = galoisField(25);
    expect([...f.chi].filter((v) => v === 1).length).toBe(12);
    expect(f.chi[f.sub[0]! + 1]).toBe(-1 * 0 + f.chi[f.sub[0 * 25 + 1]!]!); // χ(0−1) is defined
    expect(f.chi[f.sub[1]!]).toBe(1); // q ≡ 1 mod 4 ⇒ −1 is a square
    expect(galoisField(27).chi[galoisField(27).sub[1]!]).toBe(-1); // q ≡ 3 mod 4 ⇒ −1 is not
  });

  it('rejects unsupported orders', () => {
    expectCode(() => hadamardMatrix(44), 'UNSUPPORTED_DIMENSION');
    expectCode(() => sylvester(6), 'UNSUPPORTED_DIMENSION');
  });
});

describe('hadamardPlan', () => {
  it('factors model dimensions as algorithms.md §3 does', () => {
    expect(hadamardPlan(11008)).toEqual({ dim: 11008, paddedDim: 11008, K: 172, pow2: 64 });
    expect(hadamardPlan(14336)).toEqual({ dim: 14336, paddedDim: 14336, K: 28, pow2: 512 });
    expect(hadamardPlan(13824)).toMatchObject({ K: 108, pow2: 128 });
    expect(hadamardPlan(5120)).toMatchObject({ K: 20, pow2: 256 });
    expect(hadamardPlan(4096)).toMatchObject({ K: 1, pow2: 4096 });
    expect(hadamardPlan(768)).toMatchObject({ K: 12, pow2: 64 });
    expect(hadamardPlan(2752)).toMatchObject({ K: 172, pow2: 16 });
    expect(hadamardPlan(688)).toEqual({ dim: 688, paddedDim: 688, K: 172, pow2: 4 });
  });

  it('pads unsupported dimensions to the smallest supported size', () => {
    expect(hadamardPlan(1000)).toEqual({ dim: 1000, paddedDim: 1024, K: 1, pow2: 1024 });
    expect(hadamardPlan(43)).toMatchObject({ paddedDim: 48, K: 12, pow2: 4 });
    expect(hadamardPlan(5000)).toMatchObject({ paddedDim: 5120, K: 20 });
    // every d up to 3000 gets a plan no larger than the next power of two
    const bad: number[] = [];
    for (let d = 1; d <= 3000; d++) {
      const p = hadamardPlan(d);
      const ok =
        p.paddedDim >= d &&
        p.paddedDim <= 2 ** Math.ceil(Math.log2(d)) &&
        p.K * p.pow2 === p.paddedDim;
      if (!ok || hadamardPlan(p.paddedDim).paddedDim !== p.paddedDim) bad.push(d);
    }
    expect(bad).toEqual([]);
    expectCode(() => hadamardPlan(0), 'SHAPE_MISMATCH');
    expectCode(() => hadamardPlan(2.5), 'SHAPE_MISMATCH');
  });
});

describe('fwht', () => {
  it('matches the dense Sylvester product', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 4, 8, 16, 32, 128, 512]) {
      const x = rng.fillGaussian(new Float64Array(3 * n));
      const ref = fwhtRef(x, 3, n, true);
      fwht(x, 3, n, true);
      for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(ref[i]!, 10);
    }
  });

  it('respects strides and offsets, float32', () => {
    const x = new Float32Array([9, 1, 2, 3, 4, 9, 9, 5, 6, 7, 8, 9]);
    fwht(x, 2, 4, false, 5, 1);
    expect([...x]).toEqual([9, 10, -2, -4, 0, 9, 27, 3, 1, 5, 8, 9]);
  });

  it('rejects non-power-of-two lengths and bad views', () => {
    expectCode(() => fwht(new Float32Array(12), 1, 12), 'UNSUPPORTED_DIMENSION');
    expectCode(() => fwht(new Float32Array(7), 2, 4), 'SHAPE_MISMATCH');
  });
});

describe('randomized Hadamard transform', () => {
  it.each([
    12, 256, 688, 768, 2752, 4096, 11008, 14336,
  ])('d = %i: isometry, inverse, matches dense M_d', (d) => {
    const rng = new Rng(d);
    const signs = rng.signs(d);
    const x = rng.fillGaussian(new Float64Array(d));
    const y = Float64Array.from(x);
    rht(y, signs);
    expect(norm(y) / norm(x)).toBeCloseTo(1, 12);
    // dense check of a few output coordinates: y[c'p+s'] = Σ σx[cp+s] H[c][c'] S[s][s'] / √d
    const { K, pow2: p } = hadamardPlan(d);
    const h = hadamardMatrix(K);
    for (const j of [0, 1, d - 1, Math.floor(d / 3)]) {
      const c2 = Math.floor(j / p);
      const s2 = j % p;
      let acc = 0;
      for (let i = 0; i < d; i++) {
        const c = Math.floor(i / p);
        const s = i % p;
        let par = s & s2;
        let sg = 1;
        while (par) {
          sg = -sg;
          par &= par - 1;
        }
        acc += signs[i]! * x[i]! * h[c * K + c2]! * sg;
      }
      expect(y[j]).toBeCloseTo(acc / Math.sqrt(d), 9);
    }
    rhtInverse(y, signs);
    for (let i = 0; i < d; i += 7) expect(y[i]).toBeCloseTo(x[i]!, 10);
  });

  it('float32 rows with stride round-trip', () => {
    const rng = new Rng(3);
    const d = 20 * 8;
    const signs = rng.signs(d);
    const x = rng.fillGaussian(new Float32Array(3 * (d + 5)));
    const orig = Float32Array.from(x);
    rhtRows(x, 3, d, signs, d + 5);
    expect(norm(x.subarray(0, d)) / norm(orig.subarray(0, d))).toBeCloseTo(1, 5);
    rhtRowsInverse(x, 3, d, signs, d + 5);
    for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(orig[i]!, 4);
  });

  it('padding fallback: padded transform keeps the norm and inverse recovers x', () => {
    const rng = new Rng(5);
    const x = rng.fillGaussian(new Float64Array(1000));
    const y = padToHadamard(x);
    expect(y.length).toBe(1024);
    const signs = rng.signs(1024);
    rht(y, signs);
    expect(norm(y) / norm(x)).toBeCloseTo(1, 12);
    rhtInverse(y, signs);
    for (let i = 0; i < 1000; i++) expect(y[i]).toBeCloseTo(x[i]!, 10);
    for (let i = 1000; i < 1024; i++) expect(Math.abs(y[i]!)).toBeLessThan(1e-10);
    expectCode(() => rht(new Float64Array(1000), new Float64Array(1000)), 'UNSUPPORTED_DIMENSION');
    expectCode(() => rht(new Float64Array(12), new Float64Array(11)), 'SHAPE_MISMATCH');
  });

  it('two-sided transform preserves Frobenius norm and tr(W H Wᵀ), and inverts', () => {
    const rng = new Rng(9);
    const m = 24;
    const n = 28;
    const w = rng.fillGaussian(new Float64Array(m * n));
    const w0 = Float64Array.from(w);
    const sv = rng.signs(m);
    const su = rng.signs(n);
    rhtTwoSided(w, m, n, sv, su);
    expect(norm(w) / norm(w0)).toBeCloseTo(1, 12);
    // Vᵀ W U: check entry (0,0) against explicit matrices
    const mm = (d: number, s: Float32Array) => {
      const { K, pow2: p } = hadamardPlan(d);
      const h = hadamardMatrix(K);
      const u = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          let par = (i % p) & (j % p);
          let sg = 1;
          while (par) {
            sg = -sg;
            par &= par - 1;
          }
          u[i * d + j] =
            (s[i]! * h[Math.floor(i / p) * K + Math.floor(j / p)]! * sg) / Math.sqrt(d);
        }
      return u;
    };
    const V = mm(m, sv);
    const U = mm(n, su);
    for (const [r, c] of [
      [0, 0],
      [5, 17],
      [23, 27],
    ] as const) {
      let acc = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) acc += V[i * m + r]! * w0[i * n + j]! * U[j * n + c]!;
      expect(w[r * n + c]).toBeCloseTo(acc, 10);
    }
    rhtTwoSidedInverse(w, m, n, sv, su);
    for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(w0[i]!, 10);
  });
  it('two-sided transform on float32 with more than one column block equals the composed row transforms', () => {
    const rng = new Rng(10);
    const m = 40;
    const n = 144;
    const w = rng.fillGaussian(new Float32Array(m * n));
    const sv = rng.signs(m);
    const su = rng.signs(n);
    const ref = Float64Array.from(w);
    rhtRows(ref, m, n, Float64Array.from(su));
    const t = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = ref[i * n + j]!;
    rhtRows(t, n, m, Float64Array.from(sv));
    const got = Float32Array.from(w);
    rhtTwoSided(got, m, n, sv, su);
    let err = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(got[i * n + j]! - t[j * m + i]!));
    expect(err).toBeLessThan(1e-5);
    rhtTwoSidedInverse(got, m, n, sv, su);
    let back = 0;
    for (let i = 0; i < w.length; i++) back = Math.max(back, Math.abs(got[i]! - w[i]!));
    expect(back).toBeLessThan(1e-5);
  });
});
