export { throwIfAborted } from './abort';
export type { CoreErrorCode } from './codes/core-codes';
export type { IoErrorCode } from './codes/io-codes';
export type { LinalgErrorCode } from './codes/linalg-codes';
export type { QuantErrorCode } from './codes/quant-codes';
export type { RuntimeErrorCode } from './codes/runtime-codes';
export type { SolverErrorCode } from './codes/solver-codes';
export {
  CalderaError,
  type CalderaErrorCode,
  type CalderaErrorOptions,
  describeValue,
  isCalderaError,
} from './error';
export type { LongRunningOptions, ProgressCallback, ProgressEvent } from './progress';
export { Rng } from './rng';
