// The solver's fast paths against their plain float64 references.
import { Rng } from '@caldera/core';
import { blockLdl } from '@caldera/linalg';
import { describe, expect, it } from 'vitest';
import { hessianNorm2, mul, mulF32 } from '../src/internal/dense';
import { hessianNorm2Fast, planHessianNorm } from '../src/internal/hessian-norm';
import {
  calderaDecompose,
  fitLowRank,
  type LdlCache,
  type LowRankFit,
  LPLR_FLOAT32_MIN_WORK,
  ldlqBlockSize,
  quantizeResidual,
  regularizeHessian,
  relativeDataAwareError,
  ridgeInverse,
  ridgeSolve,
} from './imports';
import { plantedProblem } from './synthetic';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const gaussian = (len: number, seed: number): Float64Array => {
  const rng = new Rng(seed);
  return new Float64Array(len).map(() => rng.nextGaussian());
};

describe('hessianNorm2Fast (‖Δ·C‖² in float32 products) against hessianNorm2 (float64)', () => {
  // n = 300: one full 256-column block and a partial one
  const p = plantedProblem(48, 300, 4, 11);
  const h = regularizeHessian(p.h, p.n, 0.01);
  const plan = planHessianNorm(h, p.n);

  it('agrees to ~1e-6 relative on weights and on small residuals', () => {
    expect(plan.ct).not.toBeNull();
    const w = Float64Array.from(p.w);
    expect(rel(hessianNorm2Fast(plan, w, p.m), hessianNorm2(w, p.m, p.n, h))).toBeLessThan(1e-5);
    const d = gaussian(p.m * p.n, 3).map((v) => 1e-3 * v);
    expect(rel(hessianNorm2Fast(plan, d, p.m), hessianNorm2(d, p.m, p.n, h))).toBeLessThan(1e-5);
    expect(hessianNorm2Fast(plan, new Float64Array(p.m * p.n), p.m)).toBe(0);
  });

  it('falls back to the float64 reference when H has no Cholesky factor', () => {
    const singular = new Float64Array(16); // 4×4 zero matrix
    const fallback = planHessianNorm(singular, 4);
    expect(fallback.ct).toBeNull();
    const d = gaussian(8, 5);
    expect(hessianNorm2Fast(fallback, d, 2)).toBe(hessianNorm2(d, 2, 4, singular));
  });
});

describe('float32 products and the inverse-based solve', () => {
  it('mulF32 matches mul to float32 rounding', () => {
    const a = gaussian(37 * 90, 1);
    const b = gaussian(90 * 21, 2);
    const ref = mul('N', 'N', 37, 21, 90, a, b);
    const got = mulF32('N', 'N', 37, 21, 90, a, b);
    let err = 0;
    let nrm = 0;
    for (let i = 0; i < ref.length; i++) {
      err = Math.max(err, Math.abs(got[i]! - ref[i]!));
      nrm = Math.max(nrm, Math.abs(ref[i]!));
    }
    expect(err / nrm).toBeLessThan(1e-5);
    expect(err).toBeGreaterThan(0); // really float32
  });

  it('ridgeInverse·B equals ridgeSolve, also on a singular system', () => {
    const k = 12;
    const g = gaussian(k * 30, 4);
    const s = mul('N', 'T', k, k, 30, g, g);
    const b = gaussian(k * 7, 5);
    const ref = ridgeSolve(s, k, b, 7);
    const got = mul('N', 'N', k, 7, k, ridgeInverse(s, k), b);
    for (let i = 0; i < ref.length; i++) expect(got[i]!).toBeCloseTo(ref[i]!, 9);
    const one = new Float64Array([1, 1, 1, 1]);
    const x = mul('N', 'N', 2, 1, 2, ridgeInverse(one, 2), new Float64Array([2, 2]));
    const y = ridgeSolve(one, 2, new Float64Array([2, 2]), 1);
    expect(x[0]! + x[1]!).toBeCloseTo(y[0]! + y[1]!, 6);
  });
});

describe('LPLR in float32 against float64', () => {
  const p = plantedProblem(96, 256, 8, 12);
  const a = Float64Array.from(p.w);
  const h = regularizeHessian(p.h, p.n, 0.01);
  const k = 12;
  const spec = { family: 'e8p', bits: 4 } as const;
  const werr = (f: LowRankFit): number => {
    const d = mul('N', 'N', p.m, p.n, k, f.l, f.r).map((v, i) => a[i]! - v);
    return hessianNorm2(d, p.m, p.n, h);
  };

  it('fits as well (within 2%) from the closed form and from a warm start', () => {
    const args = [a, p.m, p.n, h, k, spec, 6, 'exact'] as const;
    const f64 = fitLowRank(...args, new Rng(1));
    const f32 = fitLowRank(...args, new Rng(1), null, { precision: 'float32' });
    expect(rel(werr(f32), werr(f64))).toBeLessThan(0.02);
    const direct = fitLowRank(a, p.m, p.n, h, k, spec, 0, 'exact', new Rng(1));
    expect(werr(f32)).toBeLessThan(werr(direct));
    const w64 = fitLowRank(...args, new Rng(1), f64.r);
    const w32 = fitLowRank(...args, new Rng(1), f64.r, { precision: 'float32' });
    expect(rel(werr(w32), werr(w64))).toBeLessThan(0.02);
    // deterministic
    const again = fitLowRank(...args, new Rng(1), f64.r, { precision: 'float32' });
    expect(again.r).toEqual(w32.r);
  });

  it('float factors (closed form) do not depend on the precision', () => {
    const fl = { family: 'float' } as const;
    const x = fitLowRank(a, p.m, p.n, h, k, fl, 4, 'exact', new Rng(1));
    const y = fitLowRank(a, p.m, p.n, h, k, fl, 4, 'exact', new Rng(1), null, {
      precision: 'float32',
    });
    expect(y.r).toEqual(x.r);
  });
});

describe('Q step: cached block LDL and the loss from LDLQ', () => {
  const p = plantedProblem(40, 64, 4, 13);
  const b = Float64Array.from(p.w);
  const h = regularizeHessian(p.h, p.n, 0.01);
  const e8 = { family: 'e8p', bits: 2 } as const;
  const uni = { family: 'uniform', bits: 4 } as const;
  const q = (spec: typeof e8 | typeof uni, cache?: LdlCache, hh = h, n = p.n, bb = b) =>
    quantizeResidual(bb, p.m, n, hh, null, 0, spec, false, 0.01, 4, undefined, cache);

  it('reuses the factorisation with bit-identical results', () => {
    for (const spec of [e8, uni]) {
      const cache: LdlCache = {};
      const plain = q(spec);
      const first = q(spec, cache);
      const ldl = cache.ldl;
      expect(ldl?.l).toEqual(blockLdl(h, p.n, ldlqBlockSize(spec)).l);
      const second = q(spec, cache);
      expect(cache.ldl).toBe(ldl); // not recomputed
      expect(first.values).toEqual(plain.values);
      expect(second.values).toEqual(plain.values);
      expect(second.stored).toEqual(plain.stored);
      // another H is factored again
      const h2 = h.map((v, i) => (i % (p.n + 1) === 0 ? v + 0.5 : v));
      q(spec, cache, h2);
      expect(cache.ldl).not.toBe(ldl);
      expect(cache.h).toBe(h2);
    }
  });

  it('reports tr((B − Q)·H·(B − Q)ᵀ) as computed in float64', () => {
    for (const spec of [e8, uni]) {
      const r = q(spec, {});
      const d = b.map((v, i) => v - r.values[i]!);
      expect(r.loss).toBeGreaterThan(0);
      expect(rel(r.loss!, hessianNorm2(d, p.m, p.n, h))).toBeLessThan(1e-6);
    }
    // padded columns (E8 with n = 60) and the downdated H give no loss
    const n = 60;
    const hs = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) hs[i * n + j] = h[i * p.n + j]!;
    const bs = new Float64Array(p.m * n);
    for (let i = 0; i < p.m; i++) for (let j = 0; j < n; j++) bs[i * n + j] = b[i * p.n + j]!;
    expect(q(e8, {}, hs, n, bs).loss).toBeUndefined();
    const r = new Float64Array(2 * p.n).map((_, i) => Math.sin(i));
    const dd = quantizeResidual(b, p.m, p.n, h, r, 2, e8, true, 0.01, 2);
    expect(dd.loss).toBeUndefined();
  });
});

describe('the solver trace with the fast error measurements', () => {
  const p = plantedProblem(64, 128, 8, 14);
  const hReg = regularizeHessian(p.h, p.n, 0.01);
  const measured = (order: ('LR' | 'Q')[], q = p, rank = 8) => {
    const d = calderaDecompose(q.w, q.m, q.n, q.h, {
      rank,
      iterations: 1,
      lplrRounds: 3,
      order,
    });
    const hq = q === p ? hReg : regularizeHessian(q.h, q.n, 0.01);
    // one iteration: the returned iterate is the state after the last step
    return {
      trace: d.trace[d.trace.length - 1]!.error,
      exact: relativeDataAwareError(q.w, d.reconstruct(), q.m, q.n, hq),
    };
  };

  it('after a Q step (LDLQ loss) and after an LR step (‖Δ·C‖²) equals the float64 error', () => {
    const afterQ = measured(['LR', 'Q']);
    expect(rel(afterQ.trace, afterQ.exact)).toBeLessThan(1e-4);
    const afterLR = measured(['Q', 'LR']);
    expect(rel(afterLR.trace, afterLR.exact)).toBeLessThan(1e-4);
  });

  it('also with the float32 LPLR products (m·n·k at the threshold)', () => {
    const big = plantedProblem(512, 256, 16, 15);
    expect(512 * 256 * 128).toBe(LPLR_FLOAT32_MIN_WORK);
    const r = measured(['Q', 'LR'], big, 128);
    expect(rel(r.trace, r.exact)).toBeLessThan(1e-4);
    expect(r.exact).toBeLessThan(0.2);
  });
});
