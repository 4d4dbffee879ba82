import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randF32 } from '../../test/helpers';
import { setBackend } from '../backend/registry';
import { poolThreads, startThreads, stopThreads } from '../backend/thread-pool';
import { dgemm, sgemm } from '../blas/gemm';
import { dgemmRef, sgemmRef } from '../blas/gemm-ref';
import { assembleModule, I32, sleb, uleb } from './assembler';
import { getWasmRuntime, kernelModuleBytes } from './wasm-runtime';

afterAll(async () => {
  await stopThreads();
  setBackend(undefined);
});

describe('wasm assembler and kernels', () => {
  it('encodes LEB128 as the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });

  it('assembles a valid module and the kernel module is deterministic and SIMD-valid', () => {
    const tiny = assembleModule(
      [{ name: 'seven', params: [], results: [I32], locals: [], body: [0x41, 7] }],
      false,
      2,
    );
    expect(WebAssembly.validate(tiny)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(tiny), { env: { memory } });
    expect((inst.exports.seven as () => number)()).toBe(7);
    const a = kernelModuleBytes(false);
    expect(kernelModuleBytes(false)).toEqual(a);
    expect(WebAssembly.validate(a)).toBe(true);
    expect(WebAssembly.validate(kernelModuleBytes(true))).toBe(true);
    expect(getWasmRuntime()).not.toBeNull();
  });

  it('grows its memory for large operands and still matches the reference', () => {
    setBackend('wasm');
    const [m, n, k] = [300, 260, 200];
    const a = randF32(m * k, 1);
    const b = randF32(k * n, 2);
    const c = new Float32Array(m * n);
    const r = new Float32Array(m * n);
    sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c, n);
    sgemmRef('N', 'N', m, n, k, 1, a, k, b, n, 0, r, n);
    expect(maxAbsDiff(c, r)).toBeLessThan(1e-4);
    expect(getWasmRuntime()!.memory.buffer.byteLength).toBeGreaterThan(4 * (m * k + k * n + m * n));
  });

  it('overwrites the C buffer on the first k block and adds β·C on the way back', async () => {
    setBackend('wasm');
    // k = 600 spans three k blocks (first one overwrites, the others accumulate); the wasm
    // buffer is dirtied with NaN first, so a missing overwrite would show
    const rt = getWasmRuntime()!;
    new Float32Array(rt.memory.buffer).fill(Number.NaN);
    const [m, n, k] = [70, 100, 600];
    for (const threads of [1, 2]) {
      expect(await startThreads(threads)).toBe(threads);
      for (const beta of [0, 1, -0.5]) {
        const a = randF32(m * k, 11);
        const b = randF32(k * n, 12);
        const c = randF32(m * n, 13);
        const r = c.slice();
        sgemm('N', 'N', m, n, k, 1, a, k, b, n, beta, c, n);
        sgemmRef('N', 'N', m, n, k, 1, a, k, b, n, beta, r, n);
        expect(maxAbsDiff(c, r)).toBeLessThan(5e-4);
        const cd = Float64Array.from(c);
        const rd = cd.slice();
        const ad = Float64Array.from(a);
        const bd = Float64Array.from(b);
        dgemm('T', 'N', m, n, k, 0.5, ad, m, bd, n, beta, cd, n);
        dgemmRef('T', 'N', m, n, k, 0.5, ad, m, bd, n, beta, rd, n);
        expect(maxAbsDiff(cd, rd)).toBeLessThan(1e-11);
      }
    }
    await stopThreads();
  });

  it('runs GEMM on two threads with the same result as one', async () => {
    setBackend('wasm');
    expect(await startThreads(2)).toBe(2);
    expect(poolThreads()).toBe(2);
    const [m, n, k] = [203, 150, 90];
    for (const [ta, tb] of [
      ['N', 'N'],
      ['T', 'T'],
    ] as const) {
      const a = randF32(m * k, 3);
      const b = randF32(k * n, 4);
      const c = randF32(m * n, 5);
      const r = c.slice();
      sgemm(ta, tb, m, n, k, 0.5, a, ta === 'N' ? k : m, b, tb === 'N' ? n : k, 1, c, n);
      sgemmRef(ta, tb, m, n, k, 0.5, a, ta === 'N' ? k : m, b, tb === 'N' ? n : k, 1, r, n);
      expect(maxAbsDiff(c, r)).toBeLessThan(1e-4);
    }
    await stopThreads();
    expect(poolThreads()).toBe(1);
  });
});
