import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { E8_ROOT_CODEBOOK, e8RootEncodeOne } from './e8-roots';
import { e8pDecode, e8pDecodeOne } from './e8p-codebook';
import { e8pEncode, e8pEncodeOne } from './e8p-encode';
import { RVQ3B_RESID_SCALE, RVQ4B_RESID_SCALE, rvqDecode, rvqEncode } from './rvq';

describe('E8 root codebook (RVQ3B stage 2)', () => {
  it('has zero, 112 integer roots, 128 half-integer roots, 15 ±2eᵢ, all distinct and in E8', () => {
    const counts = { zero: 0, int2: 0, half2: 0, four: 0 };
    const seen = new Set<string>();
    for (let c = 0; c < 256; c++) {
      const v = Array.from(E8_ROOT_CODEBOOK.subarray(c * 8, c * 8 + 8));
      seen.add(v.join(','));
      const n2 = v.reduce((s, a) => s + a * a, 0);
      const sum = v.reduce((s, a) => s + a, 0);
      const allInt = v.every(Number.isInteger);
      const allHalf = v.every((a) => Math.abs(a) === 0.5);
      expect(allInt || allHalf).toBe(true);
      expect(Math.abs(sum % 2)).toBe(0);
      if (n2 === 0) counts.zero++;
      else if (n2 === 2 && allInt) counts.int2++;
      else if (n2 === 2) counts.half2++;
      else if (n2 === 4) counts.four++;
    }
    expect(seen.size).toBe(256);
    expect(counts).toEqual({ zero: 1, int2: 112, half2: 128, four: 15 });
    expect(Array.from(E8_ROOT_CODEBOOK.subarray(0, 8))).toEqual([-1, -1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(E8_ROOT_CODEBOOK.subarray(241 * 8, 242 * 8))).toEqual([
      2, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(Array.from(E8_ROOT_CODEBOOK.subarray(255 * 8, 256 * 8))).toEqual([
      0, 0, 0, 0, 0, 0, -2, 0,
    ]);
  });

  it('encodes every entry to itself', () => {
    for (let c = 0; c < 256; c++) expect(e8RootEncodeOne(E8_ROOT_CODEBOOK, c * 8)).toBe(c);
  });
});

describe('residual VQ', () => {
  const n = 20000;
  const x = new Rng(31).fillGaussian(new Float32Array(n * 8));

  it('RVQ4B: decode(encode(x)) = q1 + q2/3.45 with q2 the nearest E8P point of the scaled residual', () => {
    const s = 1 / 1.03;
    const codes = rvqEncode('rvq4b', x, s);
    const y = rvqDecode('rvq4b', codes, s);
    const q1 = new Float64Array(8);
    const r = new Float64Array(8);
    const q2 = new Float64Array(8);
    let bad = 0;
    let se = 0;
    for (let k = 0; k < n; k++) {
      const c1 = codes[k]! >>> 16;
      const c2 = codes[k]! & 0xffff;
      if (c1 !== e8pEncodeOne(x, 8 * k, 1 / s)) bad++;
      e8pDecodeOne(c1, q1);
      for (let i = 0; i < 8; i++) r[i] = (x[8 * k + i]! / s - q1[i]!) * RVQ4B_RESID_SCALE;
      if (c2 !== e8pEncodeOne(r, 0)) bad++;
      e8pDecodeOne(c2, q2);
      for (let i = 0; i < 8; i++) {
        if (y[8 * k + i] !== Math.fround((q1[i]! + q2[i]! / RVQ4B_RESID_SCALE) * s)) bad++;
        se += (x[8 * k + i]! - y[8 * k + i]!) ** 2;
      }
    }
    expect(bad).toBe(0);
    const mse = se / x.length;
    expect(mse).toBeLessThan(0.011); // ≈ 0.0096 measured; E8P alone ≈ 0.0913
    expect(mse).toBeGreaterThan(0.005);
  });

  it('RVQ3B: stage 2 never makes a vector worse (zero is a root) and MSE bound holds', () => {
    const s = 1 / 0.98;
    const codes = rvqEncode('rvq3b', x, s);
    const y = rvqDecode('rvq3b', codes, s);
    const y1 = e8pDecode(e8pEncode(x, s), s);
    let worse = 0;
    let se = 0;
    const r = new Float64Array(8);
    let bad = 0;
    for (let k = 0; k < n; k++) {
      let e = 0;
      let e1 = 0;
      for (let i = 0; i < 8; i++) {
        e += (x[8 * k + i]! - y[8 * k + i]!) ** 2;
        e1 += (x[8 * k + i]! - y1[8 * k + i]!) ** 2;
        r[i] = ((x[8 * k + i]! - y1[8 * k + i]!) / s) * RVQ3B_RESID_SCALE;
      }
      if (e > e1 + 1e-9) worse++;
      if ((codes[k]! & 0xff) !== e8RootEncodeOne(r, 0)) bad++;
      se += e;
    }
    expect(worse).toBe(0);
    expect(bad).toBe(0);
    const mse = se / x.length;
    expect(mse).toBeLessThan(0.032); // ≈ 0.0295 measured
    expect(mse).toBeGreaterThan(0.02);
  });
});
