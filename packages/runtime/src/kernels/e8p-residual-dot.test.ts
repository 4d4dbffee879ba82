import { Rng } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { e8pAccumulateColumns, e8pDotRows, e8pPackedTable } from './e8p-packed-dot';
import { e8pResidualAccumulateColumns, e8pResidualDotRows } from './e8p-residual-dot';

function randomCodes(n: number, rng: Rng): Uint16Array {
  const c = new Uint16Array(n);
  for (let i = 0; i < n; i++) c[i] = rng.nextUint32() & 0xffff;
  return c;
}

describe('two-stage packed E8P12 kernels equal two one-stage passes', () => {
  const table = e8pPackedTable();
  const rng = new Rng(11);
  const vpr = 3;
  const rows = 6;
  const c1 = randomCodes(rows * vpr, rng);
  const c2 = randomCodes(rows * vpr, rng);

  it('e8pResidualDotRows (overwrite and accumulate, offsets)', () => {
    const x = Float64Array.from({ length: 1 + 8 * vpr }, () => rng.nextGaussian());
    const ref = new Float32Array(rows);
    e8pDotRows(table, c1, vpr, 1, rows - 1, x, 1, 0.3, ref, 0, false);
    e8pDotRows(table, c2, vpr, 1, rows - 1, x, 1, -0.07, ref, 0, true);
    const out = new Float32Array(rows + 1).fill(Number.NaN);
    e8pResidualDotRows(table, c1, c2, vpr, 1, rows - 1, x, 1, 0.3, -0.07, out, 2, false);
    for (let i = 0; i < rows - 1; i++) expect(out[2 + i]!).toBeCloseTo(ref[i]!, 4);
    e8pResidualDotRows(table, c1, c2, vpr, 1, rows - 1, x, 1, 0.3, -0.07, out, 2, true);
    for (let i = 0; i < rows - 1; i++) expect(out[2 + i]!).toBeCloseTo(2 * ref[i]!, 4);
  });

  for (const [a1, a2] of [
    [0.3, 0.087],
    [0, 0.5],
    [0, 0],
  ] as const) {
    it(`e8pResidualAccumulateColumns, α = (${a1}, ${a2})`, () => {
      const t = Float32Array.from({ length: rows + 2 }, () => rng.nextGaussian());
      const ref = new Float32Array(8 * vpr).fill(0.5);
      e8pAccumulateColumns(table, c1, vpr, rows, t, 2, a1, ref, 0);
      e8pAccumulateColumns(table, c2, vpr, rows, t, 2, a2, ref, 0);
      const out = new Float32Array(1 + 8 * vpr).fill(0.5);
      e8pResidualAccumulateColumns(table, c1, c2, vpr, rows, t, 2, a1, a2, out, 1);
      for (let j = 0; j < 8 * vpr; j++) expect(out[1 + j]!).toBeCloseTo(ref[j]!, 4);
    });
  }
});
