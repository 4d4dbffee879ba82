import type { CoreErrorCode } from './codes/core-codes';
import type { IoErrorCode } from './codes/io-codes';
import type { LinalgErrorCode } from './codes/linalg-codes';
import type { QuantErrorCode } from './codes/quant-codes';
import type { RuntimeErrorCode } from './codes/runtime-codes';
import type { SolverErrorCode } from './codes/solver-codes';

/**
 * Every error code of caldera-ts. Codes are stable strings: match on them, not on messages.
 *
 * @example
 * ```ts
 * const code: CalderaErrorCode = 'SHAPE_MISMATCH';
 * ```
 */
export type CalderaErrorCode =
  | CoreErrorCode
  | IoErrorCode
  | LinalgErrorCode
  | QuantErrorCode
  | RuntimeErrorCode
  | SolverErrorCode;

/**
 * Options of {@link CalderaError}.
 *
 * @example
 * ```ts
 * const options: CalderaErrorOptions = { cause: new Error('disk full'), details: { path: 'a.bin' } };
 * ```
 */
export interface CalderaErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Machine-readable context (the offending value, a path, a tensor name, …). */
  details?: Record<string, unknown>;
}

/**
 * The one error class of caldera-ts. `code` says what went wrong; the message names the
 * problem and the offending value; `cause` keeps the underlying error.
 *
 * @example
 * ```ts
 * try {
 *   throw new CalderaError('SHAPE_MISMATCH', 'gemm: a has 3 columns but b has 4 rows');
 * } catch (e) {
 *   if (isCalderaError(e, 'SHAPE_MISMATCH')) console.log(e.code); // 'SHAPE_MISMATCH'
 * }
 * ```
 */
export class CalderaError extends Error {
  /** The stable code of this error. */
  readonly code: CalderaErrorCode;
  /** Machine-readable context, if any. */
  readonly details: Record<string, unknown> | undefined;

  /**
   * @param code - the stable error code
   * @param message - a sentence that names the problem and the offending value
   * @param options - `cause` and `details`
   */
  constructor(code: CalderaErrorCode, message: string, options: CalderaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CalderaError';
    this.code = code;
    this.details = options.details;
  }
}

/**
 * Type guard for {@link CalderaError}, optionally of one code.
 *
 * @param error - anything caught
 * @param code - when given, the error must also have this code
 * @returns whether `error` is a `CalderaError` (with that code)
 * @example
 * ```ts
 * isCalderaError(new CalderaError('ABORTED', 'stopped'), 'ABORTED'); // true
 * isCalderaError(new Error('x')); // false
 * ```
 */
export function isCalderaError(error: unknown, code?: CalderaErrorCode): error is CalderaError {
  return error instanceof CalderaError && (code === undefined || error.code === code);
}

/**
 * Formats a value for an error message: short, single-line, never throws.
 *
 * @param value - the offending value
 * @returns a printable representation, at most 80 characters
 * @example
 * ```ts
 * describeValue('abc'); // '"abc"'
 * describeValue([1, 2]); // '[1,2]'
 * ```
 */
export function describeValue(value: unknown): string {
  let s: string;
  try {
    if (typeof value === 'bigint') s = `${value}n`;
    else if (typeof value === 'number' || value === undefined) s = String(value);
    else s = JSON.stringify(value) ?? String(value);
  } catch {
    s = Object.prototype.toString.call(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
