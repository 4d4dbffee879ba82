import { checkOutputLength } from './check-length';

/**
 * Narrows float64 values to float32 with round-to-nearest-even (the rounding of
 * `Float32Array` stores, i.e. `Math.fround`).
 *
 * @param src - float64 values
 * @param dst - output, at least `src.length` long (allocated when omitted)
 * @returns `dst`
 * @throws CalderaError `INVALID_ARGUMENT` when `dst` is too short
 * @example
 * ```ts
 * float64ToFloat32(new Float64Array([0.1])); // Float32Array [0.10000000149011612]
 * ```
 */
export function float64ToFloat32(
  src: Float64Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  checkOutputLength('float64ToFloat32', src.length, dst.length);
  dst.set(src);
  return dst;
}
