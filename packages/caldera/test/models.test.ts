import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { calderaDecompose } from './imports';
import { readPycode6m, readStories260K } from './models';
import { correlatedHessian } from './synthetic';

// Real weights, synthetic Hessians (correlated activations with dominant directions): the
// runtime that would collect real activations is another package.
const hessians = new Map<number, Float64Array>();
const hessianFor = (n: number) => {
  let h = hessians.get(n);
  if (!h) {
    h = correlatedHessian(n, 2 * n, new Rng(n));
    hessians.set(n, h);
  }
  return h;
};

describe('real model layers', () => {
  it('every linear layer of stories260K (64, 172: neither a multiple of 8 nor a power of two) decomposes', () => {
    const layers = readStories260K();
    expect(layers.length).toBe(35);
    expect(new Set(layers.map((l) => `${l.m}x${l.n}`))).toEqual(
      new Set(['64x64', '32x64', '172x64', '64x172']),
    );
    for (const l of layers) {
      const d = calderaDecompose(l.w, l.m, l.n, hessianFor(l.n), {
        rank: 8,
        iterations: 2,
        lplrRounds: 3,
      });
      expect(d.trace.length, l.name).toBe(4);
      expect(d.trace.every((t) => Number.isFinite(t.error) && t.error < 1)).toBe(true);
      expect(d.dataAwareError, l.name).toBeLessThan(0.2);
      expect(d.bitsPerParameter, l.name).toBeGreaterThan(2.5);
      expect(d.bitsPerParameter, l.name).toBeLessThan(4.1);
      expect(d.reconstruct().length).toBe(l.m * l.n);
    }
  });

  it('pycode-6m layers decompose (attention of block 0 and one 688×256 MLP matrix; all 42 in the bench)', () => {
    const layers = readPycode6m('layers.0.').filter(
      (l) => !l.name.includes('up_proj') && !l.name.includes('down_proj'),
    );
    expect(layers.length).toBe(5);
    for (const l of layers) {
      const d = calderaDecompose(l.w, l.m, l.n, hessianFor(l.n), {
        rank: 16,
        iterations: 1,
        lplrRounds: 2,
      });
      expect(d.dataAwareError, l.name).toBeLessThan(0.2);
      expect(d.bitsPerParameter, l.name).toBeLessThan(3.5);
    }
  });
});
