import { Rng } from '@caldera/core';
import { hadamardMatrix, sgemmRef, sylvester } from '@caldera/linalg';
import { e8Dequantize, e8Quantize } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import { CalderaLinear } from '../src/linear/caldera-linear';
import { PackedE8Matrix } from '../src/linear/packed-e8-matrix';

function gaussian(n: number, seed: number, std = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => std * rng.nextGaussian());
}

/** M_d = (H_K ⊗ S_p)/√d with row index c·p + s, built from the ±1 matrices directly. */
function explicitM(d: number, K: number): Float64Array {
  const p = d / K;
  const hk = hadamardMatrix(K);
  const s = sylvester(p);
  const m = new Float64Array(d * d);
  for (let c = 0; c < K; c++)
    for (let a = 0; a < p; a++)
      for (let c2 = 0; c2 < K; c2++)
        for (let b = 0; b < p; b++)
          m[(c * p + a) * d + c2 * p + b] = (hk[c * K + c2]! * s[a * p + b]!) / Math.sqrt(d);
  return m;
}

/** g·diag(SV)·M_m·A·M_nᵀ·diag(SU) with plain loops (§8). */
function reconstruct(
  a: Float64Array,
  m: number,
  n: number,
  Km: number,
  Kn: number,
  sv: Float32Array,
  su: Float32Array,
  g: number,
): Float64Array {
  const mm = explicitM(m, Km);
  const mn = explicitM(n, Kn);
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += mm[i * m + k]! * a[k * n + j]!;
      t[i * n + j] = s;
    }
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += t[i * n + k]! * mn[j * n + k]!;
      w[i * n + j] = g * sv[i]! * s * su[j]!;
    }
  return w;
}

const m = 24; // 12·2
const n = 32; // 2⁵
const k = 3;

function parts(floatFactors: boolean) {
  const rng = new Rng(3);
  const q = e8Quantize('e8p12', gaussian(m * n, 1), m, n);
  const ltF = gaussian(k * m, 2, 0.3);
  const rF = gaussian(k * n, 4, 0.3);
  const lt = floatFactors ? ltF : e8Quantize('e8p12rvq4b', ltF, k, m);
  const r = floatFactors ? rF : e8Quantize('e8p12rvq4b', rF, k, n);
  return { q, lt, r, rank: k, su: rng.signs(n), sv: rng.signs(m), globalScale: 0.37 };
}

describe('CalderaLinear', () => {
  for (const floatFactors of [false, true]) {
    it(`forward and toDense equal g·diag(SV)·M_m·(Q̂ + L̂R̂)·M_nᵀ·diag(SU) (${floatFactors ? 'float' : 'RVQ4B'} factors)`, () => {
      const p = parts(floatFactors);
      const layer = new CalderaLinear(p);
      const qd = e8Dequantize(p.q);
      const ltd = p.lt instanceof Float32Array ? p.lt : e8Dequantize(p.lt);
      const rd = p.r instanceof Float32Array ? p.r : e8Dequantize(p.r);
      const a = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = qd[i * n + j]!;
          for (let t = 0; t < k; t++) s += ltd[t * m + i]! * rd[t * n + j]!;
          a[i * n + j] = s;
        }
      const ref = reconstruct(a, m, n, 12, 1, p.sv, p.su, p.globalScale);
      const dense = layer.toDense();
      for (let i = 0; i < m * n; i++) expect(Math.abs(dense[i]! - ref[i]!)).toBeLessThan(1e-5);
      for (const rows of [1, 2, 9]) {
        const x = gaussian(rows * n, 10 + rows);
        const y = new Float32Array(rows * m);
        layer.forward(x, rows, y);
        const want = new Float32Array(rows * m);
        sgemmRef('N', 'T', rows, m, n, 1, x, n, Float32Array.from(ref), n, 0, want, m);
        for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThan(2e-5);
      }
    });
  }

  it('stores about 2 bits per weight for Q plus the factors', () => {
    const p = parts(false);
    const layer = new CalderaLinear(p);
    expect(layer.residentBytes()).toBe(
      (m * n) / 4 + 4 + 4 * k * (m / 8) + 4 + 4 * k * (n / 8) + 4 + 4 * (m + n) + 4,
    );
    expect(layer.rank).toBe(k);
  });

  it('rank 0 is Q alone; bad dimensions and shapes are rejected', () => {
    const p = parts(false);
    const q0 = new CalderaLinear({ q: p.q, su: p.su, sv: p.sv, globalScale: 1 });
    expect(q0.rank).toBe(0);
    const a = Float64Array.from(e8Dequantize(p.q));
    const ref = reconstruct(a, m, n, 12, 1, p.sv, p.su, 1);
    const d = q0.toDense();
    for (let i = 0; i < m * n; i++) expect(Math.abs(d[i]! - ref[i]!)).toBeLessThan(1e-5);
    const bad = e8Quantize('e8p12', gaussian(10 * 16, 1), 10, 16);
    expect(
      () =>
        new CalderaLinear({
          q: bad,
          su: p.su.subarray(0, 16),
          sv: new Float32Array(10),
          globalScale: 1,
        }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_LAYER' }));
    expect(() => new CalderaLinear({ ...p, r: undefined })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });

  it('PackedE8Matrix products equal the dequantised matrix (E8P12, RVQ4B, RVQ3B)', () => {
    for (const name of ['e8p12', 'e8p12rvq4b', 'e8p12rvq3b'] as const) {
      const q = e8Quantize(name, gaussian(5 * 20, 7), 5, 20); // 20 columns: a padded last group
      const a = new PackedE8Matrix(q);
      const d = e8Dequantize(q);
      const x = gaussian(2 * 20, 8);
      const y = new Float32Array(10);
      a.multiplyTransposed(x, 2, y);
      const want = new Float32Array(10);
      sgemmRef('N', 'T', 2, 5, 20, 1, x, 20, d, 20, 0, want, 5);
      for (let i = 0; i < 10; i++) expect(y[i]).toBeCloseTo(want[i]!, 4);
      const t = gaussian(2 * 5, 9);
      const z = new Float32Array(40);
      a.multiplyAccumulate(t, 2, z);
      const wz = new Float32Array(40);
      sgemmRef('N', 'N', 2, 20, 5, 1, t, 5, d, 20, 0, wz, 20);
      for (let i = 0; i < 40; i++) expect(z[i]).toBeCloseTo(wz[i]!, 4);
    }
  });
});
