import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import {
  downdateHessian,
  fitLowRank,
  makeRotation,
  quantizeMatrix,
  regularizeHessian,
  ridgeSolve,
  rotateHessian,
  rotateWeights,
  storedBits,
  topSubspace,
  unrotateWeights,
} from './imports';
import { plantedProblem } from './synthetic';

const p = plantedProblem(40, 72, 6, 9);
const w64 = Float64Array.from(p.w);
const h = regularizeHessian(p.h, p.n, 0.01);

function mat(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++)
      for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + t]! * b[t * n + j]!;
  return c;
}
function hNorm2(d: Float64Array, m: number, n: number, hh: Float64Array): number {
  const dh = mat(d, hh, m, n, n);
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * dh[i]!;
  return s;
}

describe('topSubspace', () => {
  it('exact (both Gram sides) and randomized agree on the dominant projector', () => {
    const k = 4;
    const proj = (u: Float64Array, m: number) =>
      mat(
        u,
        Float64Array.from({ length: k * m }, (_, i) => u[(i % m) * k + Math.floor(i / m)]!),
        m,
        k,
        m,
      );
    const a = topSubspace(w64, p.m, p.n, h, k, 'exact', new Rng(1));
    const r = topSubspace(w64, p.m, p.n, h, k, 'randomized', new Rng(1), 4);
    // m > n side: transpose the problem's role by using Aᵀ with H = I on both paths
    const pa = proj(a.u, p.m);
    const pr = proj(r.u, p.m);
    let diff = 0;
    for (let i = 0; i < pa.length; i++) diff = Math.max(diff, Math.abs(pa[i]! - pr[i]!));
    expect(diff).toBeLessThan(1e-3);
    expect(r.values[0]).toBeCloseTo(a.values[0]!, 3);
    const wt = new Float64Array(p.n * p.m);
    for (let i = 0; i < p.m; i++) for (let j = 0; j < p.n; j++) wt[j * p.m + i] = w64[i * p.n + j]!;
    const tall = topSubspace(wt, p.n, p.m, null, 3, 'exact', new Rng(1));
    const tallR = topSubspace(wt, p.n, p.m, null, 3, 'randomized', new Rng(2), 6);
    expect(tallR.values[2]).toBeCloseTo(tall.values[2]!, 3);
  });
});

describe('rotation', () => {
  it('round-trips W for padded sizes and preserves the data-aware norm', () => {
    const rot = makeRotation(p.m, p.n, true, new Rng(3)); // 40 = 20·2, 72 = 36·2
    const rot2 = makeRotation(30, 50, true, new Rng(3)); // padded to 36? and 52
    expect([rot.mp, rot.np]).toEqual([40, 72]);
    expect(rot2.mp).toBeGreaterThan(30);
    const wr = rotateWeights(rot, p.w);
    const hr = rotateHessian(rot, h, 0.01);
    expect(hNorm2(wr, p.m, p.n, hr) / hNorm2(w64, p.m, p.n, h)).toBeCloseTo(1, 8);
    const back = unrotateWeights(rot, wr, 1);
    for (let i = 0; i < back.length; i += 97) expect(back[i]).toBeCloseTo(p.w[i]!, 5);
    const w2 = p.w.subarray(0, 30 * 50);
    const back2 = unrotateWeights(rot2, rotateWeights(rot2, w2), 2);
    for (let i = 0; i < back2.length; i += 37) expect(back2[i]).toBeCloseTo(2 * w2[i]!, 5);
  });
});

describe('LR step', () => {
  it('float factors give the optimal whitened rank-k fit; LPLR beats quantising the closed form', () => {
    const k = 6;
    const f = fitLowRank(w64, p.m, p.n, h, k, { family: 'float' }, 0, 'exact', new Rng(1));
    const d = mat(f.l, f.r, p.m, k, p.n).map((v, i) => w64[i]! - v);
    const err = hNorm2(d, p.m, p.n, h);
    // the rank-k truncation error equals the sum of the trailing eigenvalues of W·H·Wᵀ
    const all = topSubspace(w64, p.m, p.n, h, p.m, 'exact', new Rng(1)).values;
    const tail = all.slice(k).reduce((a, b) => a + b, 0);
    expect(err / tail).toBeCloseTo(1, 2);
    const spec = { family: 'e8p', bits: 2 } as const;
    const direct = fitLowRank(w64, p.m, p.n, h, k, spec, 0, 'exact', new Rng(1));
    const lplr = fitLowRank(w64, p.m, p.n, h, k, spec, 6, 'exact', new Rng(1));
    const e = (x: typeof f) =>
      hNorm2(
        mat(x.l, x.r, p.m, k, p.n).map((v, i) => w64[i]! - v),
        p.m,
        p.n,
        h,
      );
    expect(e(lplr)).toBeLessThan(0.9 * e(direct));
    expect(lplr.lStored.kind === 'quantized' && lplr.lStored.q.rows).toBe(k); // Lᵀ is stored, k×m
  });

  it('ridgeSolve falls back on a singular system', () => {
    const x = ridgeSolve(new Float64Array([1, 1, 1, 1]), 2, new Float64Array([2, 2]), 1);
    expect(x[0]! + x[1]!).toBeCloseTo(2, 6);
  });
});

describe('Q step helpers', () => {
  it('the downdate removes the whitened directions of R·C', () => {
    const k = 3;
    const f = fitLowRank(w64, p.m, p.n, h, k, { family: 'float' }, 0, 'exact', new Rng(1));
    const hd = downdateHessian(h, p.n, f.r, k, 0);
    // H' = C(I − PPᵀ)Cᵀ annihilates every y with Cᵀy ∈ span P = span(Cᵀ·Rᵀ), i.e. y ∈ span Rᵀ
    for (let t = 0; t < k; t++) {
      const rt = Float64Array.from({ length: p.n }, (_, j) => f.r[t * p.n + j]!);
      const y = rt;
      const hy = mat(hd, y, p.n, p.n, 1);
      const hyFull = mat(h, y, p.n, p.n, 1);
      const nrm = (v: Float64Array) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
      expect(nrm(hy) / nrm(hyFull)).toBeLessThan(1e-8);
    }
  });

  it('stored bits: float16 at 16 bits, quantised blobs whole', () => {
    const m = new Float64Array(64).map((_, i) => Math.sin(i));
    expect(storedBits(quantizeMatrix(m, 4, 16, { family: 'float' }).stored)).toBe(16 * 64);
    const q = quantizeMatrix(m, 4, 16, { family: 'e8p', bits: 4 });
    expect(storedBits(q.stored)).toBeGreaterThan(4 * 64);
    let se = 0;
    for (let i = 0; i < 64; i++) se += (q.values[i]! - m[i]!) ** 2;
    expect(Math.sqrt(se / 64)).toBeLessThan(0.15);
  });
});
