/**
 * The `wasm` backend: WebAssembly SIMD (f32x4 / f64x2) GEMM kernels generated at runtime,
 * optionally spread over worker threads ({@link startThreads}). Unavailable (and skipped by the
 * automatic choice) where WebAssembly SIMD does not validate.
 */
import { getWasmRuntime } from '../wasm/wasm-runtime';
import { poolThreads } from './thread-pool';
import type { LinalgBackend } from './types';
import { dgemmWasm, sgemmWasm } from './wasm-gemm';

/**
 * The WebAssembly SIMD backend.
 *
 * @example
 * ```ts
 * if (wasmBackend.isAvailable()) setBackend('wasm');
 * ```
 */
export const wasmBackend: LinalgBackend = {
  name: 'wasm',
  isAvailable: () => getWasmRuntime() !== null,
  threads: () => poolThreads(),
  sgemm: sgemmWasm,
  dgemm: dgemmWasm,
};
