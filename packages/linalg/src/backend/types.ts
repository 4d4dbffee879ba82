/**
 * The interface every compute backend implements. Kernels here take unchecked arguments: the
 * public routines (`sgemm`, `dgemm`, …) validate once and then dispatch to the active backend.
 */
import type { Transpose } from '../blas/types';

/**
 * An unchecked GEMM kernel `C ← α·op(A)·op(B) + β·C` on row-major strided views.
 *
 * @example
 * ```ts
 * const k: GemmKernel<Float32Array> = sgemmBlocked;
 * ```
 */
export type GemmKernel<T extends Float32Array | Float64Array> = (
  transA: Transpose,
  transB: Transpose,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: T,
  lda: number,
  offA: number,
  b: T,
  ldb: number,
  offB: number,
  beta: number,
  c: T,
  ldc: number,
  offC: number,
) => void;

/**
 * A compute backend: a name, an availability probe and its kernels. All backends give the same
 * results within the tolerances documented on each routine.
 *
 * @example
 * ```ts
 * const backend: LinalgBackend = { name: 'mine', isAvailable: () => true, threads: () => 1, sgemm: sgemmBlocked, dgemm: dgemmBlocked };
 * ```
 */
export interface LinalgBackend {
  /** The registry name (`'js'`, `'wasm'`, …). */
  readonly name: string;
  /** Whether the backend can run here (e.g. WebAssembly SIMD is supported). Cheap after the first call. */
  isAvailable(): boolean;
  /** Worker threads the backend uses for GEMM (1 when single-threaded). */
  threads(): number;
  /** Single-precision GEMM. */
  sgemm: GemmKernel<Float32Array>;
  /** Double-precision GEMM. */
  dgemm: GemmKernel<Float64Array>;
}
