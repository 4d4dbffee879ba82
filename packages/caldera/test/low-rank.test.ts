import { describe, expect, it } from 'vitest';
import { decompose, lowRankDecompose, relativeDataAwareError, selectRank } from './imports';
import { plantedProblem } from './synthetic';

const p = plantedProblem(48, 96, 12, 5);
const identity = (n: number) => {
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
};
const tailError = (spectrum: Float64Array, k: number) => {
  let tot = 0;
  let tail = 0;
  spectrum.forEach((v, i) => {
    tot += v;
    if (i >= k) tail += v;
  });
  return Math.sqrt(tail / tot);
};

describe('LoRD-style low-rank decompositions', () => {
  it('whitened SVD is optimal in the data-aware norm, weight SVD in the Frobenius norm', () => {
    for (const rank of [2, 6, 12]) {
      const white = lowRankDecompose('whitened-svd', p.w, p.m, p.n, p.h, { rule: { rank } });
      const plain = lowRankDecompose('weight-svd', p.w, p.m, p.n, p.h, { rule: { rank } });
      expect(white.dataAwareError).toBeLessThan(plain.dataAwareError);
      // the data-aware error of the whitened fit is the tail of its own spectrum (Eckart–Young)
      expect(white.dataAwareError).toBeCloseTo(tailError(white.lowRank!.spectrum, rank), 4);
      const fro = (d: typeof white) =>
        relativeDataAwareError(p.w, d.reconstruct(), p.m, p.n, identity(p.n));
      expect(fro(plain)).toBeLessThan(fro(white));
      expect(fro(plain)).toBeCloseTo(tailError(plain.lowRank!.spectrum, rank), 4);
    }
  });

  it('output PCA with E[yyᵀ] = W·H·Wᵀ equals the whitened SVD; a given moment is used', () => {
    const white = lowRankDecompose('whitened-svd', p.w, p.m, p.n, p.h, { rule: { rank: 5 } });
    const pca = lowRankDecompose('output-pca', p.w, p.m, p.n, p.h, { rule: { rank: 5 } });
    expect(pca.dataAwareError).toBeCloseTo(white.dataAwareError, 5);
    // an output moment concentrated on the first 3 outputs picks exactly those 3 directions
    const mom = new Float64Array(p.m * p.m);
    for (let i = 0; i < 3; i++) mom[i * p.m + i] = 10 - i;
    const d = lowRankDecompose('output-pca', p.w, p.m, p.n, p.h, {
      outputMoment: mom,
      rule: { energy: 1 },
    });
    expect(d.rank).toBe(3);
    const wHat = d.reconstruct();
    for (let j = 0; j < p.n; j++) expect(wHat[j]).toBeCloseTo(p.w[j]!, 5);
    expect(wHat[5 * p.n + 7]).toBeCloseTo(0, 6);
  });

  it('chooses the rank by energy, error budget or parameter reduction and reports size and FLOPs', () => {
    const byEnergy = lowRankDecompose('whitened-svd', p.w, p.m, p.n, p.h, {
      rule: { energy: 0.95 },
    });
    const lr = byEnergy.lowRank!;
    expect(lr.energyKept).toBeGreaterThanOrEqual(0.95);
    const below = lr.spectrum.slice(0, byEnergy.rank - 1).reduce((a, b) => a + b, 0);
    expect(below / lr.spectrum.reduce((a, b) => a + b, 0)).toBeLessThan(0.95);

    const budget = decompose('whitened-svd', p.w, p.m, p.n, p.h, { rule: { errorBudget: 0.1 } });
    expect(budget.dataAwareError).toBeLessThanOrEqual(0.1 + 1e-6);
    const one = lowRankDecompose('whitened-svd', p.w, p.m, p.n, p.h, {
      rule: { rank: budget.rank - 1 },
    });
    expect(one.dataAwareError).toBeGreaterThan(0.1);

    const half = decompose('weight-svd', p.w, p.m, p.n, null, {
      rule: { parameterReduction: 0.5 },
    });
    const rep = half.lowRank!;
    expect(rep.factoredParameters).toBeLessThanOrEqual(0.5 * rep.denseParameters);
    expect((half.rank + 1) * (p.m + p.n)).toBeGreaterThan(0.5 * p.m * p.n);
    expect(rep).toMatchObject({
      denseParameters: p.m * p.n,
      factoredParameters: half.rank * (p.m + p.n),
      denseFlops: 2 * p.m * p.n,
      factoredFlops: 2 * half.rank * (p.m + p.n),
    });
    expect(half.bitsPerParameter).toBeCloseTo(
      (32 * rep.factoredParameters + 32) / rep.denseParameters,
      10,
    );
  });

  it('selectRank edge cases', () => {
    const s = new Float64Array([9, 1, 0]);
    expect(selectRank(s, 3, 3, { energy: 0.9 })).toBe(1);
    expect(selectRank(s, 3, 3, { energy: 0.95 })).toBe(2);
    expect(selectRank(s, 3, 3, { errorBudget: 0 })).toBe(2);
    expect(() => selectRank(s, 3, 3, { parameterReduction: 0.9 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => selectRank(s, 3, 3, { energy: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
