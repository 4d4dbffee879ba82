import { isCalderaError } from '@caldera/core';
import { packedSize } from '@caldera/quant';
import { describe, expect, it } from 'vitest';
import {
  calderaDecompose,
  decompose,
  ldlqDecompose,
  type ProgressEventLike,
  regularizeHessian,
  relativeDataAwareError,
  rtnDecompose,
} from './imports';
import { plantedProblem } from './synthetic';

const FAST = { iterations: 3, lplrRounds: 4 } as const;
const p = plantedProblem(64, 128, 8, 1);

describe('calderaDecompose on a planted low-rank + heavy-tailed problem', () => {
  const cal = calderaDecompose(p.w, p.m, p.n, p.h, { rank: 8, ...FAST });

  it('beats LDLQ-only, which beats RTN, at equal bits per parameter', () => {
    const ldlq = ldlqDecompose(p.w, p.m, p.n, p.h, { qQuantizer: { family: 'e8p', bits: 3 } });
    const rtn = rtnDecompose(p.w, p.m, p.n, p.h, { quantizer: { family: 'e8p', bits: 3 } });
    // CALDERA (2-bit Q + rank-8 4-bit factors) spends no more bits than the 3-bit baselines
    expect(cal.bitsPerParameter).toBeLessThanOrEqual(ldlq.bitsPerParameter);
    expect(Math.abs(rtn.bitsPerParameter - ldlq.bitsPerParameter)).toBeLessThan(0.05);
    expect(cal.dataAwareError).toBeLessThan(0.8 * ldlq.dataAwareError);
    expect(ldlq.dataAwareError).toBeLessThan(0.7 * rtn.dataAwareError);
  });

  it('error falls as the rank grows', () => {
    const errs = [2, 4, 8].map(
      (rank) => calderaDecompose(p.w, p.m, p.n, p.h, { rank, ...FAST }).dataAwareError,
    );
    const q0 = calderaDecompose(p.w, p.m, p.n, p.h, { rank: 0, ...FAST }).dataAwareError;
    expect(errs[0]!).toBeLessThan(0.97 * q0);
    expect(errs[1]!).toBeLessThan(0.95 * errs[0]!);
    expect(errs[2]!).toBeLessThan(0.95 * errs[1]!);
  });

  it('is deterministic for a seed and depends on it', () => {
    const again = calderaDecompose(p.w, p.m, p.n, p.h, { rank: 8, ...FAST });
    expect(again.reconstruct()).toEqual(cal.reconstruct());
    expect(again.trace).toEqual(cal.trace);
    const other = calderaDecompose(p.w, p.m, p.n, p.h, { rank: 8, ...FAST, seed: 7 });
    expect(other.rotation.signsRight).not.toEqual(cal.rotation.signsRight);
  });

  it('records a trace, keeps the best iterate and reconstructs it in the original basis', () => {
    expect(cal.trace.map((t) => t.step)).toEqual(['LR', 'Q', 'LR', 'Q', 'LR', 'Q']);
    const best = cal.trace.filter((t) => t.iteration === cal.bestIteration);
    const bestErr = Math.min(...cal.trace.slice(1).map((t) => t.error));
    expect(Math.min(...best.map((t) => t.error))).toBe(bestErr);
    // the trace is measured in the rotated domain with the regularised H; the RHT is orthogonal,
    // so the reconstruction measured in the original basis with that H gives the same number
    const hReg = regularizeHessian(p.h, p.n, 0.01);
    expect(relativeDataAwareError(p.w, cal.reconstruct(), p.m, p.n, hReg)).toBeCloseTo(bestErr, 4);
  });

  it('never returns a worse decomposition than its best iterate', () => {
    // rank 16 with 4-bit factors: each LR step re-quantises L·R and the later iterates drift
    // away from the first one, so the last iterate is clearly not the best
    for (const lrWarmStart of [false, true]) {
      const d = calderaDecompose(p.w, p.m, p.n, p.h, {
        rank: 16,
        iterations: 5,
        lplrRounds: 2,
        lrWarmStart,
      });
      const complete = d.trace.slice(1).map((t) => t.error);
      const bestErr = Math.min(...complete);
      if (!lrWarmStart) expect(complete[complete.length - 1]!).toBeGreaterThan(1.1 * bestErr);
      const hReg = regularizeHessian(p.h, p.n, 0.01);
      const got = relativeDataAwareError(p.w, d.reconstruct(), p.m, p.n, hReg);
      expect(got).toBeCloseTo(bestErr, 4);
      expect(got).toBeLessThanOrEqual(complete[complete.length - 1]! + 1e-4);
    }
  });

  it('warm-starts the LR step from the previous iterate when asked', () => {
    const opts = { rank: 8, iterations: 3, lplrRounds: 2 } as const;
    const warm = calderaDecompose(p.w, p.m, p.n, p.h, { ...opts, lrWarmStart: true });
    const cold = calderaDecompose(p.w, p.m, p.n, p.h, { ...opts, lrWarmStart: false });
    // the first iteration is identical (nothing to warm-start from), later LR steps differ
    expect(warm.trace.slice(0, 2)).toEqual(cold.trace.slice(0, 2));
    expect(warm.trace[2]!.error).not.toBe(cold.trace[2]!.error);
    expect(warm.options.lrWarmStart).toBe(true);
    expect(warm.dataAwareError).toBeLessThan(1.05 * cold.dataAwareError);
  });

  it('counts bits honestly', () => {
    const { q, l, r, side } = cal.bits;
    expect(cal.bitsPerParameter).toBeCloseTo((q + l + r + side) / (p.m * p.n), 12);
    // 2 bits of Q codes + 4 bits per factor entry, plus headers/scales/signs
    const nominal = 2 + (8 * (p.m + p.n) * 4) / (p.m * p.n);
    expect(cal.bitsPerParameter).toBeGreaterThan(nominal);
    expect(cal.bitsPerParameter).toBeLessThan(nominal + 0.15);
    // every blob is counted whole (header + scales + codes), signs at 1 bit, g at 32 bits
    const blob = (s: typeof cal.q) => (s?.kind === 'quantized' ? 8 * packedSize(s.q) : Number.NaN);
    expect([q, l, r]).toEqual([blob(cal.q), blob(cal.l), blob(cal.r)]);
    expect(side).toBe(32 + 64 + 128);
    expect(cal.formatVersion).toBe(1);
    expect(cal.options).toMatchObject({
      rank: 8,
      iterations: 3,
      lplrRounds: 4,
      rht: true,
      seed: 42,
    });
  });
});

describe('calderaDecompose options', () => {
  const small = plantedProblem(32, 64, 4, 2);

  it('pads dimensions with no K·2^j factorisation and crops on output', () => {
    const q = plantedProblem(50, 100, 4, 3);
    const d = calderaDecompose(q.w, q.m, q.n, q.h, { rank: 4, ...FAST });
    expect([d.rotation.mp, d.rotation.np]).toEqual([52, 104]);
    expect(d.reconstruct().length).toBe(50 * 100);
    expect(d.dataAwareError).toBeLessThan(0.2);
    const plain = calderaDecompose(q.w, q.m, q.n, q.h, { rank: 4, ...FAST, rht: false });
    expect(plain.rotation.mp).toBe(50);
    expect(plain.dataAwareError).toBeLessThan(0.25);
  });

  it('supports float and uniform factors, uniform Q, randomized SVD and the downdate', () => {
    const base = { rank: 4, iterations: 2, lplrRounds: 3 };
    const e4 = calderaDecompose(small.w, 32, 64, small.h, base);
    const f16 = calderaDecompose(small.w, 32, 64, small.h, {
      ...base,
      lrQuantizer: { family: 'float' },
    });
    expect(f16.l?.kind).toBe('float16');
    expect(f16.dataAwareError).toBeLessThan(e4.dataAwareError);
    const uni = calderaDecompose(small.w, 32, 64, small.h, {
      ...base,
      qQuantizer: { family: 'uniform', bits: 4 },
      lrQuantizer: { family: 'uniform', bits: 8 },
    });
    expect(uni.q?.kind === 'quantized' && uni.q.q.family).toBe('uniform');
    expect(uni.dataAwareError).toBeLessThan(e4.dataAwareError);
    for (const o of [{ svd: 'randomized' as const }, { downdate: true }]) {
      const d = calderaDecompose(small.w, 32, 64, small.h, { ...base, ...o });
      expect(d.dataAwareError).toBeGreaterThan(0);
      expect(d.dataAwareError).toBeLessThan(0.3);
    }
  });

  it('reports progress per iteration and honours an AbortSignal', () => {
    const events: ProgressEventLike[] = [];
    calderaDecompose(small.w, 32, 64, small.h, {
      rank: 2,
      iterations: 2,
      lplrRounds: 1,
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => e.type)).toEqual(['start', 'progress', 'progress', 'done']);
    const ac = new AbortController();
    ac.abort();
    expect(() =>
      calderaDecompose(small.w, 32, 64, small.h, { rank: 2, signal: ac.signal }),
    ).toThrowError(expect.objectContaining({ code: 'ABORTED' }));
  });
});

describe('degenerate input', () => {
  it('an all-zero W reconstructs exactly to zero; tiny and odd shapes work', () => {
    const { h } = plantedProblem(8, 32, 1, 6);
    const z = calderaDecompose(new Float32Array(16 * 32), 16, 32, h, {
      rank: 2,
      iterations: 1,
      lplrRounds: 1,
    });
    expect(z.dataAwareError).toBe(0);
    expect(z.reconstruct().every((x) => x === 0)).toBe(true);
    const t = plantedProblem(3, 5, 1, 6);
    const d = calderaDecompose(t.w, 3, 5, t.h, { rank: 2, iterations: 2, lplrRounds: 2 });
    expect([d.rotation.mp, d.rotation.np]).toEqual([4, 8]);
    expect(d.dataAwareError).toBeLessThan(0.2);
  });
});

describe('bad input', () => {
  const { w, h } = plantedProblem(16, 32, 2, 4);
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return isCalderaError(e) ? e.code : `not a CalderaError: ${String(e)}`;
    }
    return 'no error';
  };

  it('gives CalderaError codes', () => {
    expect(code(() => calderaDecompose(w, 16, 31, h))).toBe('SHAPE_MISMATCH');
    expect(code(() => calderaDecompose(w, 16, 32, h.subarray(1)))).toBe('SHAPE_MISMATCH');
    const wn = Float32Array.from(w);
    wn[5] = Number.NaN;
    expect(code(() => calderaDecompose(wn, 16, 32, h))).toBe('NON_FINITE_INPUT');
    const hi = Float64Array.from(h);
    hi[40] = Number.POSITIVE_INFINITY;
    expect(code(() => calderaDecompose(w, 16, 32, hi))).toBe('NON_FINITE_INPUT');
    expect(code(() => calderaDecompose(w, 16, 32, h, { rank: 17 }))).toBe('RANK_TOO_LARGE');
    const ha = Float64Array.from(h);
    ha[1] = (ha[1] ?? 0) + 1;
    expect(code(() => calderaDecompose(w, 16, 32, ha))).toBe('HESSIAN_NOT_SYMMETRIC');
    expect(
      code(() => calderaDecompose(w, 16, 32, h, { qQuantizer: { family: 'e8p', bits: 5 as 2 } })),
    ).toBe('INVALID_OPTIONS');
    expect(code(() => decompose('whitened-svd', w, 16, 32, h, { rule: { rank: 40 } }))).toBe(
      'RANK_TOO_LARGE',
    );
    expect(code(() => decompose('rtn', w, 16, 32, ha))).toBe('HESSIAN_NOT_SYMMETRIC');
  });
});
