/**
 * Plain, arithmetic reference implementations of the binary floating-point formats that the
 * fast conversion kernels are tested against. They work on JavaScript numbers (doubles) and
 * bit patterns, one value at a time, straight from the IEEE 754 definition: a value with
 * `expBits` exponent bits and `mantBits` stored mantissa bits, bias `2^(expBits-1) - 1`,
 * subnormals at exponent field 0, infinities and NaNs at the all-ones exponent field.
 */

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return e;
}

/**
 * Decodes a bit pattern of a small binary float format into a number (reference).
 *
 * @param bits - the pattern, `1 + expBits + mantBits` bits wide
 * @param expBits - exponent width (5 for f16, 8 for bf16)
 * @param mantBits - stored mantissa width (10 for f16, 7 for bf16)
 * @returns the exact value (NaN for NaN patterns)
 * @example
 * ```ts
 * decodeFloatBitsRef(0x3c00, 5, 10); // 1
 * ```
 */
export function decodeFloatBitsRef(bits: number, expBits: number, mantBits: number): number {
  const sign = Math.floor(bits / 2 ** (expBits + mantBits)) % 2 === 1 ? -1 : 1;
  const expField = Math.floor(bits / 2 ** mantBits) % 2 ** expBits;
  const mant = bits % 2 ** mantBits;
  const bias = 2 ** (expBits - 1) - 1;
  if (expField === 2 ** expBits - 1)
    return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  if (expField === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  return sign * (1 + mant / 2 ** mantBits) * 2 ** (expField - bias);
}

/**
 * Encodes a non-NaN number into a small binary float format with round-to-nearest-even
 * (reference). Values beyond the largest finite value round to infinity as IEEE 754 says.
 *
 * @param value - any number except NaN
 * @param expBits - exponent width (5 for f16, 8 for bf16)
 * @param mantBits - stored mantissa width (10 for f16, 7 for bf16)
 * @returns the bit pattern
 * @example
 * ```ts
 * encodeFloatBitsRef(1, 5, 10); // 0x3c00
 * ```
 */
export function encodeFloatBitsRef(value: number, expBits: number, mantBits: number): number {
  const signBit = value < 0 || Object.is(value, -0) ? 2 ** (expBits + mantBits) : 0;
  const a = Math.abs(value);
  const bias = 2 ** (expBits - 1) - 1;
  const emin = 1 - bias;
  const infBits = signBit + (2 ** expBits - 1) * 2 ** mantBits;
  if (a === Number.POSITIVE_INFINITY) return infBits;
  if (a === 0) return signBit;
  const e = Math.max(floorLog2(a), emin);
  const quantum = 2 ** (e - mantBits);
  const rounded = roundHalfEven(a / quantum) * quantum;
  if (rounded >= 2 ** (bias + 1)) return infBits;
  if (rounded < 2 ** emin) return signBit + rounded / 2 ** (emin - mantBits);
  const e2 = floorLog2(rounded);
  const mant = (rounded / 2 ** e2 - 1) * 2 ** mantBits;
  return signBit + (e2 + bias) * 2 ** mantBits + mant;
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * The float32 value of a 32-bit pattern (reference helper).
 *
 * @param bits - an unsigned 32-bit pattern
 * @returns its float32 value as a number (NaN payloads are not kept)
 * @example
 * ```ts
 * float32FromBitsRef(0x3f800000); // 1
 * ```
 */
export function float32FromBitsRef(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0]!;
}

/**
 * Narrows one float32 bit pattern to float16 bits (reference): round-to-nearest-even,
 * overflow to infinity, NaN kept as a quiet NaN with its sign and top payload bits.
 *
 * @param bits - an unsigned 32-bit float32 pattern
 * @returns the float16 pattern
 * @example
 * ```ts
 * float32BitsToFloat16BitsRef(0x3f800000); // 0x3c00
 * ```
 */
export function float32BitsToFloat16BitsRef(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) {
    return ((bits >>> 16) & 0x8000) | 0x7e00 | ((bits >>> 13) & 0x3ff);
  }
  return encodeFloatBitsRef(float32FromBitsRef(bits), 5, 10);
}

/**
 * Narrows one float32 bit pattern to bfloat16 bits (reference): round-to-nearest-even,
 * NaN kept as a quiet NaN with its sign and top payload bits.
 *
 * @param bits - an unsigned 32-bit float32 pattern
 * @returns the bfloat16 pattern
 * @example
 * ```ts
 * float32BitsToBfloat16BitsRef(0x3f800000); // 0x3f80
 * ```
 */
export function float32BitsToBfloat16BitsRef(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40;
  return encodeFloatBitsRef(float32FromBitsRef(bits), 8, 7);
}
