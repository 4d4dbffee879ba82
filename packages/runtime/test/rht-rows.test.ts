import { Rng } from '@caldera/core';
import { rhtRows, rhtRowsInverse } from '@caldera/linalg';
import { e8pCodebook } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import { e8pSplitTables } from '../src/linear/e8p-split-tables';
import { RhtRows } from '../src/linear/rht-rows-batched';

describe('RhtRows (batched) equals linalg rhtRows / rhtRowsInverse', () => {
  for (const d of [32, 24, 688]) {
    for (const rows of [1, 3, 5]) {
      it(`d = ${d}, ${rows} rows, both directions`, () => {
        const rng = new Rng(d + rows);
        const signs = rng.signs(d);
        const x = Float32Array.from({ length: rows * d }, () => rng.nextGaussian());
        const t = new RhtRows(d);
        for (const inverse of [false, true]) {
          const a = x.slice();
          const b = x.slice();
          t.apply(a, rows, signs, inverse);
          if (inverse) rhtRowsInverse(b, rows, d, signs);
          else rhtRows(b, rows, d, signs);
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(2e-5);
        }
        const round = x.slice();
        t.apply(round, rows, signs, false);
        t.apply(round, rows, signs, true);
        for (let i = 0; i < x.length; i++) expect(Math.abs(round[i]! - x[i]!)).toBeLessThan(2e-5);
      });
    }
  }
});

describe('split E8P12 tables', () => {
  it('abs·sign + shift reproduces every codeword of the full codebook', () => {
    const full = e8pCodebook();
    const { abs, sign, shift } = e8pSplitTables();
    let bad = 0;
    for (let c = 0; c < 65536; c++) {
      const a = (c >> 8) * 8;
      const s = c & 255;
      for (let i = 0; i < 8; i++)
        if (abs[a + i]! * sign[s * 8 + i]! + shift[s]! !== full[c * 8 + i]) bad++;
    }
    expect(bad).toBe(0);
  });
});
