import { checkOutputLength } from './check-length';

/**
 * Widens bfloat16 values (given as their 16-bit patterns) to float32: exact, a shift of the
 * pattern into the top half of the float32 pattern.
 *
 * @param src - bfloat16 bit patterns (little-endian host order, as read from a file)
 * @param dst - output, at least `src.length` long (allocated when omitted)
 * @returns `dst`
 * @throws CalderaError `INVALID_ARGUMENT` when `dst` is too short
 * @example
 * ```ts
 * bfloat16BitsToFloat32(new Uint16Array([0x3f80, 0xc000])); // Float32Array [1, -2]
 * ```
 */
export function bfloat16BitsToFloat32(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  checkOutputLength('bfloat16BitsToFloat32', src.length, dst.length);
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) out[i] = src[i]! << 16;
  return dst;
}

/**
 * Narrows float32 values to bfloat16 bit patterns with round-to-nearest-even (overflow goes
 * to ±infinity); NaNs stay quiet NaNs with their sign and top payload bits.
 *
 * @param src - float32 values
 * @param dst - output bit patterns, at least `src.length` long (allocated when omitted)
 * @returns `dst`
 * @throws CalderaError `INVALID_ARGUMENT` when `dst` is too short
 * @example
 * ```ts
 * float32ToBfloat16Bits(new Float32Array([1, -2])); // Uint16Array [0x3f80, 0xc000]
 * ```
 */
export function float32ToBfloat16Bits(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  checkOutputLength('float32ToBfloat16Bits', src.length, dst.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const x = bits[i]!;
    dst[i] =
      (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return dst;
}
