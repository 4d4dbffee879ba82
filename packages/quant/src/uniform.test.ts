import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { roundToFloat16 } from './float16';
import { groupsPerRow, uniformDequantize, uniformQuantize } from './uniform';

const rows = 16;
const cols = 100;
const w = new Rng(5).fillGaussian(new Float32Array(rows * cols));

function mse(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

describe('uniform quantiser', () => {
  it('2-bit symmetric levels are {−1, 0, 1}·absmax', () => {
    const q = uniformQuantize(Float32Array.of(-2, -1.1, 0.2, 0.9, 2), 1, 5, { bits: 2 });
    expect(Array.from(q.codes)).toEqual([0, 0, 1, 1, 2]);
    expect(Array.from(uniformDequantize(q))).toEqual([-2, -2, 0, 0, 2]);
  });

  for (const bits of [2, 3, 4, 8] as const) {
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      it(`${bits}-bit ${scheme}: in-range error ≤ scale/2, codes < 2^bits`, () => {
        const g = 32;
        const q = uniformQuantize(w, rows, cols, { bits, groupSize: g, scheme });
        const y = uniformDequantize(q);
        const gpr = groupsPerRow(cols, g);
        expect(q.scales.length).toBe(rows * gpr);
        let bad = 0;
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < cols; j++) {
            const i = r * cols + j;
            if (q.codes[i]! >= 2 ** bits) bad++;
            const sc = q.scales[r * gpr + Math.floor(j / g)]!;
            if (Math.abs(w[i]! - y[i]!) > sc / 2 + 1e-6) bad++;
          }
        }
        expect(bad).toBe(0);
      });
    }
  }

  it('error shrinks with bits; asymmetric ≤ symmetric-ish; whole-row groups work', () => {
    const errs = [2, 3, 4, 8].map((bits) =>
      mse(w, uniformDequantize(uniformQuantize(w, rows, cols, { bits: bits as 2 | 3 | 4 | 8 }))),
    );
    for (let i = 1; i < errs.length; i++) expect(errs[i]!).toBeLessThan(errs[i - 1]!);
    const whole = uniformQuantize(w, rows, cols, { bits: 4 });
    expect(whole.groupSize).toBe(cols);
    expect(whole.scales.length).toBe(rows);
    expect(errs[3]!).toBeLessThan(1e-4);
  });

  it('MSE search never loses to plain absmax / min–max per matrix', () => {
    for (const scheme of ['symmetric', 'asymmetric'] as const) {
      for (const bits of [2, 3, 4] as const) {
        const plain = mse(
          w,
          uniformDequantize(uniformQuantize(w, rows, cols, { bits, groupSize: 20, scheme })),
        );
        const best = mse(
          w,
          uniformDequantize(
            uniformQuantize(w, rows, cols, { bits, groupSize: 20, scheme, search: 'mse' }),
          ),
        );
        expect(best).toBeLessThanOrEqual(plain + 1e-12);
        if (bits <= 3) expect(best).toBeLessThan(plain);
      }
    }
  });

  it('f16 scales are float16 values and decode consistently', () => {
    const q = uniformQuantize(w, rows, cols, {
      bits: 4,
      groupSize: 25,
      scheme: 'asymmetric',
      scaleFormat: 'f16',
    });
    for (const s of q.scales) expect(roundToFloat16(s)).toBe(s);
    for (const s of q.offsets) expect(roundToFloat16(s)).toBe(s);
    expect(mse(w, uniformDequantize(q))).toBeLessThan(0.01);
  });

  it('constant groups and errors', () => {
    const q = uniformQuantize(new Float32Array(6).fill(3), 2, 3, { bits: 3, scheme: 'asymmetric' });
    expect(Array.from(uniformDequantize(q))).toEqual(Array(6).fill(3));
    const z = uniformQuantize(new Float32Array(4), 1, 4, { bits: 2 });
    expect(Array.from(uniformDequantize(z))).toEqual([0, 0, 0, 0]);
    expect(() => uniformQuantize(w, rows, cols, { bits: 5 as 4 })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_BITS' }),
    );
    expect(() => uniformQuantize(w, rows, cols + 1, { bits: 4 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => uniformQuantize(Float32Array.of(Number.NaN), 1, 1, { bits: 4 })).toThrow(
      /non-finite/,
    );
  });
});
