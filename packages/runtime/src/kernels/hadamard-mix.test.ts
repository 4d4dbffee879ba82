import { Rng } from '@caldera/core';
import { hadamardMatrixF32 } from '@caldera/linalg';
import { describe, expect, it } from 'vitest';
import { mixRowReference, signMixRow, signPatterns } from './hadamard-mix';

describe('signMixRow', () => {
  for (const [k, p] of [
    [172, 4],
    [12, 8],
    [3, 4],
    [5, 4],
  ] as const) {
    it(`equals the plain reference for a ±1 matrix, K = ${k}, p = ${p}`, () => {
      const rng = new Rng(k * p);
      const g = Float32Array.from(rng.signs(k * k));
      const x = Float32Array.from({ length: 5 + k * p }, () => rng.nextGaussian());
      const y = new Float32Array(k * p);
      signMixRow(signPatterns(g, k), k, p, x, 5, y, new Float64Array(64 * Math.ceil(k / 4)));
      const ref = mixRowReference(g, k, p, x, 5);
      for (let i = 0; i < y.length; i++) expect(y[i]!).toBeCloseTo(ref[i]!, 4);
    });
  }

  it('signPatterns sets bit j of group q for G[r, 4q + j] > 0', () => {
    const g = Float32Array.of(
      1,
      -1,
      1,
      1,
      1,
      -1,
      -1,
      -1,
      -1,
      1,
      1,
      1,
      1,
      1,
      1,
      -1,
      1,
      1,
      -1,
      1,
      1,
      -1,
      -1,
      1,
      1,
    );
    const pat = signPatterns(g, 5);
    expect(Array.from(pat)).toEqual([0b1101, 1, 0, 1, 0b1111, 1, 0b0110, 1, 0b1001, 1]);
  });

  it('H_172·(H_172ᵀ·Z) = 172·Z', () => {
    const k = 172;
    const h = hadamardMatrixF32(k);
    const ht = new Float32Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) ht[j * k + i] = h[i * k + j]!;
    const rng = new Rng(3);
    const z = Float32Array.from({ length: 4 * k }, () => rng.nextGaussian());
    const a = new Float32Array(4 * k);
    const b = new Float32Array(4 * k);
    const table = new Float64Array(64 * 43);
    signMixRow(signPatterns(ht, k), k, 4, z, 0, a, table);
    signMixRow(signPatterns(h, k), k, 4, a, 0, b, table);
    for (let i = 0; i < z.length; i++) expect(b[i]! / k).toBeCloseTo(z[i]!, 4);
  });
});
