export { throwIfAborted } from './abort';
export type { CoreErrorCode } from './codes/core-codes';
export type { IoErrorCode } from './codes/io-codes';
export type { LinalgErrorCode } from './codes/linalg-codes';
export type { QuantErrorCode } from './codes/quant-codes';
export type { RuntimeErrorCode } from './codes/runtime-codes';
export type { SolverErrorCode } from './codes/solver-codes';
export { bfloat16BitsToFloat32, float32ToBfloat16Bits } from './dtype/bf16';
export { checkOutputLength } from './dtype/check-length';
export {
  float16BitsToFloat32,
  float16ToNumber,
  float32ToFloat16Bits,
  numberToFloat16Bits,
} from './dtype/f16';
export { float64ToFloat32 } from './dtype/f64';
export {
  decodeFloatBitsRef,
  encodeFloatBitsRef,
  float32BitsToBfloat16BitsRef,
  float32BitsToFloat16BitsRef,
  float32FromBitsRef,
} from './dtype/reference';
export {
  CalderaError,
  type CalderaErrorCode,
  type CalderaErrorOptions,
  describeValue,
  isCalderaError,
} from './error';
export type { LongRunningOptions, ProgressCallback, ProgressEvent } from './progress';
export { Rng } from './rng';
export { type WorkerEntry, workerEntry } from './worker-entry';
