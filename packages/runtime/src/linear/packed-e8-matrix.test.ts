import { Rng } from '@caldera/core';
import { sgemmRef } from '@caldera/linalg';
import { e8Dequantize, e8Quantize } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import { PackedE8Matrix } from './packed-e8-matrix';

function gaussian(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.nextGaussian());
}

describe('PackedE8Matrix fast (packed-table) paths equal the dequantised matrix', () => {
  for (const name of ['e8p12', 'e8p12rvq4b'] as const) {
    for (const rows of [1, 3]) {
      it(`${name}, 7 × 24, ${rows} input rows`, () => {
        const m = 7;
        const n = 24;
        const q = e8Quantize(name, gaussian(m * n, 5), m, n);
        const a = new PackedE8Matrix(q);
        const d = e8Dequantize(q);
        const x = gaussian(rows * n, 6 + rows);
        const y = new Float32Array(rows * m).fill(Number.NaN);
        a.multiplyTransposed(x, rows, y);
        const want = new Float32Array(rows * m);
        sgemmRef('N', 'T', rows, m, n, 1, x, n, d, n, 0, want, m);
        for (let i = 0; i < rows * m; i++) expect(y[i]!).toBeCloseTo(want[i]!, 4);
        const t = gaussian(rows * m, 9);
        const z = new Float32Array(rows * n).fill(1);
        a.multiplyAccumulate(t, rows, z);
        const wz = new Float32Array(rows * n).fill(1);
        sgemmRef('N', 'N', rows, n, m, 1, t, m, d, n, 1, wz, n);
        for (let i = 0; i < rows * n; i++) expect(z[i]!).toBeCloseTo(wz[i]!, 4);
      });
    }
  }
});
