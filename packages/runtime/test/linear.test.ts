import { Rng } from '@caldera/core';
import { sgemmRef } from '@caldera/linalg';
import { e8Quantize, packQuantized, uniformDequantize, uniformQuantize } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import { DenseLinear } from '../src/linear/dense-linear';
import type { Linear } from '../src/linear/linear';
import { LowRankLinear } from '../src/linear/low-rank-linear';
import { UniformLinear } from '../src/linear/uniform-linear';

function gaussian(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextGaussian();
  return a;
}

/** out = X·Wᵀ with the plain reference GEMM. */
function reference(
  w: Float32Array,
  m: number,
  n: number,
  x: Float32Array,
  rows: number,
): Float32Array {
  const y = new Float32Array(rows * m);
  sgemmRef('N', 'T', rows, m, n, 1, x, n, w, n, 0, y, m);
  return y;
}

function expectMatchesDense(layer: Linear, seed: number): void {
  const { outFeatures: m, inFeatures: n } = layer;
  const w = layer.toDense();
  expect(w.length).toBe(m * n);
  for (const rows of [1, 3, 13]) {
    const x = gaussian(rows * n, seed + rows);
    const y = new Float32Array(rows * m).fill(Number.NaN);
    layer.forward(x, rows, y);
    const ref = reference(w, m, n, x, rows);
    let scale = 0;
    for (const v of ref) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < y.length; i++)
      expect(Math.abs(y[i]! - ref[i]!)).toBeLessThan(1e-5 * (1 + scale));
  }
}

describe('Linear kinds equal their dense reconstruction', () => {
  it('dense', () => {
    const w = gaussian(37 * 29, 1);
    const layer = new DenseLinear(w, 37, 29);
    expectMatchesDense(layer, 10);
    expect(layer.toDense()).toEqual(w);
    expect(layer.residentBytes()).toBe(4 * 37 * 29);
  });

  it('low-rank L·R', () => {
    const l = gaussian(40 * 5, 2);
    const r = gaussian(5 * 24, 3);
    const layer = new LowRankLinear(l, r, 40, 5, 24);
    expectMatchesDense(layer, 20);
    // toDense is L·R: check one entry by hand
    let s = 0;
    for (let t = 0; t < 5; t++) s += l[3 * 5 + t]! * r[t * 24 + 7]!;
    expect(layer.toDense()[3 * 24 + 7]).toBeCloseTo(s, 5);
    expect(layer.residentBytes()).toBe(4 * 5 * (40 + 24));
  });

  for (const bits of [2, 3, 4, 8] as const) {
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      it(`uniform ${bits}-bit ${scheme}, groups of 16 with a short last group`, () => {
        const m = 33;
        const n = 40;
        const q = uniformQuantize(gaussian(m * n, bits), m, n, { bits, groupSize: 16, scheme });
        const layer = new UniformLinear(q);
        expect(layer.toDense()).toEqual(uniformDequantize(q));
        expectMatchesDense(layer, 30 + bits);
        expect(layer.residentBytes()).toBeLessThan(
          (m * n * bits) / 8 + 4 * (scheme === 'symmetric' ? 1 : 2) * m * 3 + 2,
        );
      });
    }
  }

  it('uniform layer with many tiles (tile rows < output rows) through the GEMM path', () => {
    const m = 300;
    const n = 256; // tile of 128 rows
    const q = uniformQuantize(gaussian(m * n, 5), m, n, { bits: 4, groupSize: 64 });
    expectMatchesDense(new UniformLinear(q), 50);
  });

  it('uniform layer from a packed CQNT blob equals the one from the matrix', () => {
    const q = uniformQuantize(gaussian(8 * 24, 6), 8, 24, {
      bits: 3,
      groupSize: 8,
      scheme: 'asymmetric',
    });
    const a = UniformLinear.fromPacked(packQuantized(q));
    expect(a.toDense()).toEqual(new UniformLinear(q).toDense());
    expect(() =>
      UniformLinear.fromPacked(packQuantized(e8Quantize('e8p12', gaussian(8, 1), 1, 8))),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_LAYER' }));
  });

  it('rejects mis-sized buffers', () => {
    const layer = new DenseLinear(new Float32Array(6), 2, 3);
    expect(() => layer.forward(new Float32Array(2), 1, new Float32Array(2))).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
    expect(() => new DenseLinear(new Float32Array(5), 2, 3)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });
});
