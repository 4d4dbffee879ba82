// toRuntimeLinear: uniform Q without RHT or L·R (RTN, LDLQ-only) runs straight from its codes
// (UniformLinear, exported to ONNX as MatMulNBits) and computes exactly what the reconstruction does.
import { Rng } from '@caldera/core';
import { DenseLinear, type Linear } from '@caldera/runtime';
import { describe, expect, it } from 'vitest';
import { ldlqDecompose, rtnDecompose, toRuntimeLinear } from '../src/index';

function problem(m: number, n: number) {
  const rng = new Rng(3);
  const w = new Float32Array(m * n).map(() => rng.nextGaussian() * 0.05);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) h[i * n + i] = 1 + i / n;
  return { w, h };
}

function apply(layer: Linear, x: Float32Array, rows: number): Float32Array {
  const y = new Float32Array(rows * layer.outFeatures);
  layer.forward(x, rows, y);
  return y;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

describe('toRuntimeLinear for uniform Q', () => {
  const m = 24;
  const n = 64;
  const { w, h } = problem(m, n);
  const rng = new Rng(9);
  const x = new Float32Array(3 * n).map(() => rng.nextGaussian());

  for (const bits of [2, 4] as const) {
    it(`RTN ${bits}-bit (groups of 32) becomes a UniformLinear equal to the reconstruction`, () => {
      const d = rtnDecompose(w, m, n, h, {
        quantizer: { family: 'uniform', bits, groupSize: 32 },
      });
      const layer = toRuntimeLinear(d);
      expect(layer.kind).toBe('uniform');
      const ref = new DenseLinear(d.reconstruct(), m, n);
      expect(maxRelDiff(apply(layer, x, 3), apply(ref, x, 3))).toBeLessThan(1e-5);
    });
  }

  it('LDLQ-only uniform 3-bit without RHT also runs from its codes', () => {
    const d = ldlqDecompose(w, m, n, h, { qQuantizer: { family: 'uniform', bits: 3 }, rht: false });
    const layer = toRuntimeLinear(d);
    expect(layer.kind).toBe('uniform');
    const ref = new DenseLinear(d.reconstruct(), m, n);
    expect(maxRelDiff(apply(layer, x, 3), apply(ref, x, 3))).toBeLessThan(1e-5);
  });

  it('falls back to dense when an RHT is applied', () => {
    const d = rtnDecompose(w, m, n, h, { quantizer: { family: 'uniform', bits: 4 }, rht: true });
    expect(toRuntimeLinear(d).kind).toBe('dense');
  });
});
