import { float16ToNumber, numberToFloat16Bits } from '@caldera/core';

/**
 * Scalar float16 helpers for scales and side data, named as the rest of @caldera/quant uses
 * them. The conversion itself is `@caldera/core`'s (round-to-nearest-even through float32).
 */

/**
 * The float16 bit pattern of a number.
 *
 * @param value - the number
 * @returns its float16 bits
 * @example
 * ```ts
 * toFloat16Bits(1); // 0x3c00
 * ```
 */
export function toFloat16Bits(value: number): number {
  return numberToFloat16Bits(value);
}

/**
 * The number a float16 bit pattern encodes.
 *
 * @param bits - float16 bits
 * @returns the value
 * @example
 * ```ts
 * fromFloat16Bits(0x3c00); // 1
 * ```
 */
export function fromFloat16Bits(bits: number): number {
  return float16ToNumber(bits);
}

/**
 * Rounds a number to the nearest float16 value.
 *
 * @param value - the number
 * @returns the float16 value as a number
 * @example
 * ```ts
 * roundToFloat16(0.1); // 0.0999755859375
 * ```
 */
export function roundToFloat16(value: number): number {
  return float16ToNumber(numberToFloat16Bits(value));
}
