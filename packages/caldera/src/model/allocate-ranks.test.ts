import { CalderaError } from '@caldera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateRanks,
  allocateRanksExhaustive,
  type LayerCandidates,
  lowerHull,
} from './allocate-ranks';

const option = fc.record({
  rank: fc.integer({ min: 0, max: 64 }),
  bits: fc.integer({ min: 1, max: 100 }),
  error: fc.integer({ min: 0, max: 1000 }),
});
const layer = fc.record({
  params: fc.integer({ min: 1, max: 20 }),
  options: fc.array(option, { minLength: 1, maxLength: 3 }),
});
const instance = fc
  .array(layer, { minLength: 1, maxLength: 4 })
  .map((ls) => ls.map((l, i): LayerCandidates => ({ layer: `l${i}`, ...l })));

function totals(ls: readonly LayerCandidates[]) {
  const params = ls.reduce((a, l) => a + l.params, 0);
  const minBits = ls.reduce((a, l) => a + Math.min(...l.options.map((o) => o.bits)), 0);
  const maxBits = ls.reduce((a, l) => a + Math.max(...l.options.map((o) => o.bits)), 0);
  return { params, minBits, maxBits };
}

/** Bits of every Lagrangian solution: the greedy's states with an unlimited budget. */
function breakpoints(ls: readonly LayerCandidates[]): number[] {
  const { params, maxBits } = totals(ls);
  const hulls = ls.map((l) => lowerHull(l.options));
  const pos = hulls.map(() => 0);
  let bits = ls.reduce((a, l, i) => a + l.options[hulls[i]![0]!]!.bits, 0);
  const out = [bits];
  for (;;) {
    let best = -1;
    let slope = Number.NEGATIVE_INFINITY;
    ls.forEach((l, i) => {
      if (pos[i]! + 1 >= hulls[i]!.length) return;
      const a = l.options[hulls[i]![pos[i]!]!]!;
      const b = l.options[hulls[i]![pos[i]! + 1]!]!;
      const s = (a.error - b.error) / (b.bits - a.bits);
      if (s > slope) {
        slope = s;
        best = i;
      }
    });
    if (best < 0) break;
    const l = ls[best]!;
    bits +=
      l.options[hulls[best]![pos[best]! + 1]!]!.bits - l.options[hulls[best]![pos[best]!]!]!.bits;
    pos[best]!++;
    out.push(bits);
  }
  expect(bits).toBeLessThanOrEqual(maxBits);
  return out.map((b) => (b / params) * (1 + 1e-12));
}

describe('allocateRanks', () => {
  it('equals the exhaustive optimum at every Lagrangian budget', () => {
    fc.assert(
      fc.property(instance, (ls) => {
        for (const budget of breakpoints(ls)) {
          const g = allocateRanks(ls, budget);
          const e = allocateRanksExhaustive(ls, budget);
          expect(g.error).toBe(e.error);
          expect(g.bits).toBeLessThanOrEqual(budget * totals(ls).params);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('respects any feasible budget and never beats the exhaustive optimum', () => {
    fc.assert(
      fc.property(instance, fc.double({ min: 0, max: 1, noNaN: true }), (ls, t) => {
        const { params, minBits, maxBits } = totals(ls);
        const budget = ((minBits + t * (maxBits - minBits)) / params) * (1 + 1e-12);
        const g = allocateRanks(ls, budget);
        const e = allocateRanksExhaustive(ls, budget);
        const hull = allocateRanksExhaustive(
          ls,
          budget,
          ls.map((l) => lowerHull(l.options)),
        );
        expect(g.bits).toBeLessThanOrEqual(budget * params);
        expect(g.error).toBeGreaterThanOrEqual(e.error);
        expect(hull.error).toBeGreaterThanOrEqual(e.error);
        expect(g.bitsPerParameter).toBeCloseTo(g.bits / params, 12);
        expect(g.ranks).toEqual(g.choice.map((c, i) => ls[i]!.options[c]!.rank));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('takes the best error per bit first', () => {
    const ls: LayerCandidates[] = [
      {
        layer: 'a',
        params: 10,
        options: [
          { rank: 0, bits: 10, error: 100 },
          { rank: 8, bits: 20, error: 10 },
        ],
      },
      {
        layer: 'b',
        params: 10,
        options: [
          { rank: 0, bits: 10, error: 100 },
          { rank: 8, bits: 20, error: 50 },
        ],
      },
    ];
    const a = allocateRanks(ls, 1.5);
    expect(a.ranks).toEqual([8, 0]);
    expect(a.bits).toBe(30);
    expect(a.error).toBe(110);
    expect(a.bitsPerParameter).toBe(1.5);
    expect(allocateRanks(ls, 2).ranks).toEqual([8, 8]);
  });

  it('does not stop at a cheap greedy step that blocks a better large one (knapsack)', () => {
    // greedy: a's step has the better slope (11 > 10) but then b's 10-bit step no longer fits
    const ls: LayerCandidates[] = [
      {
        layer: 'a',
        params: 10,
        options: [
          { rank: 0, bits: 10, error: 100 },
          { rank: 0, qBits: 3, bits: 11, error: 89 },
        ],
      },
      {
        layer: 'b',
        params: 10,
        options: [
          { rank: 0, bits: 10, error: 100 },
          { rank: 8, bits: 20, error: 0 },
        ],
      },
    ];
    const a = allocateRanks(ls, 1.5);
    expect(a.error).toBe(100);
    expect(a.ranks).toEqual([0, 8]);
    expect(a.chosen).toEqual([ls[0]!.options[0], ls[1]!.options[1]]);
    expect(a.error).toBe(allocateRanksExhaustive(ls, 1.5).error);
  });

  it('lowerHull drops dominated and non-convex points', () => {
    expect(
      lowerHull([
        { rank: 16, bits: 3, error: 1 },
        { rank: 0, bits: 1, error: 4 },
        { rank: 8, bits: 2, error: 3.9 },
        { rank: 32, bits: 4, error: 1.5 },
      ]),
    ).toEqual([1, 0]);
  });

  it('rejects an impossible budget naming the minimum bpw', () => {
    const ls: LayerCandidates[] = [
      {
        layer: 'a',
        params: 4,
        options: [
          { rank: 0, bits: 8, error: 1 },
          { rank: 2, bits: 12, error: 0 },
        ],
      },
    ];
    let err: unknown;
    try {
      allocateRanks(ls, 1.5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CalderaError);
    expect((err as CalderaError).code).toBe('INVALID_OPTIONS');
    expect((err as CalderaError).message).toContain('2.0000');
    expect(() => allocateRanks(ls, 0)).toThrow(/positive/);
  });
});
