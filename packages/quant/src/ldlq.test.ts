import { Rng } from '@caldera/core';
import { blockLdl } from '@caldera/linalg';
import { describe, expect, it } from 'vitest';
import { type E8QuantizerName, e8Dequantize, e8Quantize } from './e8-matrix';
import { ldlqE8, ldlqUniform, weightedError } from './ldlq';
import { type BlockRounder, ldlqCore } from './ldlq-core';
import { uniformDequantize, uniformQuantize } from './uniform';

/** A random SPD H with strongly correlated inputs: XᵀX / s + λI, X rows AR(1). */
function randomHessian(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const s = 3 * n;
  const x = new Float64Array(s * n);
  for (let a = 0; a < s; a++) {
    let prev = 0;
    for (let j = 0; j < n; j++) {
      prev = 0.8 * prev + rng.nextGaussian() * (1 + (j % 5));
      x[a * n + j] = prev;
    }
  }
  const h = new Float64Array(n * n);
  for (let a = 0; a < s; a++) {
    for (let i = 0; i < n; i++) {
      const v = x[a * n + i]! / s;
      const xr = x.subarray(a * n, a * n + n);
      for (let j = 0; j < n; j++) h[i * n + j] = h[i * n + j]! + v * xr[j]!;
    }
  }
  for (let i = 0; i < n; i++) h[i * n + i] = h[i * n + i]! + 1e-2;
  return h;
}

function nondecreasing(xs: number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[i - 1]! * (1 + 1e-12) + 1e-12) return true;
  return false;
}

describe('LDLQ', () => {
  for (const [name, rows, cols] of [
    ['e8p12', 24, 64],
    ['e8p12rvq4b', 16, 48],
    ['e8p12rvq3b', 16, 40],
    ['e8p12', 10, 37], // columns not a multiple of 8: padded and unpadded
  ] as [E8QuantizerName, number, number][]) {
    it(`${name} ${rows}×${cols}: beats nearest rounding in tr(ΔHΔᵀ); sweeps never increase it`, () => {
      const h = randomHessian(cols, cols + rows);
      const w = new Rng(rows * cols).fillGaussian(new Float32Array(rows * cols));
      const res = ldlqE8(name, w, rows, cols, h, { tuneIters: 5 });
      const near = e8Dequantize(e8Quantize(name, w, rows, cols, res.quantized.scale));
      const eL = weightedError(w, res.dequantized, rows, cols, h);
      const eN = weightedError(w, near, rows, cols, h);
      expect(eL).toBeLessThan(eN);
      expect(res.lossHistory).toHaveLength(6);
      expect(nondecreasing(res.lossHistory)).toBe(false);
      // the tracked loss (normalised domain) equals the recomputed one; with padding it also
      // counts the padded coordinates, so it can only be larger
      const tracked = res.lossHistory[5]! * res.quantized.scale ** 2;
      if (cols % 8 === 0) expect(tracked).toBeCloseTo(eL, 3);
      else expect(tracked).toBeGreaterThanOrEqual(eL * (1 - 1e-9));
      // codes decode to exactly the returned values
      expect(e8Dequantize(res.quantized)).toEqual(res.dequantized);
    });
  }

  it('uniform 3-bit (block size 1): beats nearest rounding, monotone sweeps, codes consistent', () => {
    const rows = 20;
    const cols = 50;
    const h = randomHessian(cols, 3);
    const w = new Rng(4).fillGaussian(new Float32Array(rows * cols));
    const opts = { bits: 3, groupSize: 25, scheme: 'asymmetric' } as const;
    const res = ldlqUniform(w, rows, cols, h, opts, { tuneIters: 4 });
    const near = uniformDequantize(uniformQuantize(w, rows, cols, opts));
    expect(weightedError(w, res.dequantized, rows, cols, h)).toBeLessThan(
      weightedError(w, near, rows, cols, h),
    );
    expect(nondecreasing(res.lossHistory)).toBe(false);
    expect(uniformDequantize(res.quantized)).toEqual(res.dequantized);
  });

  it('fast tune paths (row skipping, wasm G updates) equal the plain sweeps exactly', () => {
    const rows = 67;
    const cols = 96;
    const h = randomHessian(cols, 11);
    const w = new Rng(12).fillGaussian(new Float32Array(rows * cols));
    const plain = ldlqE8('e8p12', w, rows, cols, h, {
      tuneIters: 8,
      wasm: false,
      skipUnchanged: false,
    });
    const fast = ldlqE8('e8p12', w, rows, cols, h, { tuneIters: 8 });
    expect(fast.lossHistory).toEqual(plain.lossHistory);
    expect(fast.quantized.codes).toEqual(plain.quantized.codes);
    expect(fast.dequantized).toEqual(plain.dequantized);
    const opts = { bits: 2, groupSize: 32 } as const;
    const uf = ldlqUniform(w, rows, cols, h, opts, { tuneIters: 6 });
    const up = ldlqUniform(w, rows, cols, h, opts, { tuneIters: 6, skipUnchanged: false });
    expect(uf.lossHistory).toEqual(up.lossHistory);
    expect(uf.quantized.codes).toEqual(up.quantized.codes);
  });

  it('2 threads (rows split with a helper thread) give bit-identical results to 1 thread', () => {
    const close = (a: number[], b: number[]): void => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-12 * b[i]!);
    };
    for (const [rows, cols, seed] of [
      [9, 40, 2], // too few rows: one thread
      [257, 72, 3],
      [1001, 133, 4],
      [4099, 64, 5],
    ] as const) {
      const h = randomHessian(cols, seed);
      const w = new Rng(seed + 100).fillGaussian(new Float32Array(rows * cols));
      const one = ldlqE8('e8p12', w, rows, cols, h, { tuneIters: 10, threads: 1 });
      const two = ldlqE8('e8p12', w, rows, cols, h, { tuneIters: 10, threads: 2 });
      // the helper really ran (it reports the caller's wait) wherever the split applies
      expect(two.timings.waitThreads !== undefined).toBe(rows >= 16);
      expect('helperUnavailable' in two.timings).toBe(false);
      expect(two.quantized.codes).toEqual(one.quantized.codes);
      expect(two.quantized.rows).toBe(rows);
      expect(two.dequantized).toEqual(one.dequantized);
      close(two.lossHistory, one.lossHistory);
    }
    // uniform (per-row groups and scales are joined too), with a shared block LDL
    const rows = 301;
    const cols = 48;
    const h = randomHessian(cols, 9);
    const w = new Rng(10).fillGaussian(new Float32Array(rows * cols));
    for (const opts of [
      { bits: 2, groupSize: 16 },
      { bits: 3, groupSize: 48, scheme: 'asymmetric' },
    ] as const) {
      const one = ldlqUniform(w, rows, cols, h, opts, { tuneIters: 4 });
      const two = ldlqUniform(w, rows, cols, h, opts, {
        tuneIters: 4,
        threads: 2,
        ldl: blockLdl(h, cols, 1),
      });
      // the helper did the second half (a wait was timed, no fallback to the caller)
      expect(two.timings.waitThreads).toBeGreaterThanOrEqual(0);
      expect('helperUnavailable' in two.timings).toBe(false);
      expect(two.quantized).toEqual(one.quantized);
      expect(two.dequantized).toEqual(one.dequantized);
      close(two.lossHistory, one.lossHistory);
    }
  });

  it("an abort in the caller's half stops the helper's half too", () => {
    const rows = 512;
    const cols = 64;
    const h = randomHessian(cols, 21);
    const w = new Rng(22).fillGaussian(new Float32Array(rows * cols));
    const ac = new AbortController();
    let calls = 0;
    const run = (): unknown =>
      ldlqE8('e8p12', w, rows, cols, h, {
        tuneIters: 10,
        threads: 2,
        signal: ac.signal,
        onProgress: () => {
          if (++calls === 3) ac.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ code: 'ABORTED' }));
    // the helper is free again afterwards
    const again = ldlqE8('e8p12', w, rows, cols, h, { tuneIters: 2, threads: 2 });
    expect(again.timings.waitThreads).toBeGreaterThanOrEqual(0);
    expect('helperUnavailable' in again.timings).toBe(false);
    expect(again.quantized.rows).toBe(rows);
  });

  it('ldlqCore on row slices with a shared block LDL equals the whole-matrix run', () => {
    const n = 32;
    const m = 12;
    const h = randomHessian(n, 11);
    const b = new Rng(12).fillGaussian(new Float64Array(m * n));
    const rounder: BlockRounder = {
      blockSize: 1,
      round(t, out, codes) {
        for (let r = 0; r < codes.length; r++) {
          const c = Math.max(-2, Math.min(2, Math.round(t[r]!)));
          out[r] = c;
          codes[r] = c + 2;
        }
      },
    };
    const whole = ldlqCore(b, m, n, h, rounder, { tuneIters: 3 });
    const ldl = blockLdl(h, n, 1);
    const top = ldlqCore(b.subarray(0, 5 * n), 5, n, h, rounder, { tuneIters: 3, ldl });
    const bottom = ldlqCore(b.subarray(5 * n), m - 5, n, h, rounder, { tuneIters: 3, ldl });
    expect(Array.from(whole.codes)).toEqual([...top.codes, ...bottom.codes]);
    expect(() => ldlqCore(b, m, n + 1, h, rounder)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('with H = I it reduces to nearest rounding', () => {
    const n = 16;
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) h[i * n + i] = 1;
    const w = new Rng(8).fillGaussian(new Float32Array(4 * n));
    const res = ldlqE8('e8p12', w, 4, n, h, { tuneIters: 2 });
    expect(Array.from(res.quantized.codes)).toEqual(
      Array.from(e8Quantize('e8p12', w, 4, n, res.quantized.scale).codes),
    );
  });

  it('rejects a wrongly sized H and honours abort', () => {
    const w = new Float32Array(16);
    expect(() => ldlqE8('e8p12', w, 2, 8, new Float64Array(10))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const ac = new AbortController();
    ac.abort();
    const h = new Float64Array(64);
    for (let i = 0; i < 8; i++) h[i * 8 + i] = 1;
    expect(() => ldlqE8('e8p12', w.fill(1), 2, 8, h, { signal: ac.signal })).toThrow(
      expect.objectContaining({ code: 'ABORTED' }),
    );
  });
});
