import { describe, expect, it } from 'vitest';
import { cli } from '../../test/cli-harness';
import { formatBench } from './bench';

describe('caldera bench', () => {
  it('--quick --json prints one JSON line per measurement with positive rates', async () => {
    const r = await cli('bench', '--quick', '--json');
    expect(r.code).toBe(0);
    const rows = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const gemm = rows.filter((x) => x.op === 'sgemm');
    expect(gemm.length).toBeGreaterThanOrEqual(2);
    for (const g of gemm) {
      expect(g.gflops).toBeGreaterThan(0);
      expect(g.seconds).toBeGreaterThan(0);
      expect(g.threads).toBeGreaterThanOrEqual(1);
      expect(g.shape).toMatch(/^\d+x\d+x\d+$/);
    }
    expect(new Set(gemm.map((g) => g.backend)).has('js')).toBe(true);
    const enc = rows.find((x) => x.op === 'e8p-encode');
    expect(enc.valuesPerS).toBeGreaterThan(0);
    const dec = rows.find((x) => x.op === 'decode-float');
    expect(dec.tokPerS).toBeGreaterThan(0);
    expect(formatBench(rows).length).toBe(rows.length + 1);
  }, 60_000);
});
