import { CalderaError, describeValue } from '@caldera/core';

/**
 * Validates an 8-vector batch length and a scale.
 *
 * @param what - the caller's name, for the message
 * @param length - number of values
 * @param scale - the scale
 * @returns the number of 8-vectors
 * @throws CalderaError `INVALID_ARGUMENT` for a length not divisible by 8 or a bad scale
 * @example
 * ```ts
 * checkVectors('f', 16, 1); // 2
 * ```
 */
export function checkVectors(what: string, length: number, scale: number): number {
  if (length % 8 !== 0) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: length must be a multiple of 8, got ${describeValue(length)}`,
    );
  }
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: scale must be a positive finite number, got ${describeValue(scale)}`,
    );
  }
  return length / 8;
}
