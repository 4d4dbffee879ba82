import { Rng } from '@caldera/core';
import { packBits, uniformDequantize, uniformQuantize } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import { uniform4DotRows, uniformGroupSums } from './uniform4-dot';

describe('uniform4DotRows', () => {
  for (const scheme of ['symmetric', 'asymmetric'] as const) {
    it(`equals the dequantised matrix times x (${scheme}, short last group, row offset)`, () => {
      const m = 7;
      const n = 48;
      const gs = 32;
      const rng = new Rng(scheme === 'symmetric' ? 1 : 2);
      const w = Float32Array.from({ length: m * n }, () => rng.nextGaussian());
      const q = uniformQuantize(w, m, n, { bits: 4, groupSize: gs, scheme });
      const bytes = packBits(q.codes, 4);
      const buf = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
      buf.set(bytes);
      const words = new Uint32Array(buf.buffer);
      const x = Float64Array.from({ length: 2 + n }, () => rng.nextGaussian());
      const sums = new Float64Array(1 + 2);
      uniformGroupSums(x, 2, n, gs, sums, 1);
      expect(sums[1]).toBeCloseTo(
        x.slice(2, 2 + gs).reduce((a, b) => a + b, 0),
        12,
      );
      const out = new Float32Array(1 + m - 2).fill(Number.NaN);
      const mid = scheme === 'symmetric' ? 7 : 0;
      uniform4DotRows(
        words,
        n,
        gs,
        2,
        m - 2,
        x,
        2,
        sums,
        1,
        q.scales,
        q.offsets,
        mid,
        scheme === 'symmetric',
        out,
        1,
      );
      const d = uniformDequantize(q);
      expect(Number.isNaN(out[0]!)).toBe(true);
      for (let i = 0; i < m - 2; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += d[(i + 2) * n + j]! * x[2 + j]!;
        expect(out[1 + i]!).toBeCloseTo(s, 4);
      }
    });
  }
});
