import { CalderaError } from '../error';

/**
 * Checks that a kernel's output array can hold its input.
 *
 * @param kernel - the kernel's name, for the message
 * @param srcLength - input length
 * @param dstLength - output length
 * @throws CalderaError `INVALID_ARGUMENT` when `dstLength < srcLength`
 * @example
 * ```ts
 * checkOutputLength('float64ToFloat32', 4, 4); // ok
 * ```
 */
export function checkOutputLength(kernel: string, srcLength: number, dstLength: number): void {
  if (dstLength < srcLength) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${kernel}: output holds ${dstLength} elements but the input has ${srcLength}`,
      { details: { srcLength, dstLength } },
    );
  }
}
