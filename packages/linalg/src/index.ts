// The public API of @caldera/linalg.
export { jsBackend } from './backend/js-backend';
export {
  getBackend,
  getBackendByName,
  listBackends,
  registerBackend,
  setBackend,
} from './backend/registry';
export { poolThreads, startThreads, stopThreads } from './backend/thread-pool';
export type { GemmKernel, LinalgBackend } from './backend/types';
export { wasmBackend } from './backend/wasm-backend';
export { dgemmBlocked } from './blas/dgemm-blocked';
export { dgemm, sgemm } from './blas/gemm';
export { dgemmRef, sgemmRef } from './blas/gemm-ref';
export { dgemv, sgemv } from './blas/gemv';
export { GramAccumulator } from './blas/gram-accumulator';
export { sgemmBlocked } from './blas/sgemm-blocked';
export { dsyrk, ssyrk } from './blas/syrk';
export { dtrsm, strsm } from './blas/trsm';
export type { Diag, FloatArray, Side, Transpose, Uplo } from './blas/types';
export * from './decomp/index';
export { dpotrf, spotrf } from './factor/cholesky';
export {
  choleskyWithJitter,
  type JitterOptions,
  type JitterResult,
} from './factor/cholesky-jitter';
export { type BlockLdlResult, blockLdl, type LdlResult, ldl } from './factor/ldl';
export {
  type LstsqOptions,
  type LstsqResult,
  lstsq,
  type PinvOptions,
  pinv,
} from './factor/lstsq';
export { applyQ, applyQt, type PivotedQr, qrPivoted } from './factor/qr-pivoted';
export { choleskySolve, spdInverse, spdSolve } from './factor/spd-solve';
export * from './hadamard/index';
export { assembleModule, uleb, type WasmFunction } from './wasm/assembler';
