import { Rng } from '@caldera/core';
import { e8pCodebook } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import {
  e8pAccumulateColumns,
  e8pAccumulateColumnsReference,
  e8pDotRows,
  e8pDotRowsReference,
  e8pPackedTable,
} from './e8p-packed-dot';

function randomCodes(n: number, rng: Rng): Uint16Array {
  const c = new Uint16Array(n);
  for (let i = 0; i < n; i++) c[i] = rng.nextUint32() & 0xffff;
  return c;
}

describe('packed E8P12 kernels', () => {
  it('the packed table holds exactly 4·codeword for every code', () => {
    const t = e8pPackedTable();
    const cb = e8pCodebook();
    let bad = 0;
    for (let c = 0; c < 65536; c++) {
      for (let k = 0; k < 8; k++) {
        const w = t[2 * c + (k >> 2)]!;
        const lane = (w << (24 - 8 * (k & 3))) >> 24;
        if (lane !== 4 * cb[8 * c + k]!) bad++;
      }
    }
    expect(bad).toBe(0);
    expect(e8pPackedTable()).toBe(t);
  });

  for (const count of [1, 2, 7]) {
    it(`e8pDotRows equals the codebook reference (${count} rows, offsets, both modes)`, () => {
      const rng = new Rng(100 + count);
      const vpr = 5;
      const codes = randomCodes((count + 3) * vpr, rng);
      const x = new Float64Array(3 + 8 * vpr);
      for (let i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
      const ref = e8pDotRowsReference(codes, vpr, 2, count, x, 3, 0.37);
      const out = new Float32Array(count + 1).fill(Number.NaN);
      e8pDotRows(e8pPackedTable(), codes, vpr, 2, count, x, 3, 0.37, out, 1, false);
      expect(Number.isNaN(out[0]!)).toBe(true);
      for (let i = 0; i < count; i++) expect(out[1 + i]!).toBeCloseTo(ref[i]!, 4);
      e8pDotRows(e8pPackedTable(), codes, vpr, 2, count, x, 3, 0.37, out, 1, true);
      for (let i = 0; i < count; i++) expect(out[1 + i]!).toBeCloseTo(2 * ref[i]!, 4);
    });
  }

  it('e8pAccumulateColumns equals the codebook reference and accumulates', () => {
    const rng = new Rng(7);
    const vpr = 4;
    const rows = 9;
    const codes = randomCodes(rows * vpr, rng);
    const t = new Float32Array(rows + 2);
    for (let i = 0; i < t.length; i++) t[i] = rng.nextGaussian();
    const ref = e8pAccumulateColumnsReference(codes, vpr, rows, t, 2, 0.5);
    const out = new Float32Array(1 + 8 * vpr).fill(1);
    e8pAccumulateColumns(e8pPackedTable(), codes, vpr, rows, t, 2, 0.5, out, 1);
    expect(out[0]).toBe(1);
    for (let j = 0; j < 8 * vpr; j++) expect(out[1 + j]!).toBeCloseTo(1 + ref[j]!, 4);
  });
});
