// `--candidate-q-bits` / `--candidate-lr-bits`: parsed into the plan under `--target-bpw`,
// ignored without it, bad widths rejected as usage errors.
import { CalderaError } from '@caldera/core';
import { describe, expect, it } from 'vitest';
import { type CompressOptions, planFromOptions } from './compress';

const BASE: CompressOptions = {
  method: 'caldera',
  rank: '16',
  qBits: '2',
  lrBits: '4',
  samples: '4',
  seq: '64',
};

describe('compress bit candidates', () => {
  it('puts Q and L·R bit candidates into a targetBpw plan', async () => {
    const plan = await planFromOptions({
      ...BASE,
      targetBpw: '2.5',
      candidateRanks: '0,8',
      candidateQBits: '2, 3',
      candidateLrBits: '2,4',
    });
    expect(plan.targetBpw).toBe(2.5);
    expect(plan.candidateRanks).toEqual([0, 8]);
    expect(plan.candidateQBits).toEqual([2, 3]);
    expect(plan.candidateLrBits).toEqual([2, 4]);
    const plain = await planFromOptions({ ...BASE, candidateQBits: '2,3' });
    expect(plain.candidateQBits).toBeUndefined();
  });

  it('rejects widths the quantizers do not have', async () => {
    for (const bad of [
      { candidateQBits: '2,8' },
      { candidateQBits: 'x' },
      { candidateLrBits: '5' },
    ]) {
      const err = await planFromOptions({ ...BASE, targetBpw: '2.5', ...bad }).catch((e) => e);
      expect(err).toBeInstanceOf(CalderaError);
      expect((err as CalderaError).code).toBe('INVALID_ARGUMENT');
    }
  });
});
