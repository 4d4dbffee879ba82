/**
 * IEEE 754 binary16 conversions for stored scales (round to nearest, ties to even).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Converts a number to the bits of the nearest float16 (ties to even; overflow → ±∞;
 * NaN → a quiet NaN).
 *
 * @param value - the number (rounded to float32 first)
 * @returns the 16-bit pattern
 * @example
 * ```ts
 * toFloat16Bits(1); // 0x3c00
 * ```
 */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/**
 * Converts float16 bits to a number (exact).
 *
 * @param bits - the 16-bit pattern
 * @returns the value
 * @example
 * ```ts
 * fromFloat16Bits(0x3c00); // 1
 * ```
 */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >>> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Rounds a number to the nearest float16 value.
 *
 * @param value - the number
 * @returns the float16-representable value
 * @example
 * ```ts
 * roundToFloat16(0.1); // 0.0999755859375
 * ```
 */
export function roundToFloat16(value: number): number {
  return fromFloat16Bits(toFloat16Bits(value));
}
