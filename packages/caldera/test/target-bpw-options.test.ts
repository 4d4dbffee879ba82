// `targetBpw` with Q-bit (and L·R-bit) candidates: the option set per layer, the overrides
// applied to each layer, and the point of it — the allocation is never worse in calibrated
// error than the best Q-only (mixed-precision LDLQ) allocation at the same budget.
import { CalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import {
  allocateJobRanks,
  allocateRanksExhaustive,
  allocationOverrides,
  checkCandidateBits,
  type LayerCandidates,
  type RankJob,
} from './imports';
import { plantedProblem } from './synthetic';

const SHAPES: readonly [number, number][] = [
  [32, 64],
  [48, 64],
  [32, 96],
  [64, 64],
];
const problems = SHAPES.map(([m, n], i) => ({ name: `w${i}`, ...plantedProblem(m, n, 3, 11 + i) }));

function jobsOf(method: RankJob['settings']['method']): (RankJob & { i: number })[] {
  return problems.map((p, i) => ({
    name: p.name,
    m: p.m,
    n: p.n,
    i,
    settings: { method, qBits: 2, lrBits: 4 },
  }));
}

describe('targetBpw with Q-bit candidates', () => {
  it('tries rank × Q bits (× L·R bits when rank > 0) and applies them per layer', async () => {
    const jobs = jobsOf('caldera');
    const seen: number[] = [];
    const a = await allocateJobRanks(
      jobs,
      3.2,
      [0, 8],
      async (name) => problems.find((p) => p.name === name)!.w,
      (j) => problems[j.i]!.h,
      {
        candidateQBits: [3, 2],
        candidateLrBits: [2, 4],
        onProgress: (e) => {
          if (e.type === 'progress' && e.task === 'allocate') seen.push(e.current);
        },
      },
    );
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(a.bitsPerParameter).toBeLessThanOrEqual(3.2);
    const o = allocationOverrides(jobs, a);
    for (let i = 0; i < jobs.length; i++) {
      const c = a.chosen[i]!;
      expect([2, 3]).toContain(c.qBits);
      expect(o[i]).toEqual({
        rank: c.rank,
        qBits: c.qBits,
        ...(c.rank > 0 ? { lrBits: c.lrBits } : {}),
      });
      if (c.rank === 0) expect(c.lrBits).toBeUndefined();
    }
    // some layer takes the 3-bit Q, some stays at 2 bits: the budget is spent unevenly
    expect(new Set(a.chosen.map((c) => c.qBits)).size).toBe(2);
  }, 30_000);

  it('lets LDLQ-only layers choose their Q bits, and never gives them a rank', async () => {
    const jobs = jobsOf('ldlq');
    const a = await allocateJobRanks(
      jobs,
      2.5,
      [0, 8],
      async (name) => problems.find((p) => p.name === name)!.w,
      (j) => problems[j.i]!.h,
      { candidateQBits: [2, 3] },
    );
    const o = allocationOverrides(jobs, a);
    for (const x of o) expect(Object.keys(x)).toEqual(['qBits']);
    expect(o.some((x) => x.qBits === 3)).toBe(true);
    expect(a.bitsPerParameter).toBeLessThanOrEqual(2.5);
  }, 30_000);

  it('is at most as wrong as the best Q-only allocation at the same budget', async () => {
    const read = async (name: string) => problems.find((p) => p.name === name)!.w;
    // the Q-only candidates, and the joint ones, per layer (large budget: every option costed)
    const costed = async (method: 'ldlq' | 'caldera', ranks: number[]) => {
      const out: LayerCandidates[] = [];
      for (const j of jobsOf(method)) {
        const opts: LayerCandidates['options'][number][] = [];
        for (const q of [2, 3]) {
          for (const r of ranks) {
            const a = await allocateJobRanks([j], 64, [r], read, () => problems[j.i]!.h, {
              candidateQBits: [q],
            });
            opts.push(a.chosen[0]!);
          }
        }
        out.push({ layer: j.name, params: j.m * j.n, options: opts });
      }
      return out;
    };
    const qOnly = await costed('ldlq', [0]);
    for (const budget of [2.3, 2.6, 2.9]) {
      const best = allocateRanksExhaustive(qOnly, budget);
      const joint = await allocateJobRanks(
        jobsOf('caldera'),
        budget,
        [0, 8],
        read,
        (j) => problems[j.i]!.h,
        { candidateQBits: [2, 3] },
      );
      expect(joint.bitsPerParameter).toBeLessThanOrEqual(budget);
      expect(joint.error, `budget ${budget}`).toBeLessThanOrEqual(best.error * (1 + 1e-9));
    }
    expect(await costed('caldera', [0])).toEqual(qOnly.map((l) => ({ ...l })));
  }, 60_000);

  it('rejects bad bit candidates', async () => {
    expect(checkCandidateBits('Q', [3, 2, 3], [2, 3, 4])).toEqual([2, 3]);
    expect(() => checkCandidateBits('Q', [], [2, 3, 4])).toThrow(CalderaError);
    await expect(
      allocateJobRanks(
        jobsOf('caldera'),
        3,
        [0],
        async () => problems[0]!.w,
        () => problems[0]!.h,
        { candidateQBits: [5] },
      ),
    ).rejects.toThrow(/candidate Q bits must be among 2, 3, 4/);
  });
});
