import { describe, expect, it } from 'vitest';
import { isCalderaError } from './error';
import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    const sb = Array.from({ length: 8 }, () => b.nextUint32());
    const sc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('resumes from a saved state', () => {
    const a = new Rng(9);
    a.nextFloat();
    const b = Rng.fromState(a.getState());
    expect(a.nextFloat()).toBe(b.nextFloat());
  });

  it('gives uniform floats and standard normals with the right moments', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.nextFloat();
      min = Math.min(min, u);
      max = Math.max(max, u);
      s += u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(s / n).toBeCloseTo(0.5, 2);
    const g = r.fillGaussian(new Float64Array(n));
    s = 0;
    for (const v of g) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(s2 / n).toBeCloseTo(1, 1);
  });

  it('nextInt is in range and rejects bad bounds', () => {
    const r = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.nextInt(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    try {
      r.nextInt(0);
      expect.unreachable();
    } catch (e) {
      expect(isCalderaError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('signs are ±1 and balanced; shuffle permutes', () => {
    const s = new Rng(4).signs(10_000);
    let sum = 0;
    for (const v of s) {
      expect(Math.abs(v)).toBe(1);
      sum += v;
    }
    expect(Math.abs(sum)).toBeLessThan(400);
    const p = new Rng(5).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(p).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
