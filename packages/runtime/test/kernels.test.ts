import { sgemmRef } from '@caldera/linalg';
import { describe, expect, it } from 'vitest';
import { causalAttention } from '../src/kernels/attention';
import { swiglu } from '../src/kernels/elementwise';
import { argmax, logSoftmax, logSumExp } from '../src/kernels/log-softmax';
import { matvecRows } from '../src/kernels/matvec';
import { rmsNorm } from '../src/kernels/rms-norm';
import { applyRope, buildRopeTable } from '../src/kernels/rope';

const seq = (n: number, f: (i: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(i));

describe('kernels', () => {
  it('rmsNorm normalises to unit RMS times the gain', () => {
    const x = Float32Array.of(3, 4, 0, 0, 1, 1);
    const y = new Float32Array(6);
    rmsNorm(x, Float32Array.of(1, 2, 3), 2, 3, 0, y);
    const inv = 1 / Math.sqrt(25 / 3);
    expect(y[0]).toBeCloseTo(3 * inv, 6);
    expect(y[1]).toBeCloseTo(8 * inv, 6);
    expect(y[4]).toBeCloseTo(2 * Math.sqrt(3 / 2), 6);
  });

  it('RoPE: half and interleaved rotate the same pairs up to a permutation, by pos·θ^(−2j/d)', () => {
    const hd = 8;
    const table = buildRopeTable(hd, 10, 100);
    const v = seq(hd, (i) => i + 1);
    const half = v.slice();
    applyRope(half, 1, 1, hd, 5, table, 'half');
    // interleaved layout of the same vector: pair j = (v[j], v[j + 4]) placed at (2j, 2j+1)
    const inter = new Float32Array(hd);
    for (let j = 0; j < 4; j++) {
      inter[2 * j] = v[j]!;
      inter[2 * j + 1] = v[j + 4]!;
    }
    applyRope(inter, 1, 1, hd, 5, table, 'interleaved');
    for (let j = 0; j < 4; j++) {
      const ang = 5 * 100 ** (-(2 * j) / hd);
      const a = v[j]!;
      const b = v[j + 4]!;
      expect(half[j]).toBeCloseTo(a * Math.cos(ang) - b * Math.sin(ang), 5);
      expect(half[j + 4]).toBeCloseTo(a * Math.sin(ang) + b * Math.cos(ang), 5);
      expect(inter[2 * j]).toBe(half[j]);
      expect(inter[2 * j + 1]).toBe(half[j + 4]);
    }
  });

  it('causal attention with GQA equals a direct softmax average', () => {
    const shape = { heads: 4, kvHeads: 2, headDim: 3 };
    const T = 5;
    const q = seq(T * 12, (i) => Math.sin(i));
    const k = seq(T * 6, (i) => Math.cos(0.7 * i));
    const v = seq(T * 6, (i) => Math.sin(0.3 * i + 1));
    const out = new Float32Array(T * 12);
    causalAttention(q, T, k, v, 0, shape, new Float64Array(T), out);
    const t = 3;
    const h = 3; // reads kv head 1
    const s = [0, 1, 2, 3].map((j) => {
      let d = 0;
      for (let e = 0; e < 3; e++) d += q[t * 12 + h * 3 + e]! * k[j * 6 + 3 + e]!;
      return Math.exp(d / Math.sqrt(3));
    });
    const z = s.reduce((a, b) => a + b, 0);
    for (let e = 0; e < 3; e++) {
      const want = s.reduce((acc, p, j) => acc + (p / z) * v[j * 6 + 3 + e]!, 0);
      expect(out[t * 12 + h * 3 + e]).toBeCloseTo(want, 6);
    }
    // decode of the last row alone (pos0 = 4) equals row 4 of the batched call
    const last = new Float32Array(12);
    causalAttention(q.subarray(4 * 12), 1, k, v, 4, shape, new Float64Array(T), last);
    expect(Array.from(last)).toEqual(Array.from(out.subarray(48, 60)));
  });

  it('matvecRows equals the reference GEMM, into a column slice too', () => {
    const w = seq(7 * 9, (i) => Math.sin(i));
    const x = seq(2 * 9, (i) => Math.cos(i));
    const ref = new Float32Array(14);
    sgemmRef('N', 'T', 2, 7, 9, 1, x, 9, w, 9, 0, ref, 7);
    const y = new Float32Array(2 * 10);
    matvecRows(w, 7, 9, x, 2, y, 10, 2);
    for (let r = 0; r < 2; r++)
      for (let i = 0; i < 7; i++) expect(y[r * 10 + 2 + i]).toBeCloseTo(ref[r * 7 + i]!, 5);
    expect(y[0]).toBe(0);
  });

  it('swiglu, log-softmax and argmax', () => {
    const o = new Float32Array(2);
    swiglu(Float32Array.of(1, -2), Float32Array.of(3, 4), 2, o);
    expect(o[0]).toBeCloseTo(3 / (1 + Math.exp(-1)), 6);
    expect(o[1]).toBeCloseTo((4 * -2) / (1 + Math.exp(2)), 6);
    const lp = new Float64Array(3);
    logSoftmax(Float32Array.of(1000, 1000, 0), 0, 3, lp);
    expect(lp[0]).toBeCloseTo(-Math.log(2), 12);
    expect(logSumExp(Float32Array.of(0, 0, 0, 0), 0, 4)).toBeCloseTo(Math.log(4), 12);
    expect(argmax(Float32Array.of(0, 5, 5, 1), 0, 4)).toBe(1);
  });
});
