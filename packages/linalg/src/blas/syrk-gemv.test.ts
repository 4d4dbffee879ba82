import { isCalderaError } from '@caldera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, maxAbsDiff, randF32, randF64 } from '../../test/helpers';
import { setBackend } from '../backend/registry';
import { gemmRefUnchecked } from './gemm-ref';
import { dgemv, sgemv } from './gemv';
import { GramAccumulator } from './gram-accumulator';
import { dsyrk, ssyrk } from './syrk';

afterAll(() => setBackend(undefined));

describe.each(BACKENDS)('syrk and Gram accumulator on backend %s', (backend) => {
  it.each([
    'N',
    'T',
  ] as const)('dsyrk/ssyrk trans %s: lower triangle = α·op(A)·op(A)ᵀ + β·C, upper untouched', (trans) => {
    setBackend(backend);
    // 300 > 2·128 recurses twice before the diagonal blocks
    for (const [n, k] of [
      [5, 3],
      [77, 40],
      [300, 37],
    ] as const) {
      const a = randF64(n * k, n + k);
      const c0 = randF64(n * n, n);
      const c = c0.slice();
      dsyrk(trans, n, k, 0.5, a, trans === 'N' ? k : n, 2, c, n);
      const ref = c0.slice();
      gemmRefUnchecked(
        trans,
        trans === 'N' ? 'T' : 'N',
        n,
        n,
        k,
        0.5,
        a,
        trans === 'N' ? k : n,
        0,
        a,
        trans === 'N' ? k : n,
        0,
        2,
        ref,
        n,
        0,
      );
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j <= i) expect(Math.abs(c[i * n + j]! - ref[i * n + j]!)).toBeLessThan(1e-12);
          else expect(c[i * n + j]).toBe(c0[i * n + j]);
        }
      }
      const cs = Float32Array.from(c0);
      ssyrk(trans, n, k, 0.5, Float32Array.from(a), trans === 'N' ? k : n, 2, cs, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++)
          expect(Math.abs(cs[i * n + j]! - ref[i * n + j]!)).toBeLessThan(1e-4);
    }
  });

  it('GramAccumulator: blocks add up to XᵀX / N, symmetric, float64', () => {
    setBackend(backend);
    const n = 24;
    const blocks = [randF32(10 * n, 1), randF32(37 * n, 2), randF32(1 * n, 3)];
    const acc = new GramAccumulator(n);
    for (const x of blocks) acc.add(x);
    expect(acc.count).toBe(48);
    const h = acc.finalize();
    const all = new Float64Array(48 * n);
    let o = 0;
    for (const x of blocks) {
      all.set(x, o);
      o += x.length;
    }
    const ref = new Float64Array(n * n);
    gemmRefUnchecked('T', 'N', n, n, 48, 1 / 48, all, n, 0, all, n, 0, 0, ref, n, 0);
    expect(maxAbsDiff(h, ref)).toBeLessThan(1e-13);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(h[i * n + j]).toBe(h[j * n + i]);
    acc.reset();
    expect(acc.count).toBe(0);
  });
});

describe('gemv and Gram errors', () => {
  it('sgemv/dgemv match the reference with increments and offsets', () => {
    const [m, n] = [13, 9];
    const a = randF64(m * (n + 2) + 1, 1);
    for (const trans of ['N', 'T'] as const) {
      const lx = trans === 'N' ? n : m;
      const ly = trans === 'N' ? m : n;
      const x = randF64(2 * lx + 1, 2);
      const y0 = randF64(3 * ly + 2, 3);
      const y = y0.slice();
      dgemv(trans, m, n, 1.5, a, n + 2, x, 2, -0.5, y, 3, 1, 1, 2);
      const xs = Float64Array.from({ length: lx }, (_, i) => x[1 + 2 * i]!);
      const yr = Float64Array.from({ length: ly }, (_, i) => y0[2 + 3 * i]!);
      gemmRefUnchecked(trans, 'N', ly, 1, lx, 1.5, a, n + 2, 1, xs, 1, 0, -0.5, yr, 1, 0);
      for (let i = 0; i < ly; i++) expect(Math.abs(y[2 + 3 * i]! - yr[i]!)).toBeLessThan(1e-12);
      expect(y[0]).toBe(y0[0]);
      const ys = Float32Array.from(y0);
      sgemv(
        trans,
        m,
        n,
        1.5,
        Float32Array.from(a),
        n + 2,
        Float32Array.from(x),
        2,
        -0.5,
        ys,
        3,
        1,
        1,
        2,
      );
      for (let i = 0; i < ly; i++) expect(Math.abs(ys[2 + 3 * i]! - yr[i]!)).toBeLessThan(1e-4);
    }
    expect(() =>
      dgemv(
        'N',
        2,
        2,
        1,
        new Float64Array(4),
        2,
        new Float64Array(1),
        1,
        0,
        new Float64Array(2),
        1,
      ),
    ).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });

  it('GramAccumulator rejects ragged blocks, NaN and empty finalize', () => {
    const acc = new GramAccumulator(3);
    const codeOf = (f: () => void) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return isCalderaError(e) ? e.code : 'other';
      }
    };
    expect(codeOf(() => acc.finalize())).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => acc.add(new Float32Array(4)))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => acc.add(new Float32Array([1, 2, Number.NaN])))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => new GramAccumulator(0))).toBe('SHAPE_MISMATCH');
  });
});
