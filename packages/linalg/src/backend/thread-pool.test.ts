// The GEMM pool survives a failing plan: the error is a CalderaError, every thread has stopped
// before it is thrown, and the next product on the same pool is correct.
import { isCalderaError } from '@caldera/core';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randF32 } from '../../test/helpers';
import { sgemm } from '../blas/gemm';
import { sgemmRef } from '../blas/gemm-ref';
import { getWasmRuntime } from '../wasm/wasm-runtime';
import { setBackend } from './registry';
import { poolThreads, runOnPool, startThreads, stopThreads } from './thread-pool';

afterAll(async () => {
  await stopThreads();
  setBackend(undefined);
});

describe('GEMM thread pool', () => {
  it('turns a trapping plan into BACKEND_UNAVAILABLE and keeps working', async () => {
    const rt = getWasmRuntime();
    expect(rt).not.toBeNull();
    expect(await startThreads(2)).toBe(2);
    // C far outside the wasm memory: every thread traps on its first row panel.
    const outside = rt!.memory.buffer.byteLength + (1 << 20);
    const plan = {
      f64: 0,
      aBase: 0,
      bBase: 0,
      cBase: outside,
      mp: 64,
      np: 4,
      k: 16,
      ldcBytes: 4 * 32,
      overwrite: 1,
    };
    let code = '';
    try {
      runOnPool(plan);
    } catch (e) {
      code = isCalderaError(e) ? e.code : String(e);
    }
    expect(code).toBe('BACKEND_UNAVAILABLE');
    expect(poolThreads()).toBe(2);
    setBackend('wasm');
    const [m, n, k] = [300, 200, 150];
    const a = randF32(m * k, 1);
    const b = randF32(k * n, 2);
    const c = new Float32Array(m * n);
    const r = new Float32Array(m * n);
    sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c, n);
    sgemmRef('N', 'N', m, n, k, 1, a, k, b, n, 0, r, n);
    expect(maxAbsDiff(c, r)).toBeLessThan(1e-3);
  });
});
