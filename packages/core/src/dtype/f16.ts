import { checkOutputLength } from './check-length';

let widenTable: Uint32Array | undefined;

/** float32 bit pattern of every float16 bit pattern, built once with bit operations. */
function float16WidenTable(): Uint32Array {
  if (widenTable) return widenTable;
  const t = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0x1f) {
      t[h] = (sign | 0x7f800000 | (m << 13)) >>> 0;
    } else if (e !== 0) {
      t[h] = (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
    } else if (m === 0) {
      t[h] = sign >>> 0;
    } else {
      let s = 0;
      while (((m << s) & 0x400) === 0) s++;
      t[h] = (sign | ((113 - s) << 23) | (((m << s) & 0x3ff) << 13)) >>> 0;
    }
  }
  widenTable = t;
  return t;
}

/**
 * Widens float16 values (given as their 16-bit patterns) to float32. Exact for every
 * pattern, NaN payloads and signed zeros included (a 65,536-entry table lookup).
 *
 * @param src - float16 bit patterns (little-endian host order, as read from a file)
 * @param dst - output, at least `src.length` long (allocated when omitted)
 * @returns `dst`
 * @throws CalderaError `INVALID_ARGUMENT` when `dst` is too short
 * @example
 * ```ts
 * float16BitsToFloat32(new Uint16Array([0x3c00, 0xc000])); // Float32Array [1, -2]
 * ```
 */
export function float16BitsToFloat32(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  checkOutputLength('float16BitsToFloat32', src.length, dst.length);
  const table = float16WidenTable();
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  const n = src.length;
  for (let i = 0; i < n; i++) out[i] = table[src[i]!]!;
  return dst;
}

/**
 * Narrows float32 values to float16 bit patterns with round-to-nearest-even: values beyond
 * the float16 range become ±infinity, tiny values become subnormals or signed zeros, NaNs
 * stay quiet NaNs with their sign and top payload bits.
 *
 * @param src - float32 values
 * @param dst - output bit patterns, at least `src.length` long (allocated when omitted)
 * @returns `dst`
 * @throws CalderaError `INVALID_ARGUMENT` when `dst` is too short
 * @example
 * ```ts
 * float32ToFloat16Bits(new Float32Array([1, 65520])); // Uint16Array [0x3c00, 0x7c00]
 * ```
 */
export function float32ToFloat16Bits(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  checkOutputLength('float32ToFloat16Bits', src.length, dst.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const a = x & 0x7fffffff;
    let h: number;
    if (a >= 0x477ff000) {
      // ≥ 65520 rounds to infinity; NaN keeps sign and payload top bits, made quiet.
      h = a > 0x7f800000 ? 0x7e00 | ((a >>> 13) & 0x3ff) : 0x7c00;
    } else if (a >= 0x38800000) {
      // Normal result: rebias the exponent (127 → 15) and round the 13 dropped bits.
      const r = a - 0x38000000;
      h = (r + 0xfff + ((r >>> 13) & 1)) >>> 13;
    } else if (a > 0x33000000) {
      // Subnormal result: n = round(|x| / 2^-24) from the 24-bit significand.
      const m = (a & 0x7fffff) | 0x800000;
      const shift = 126 - (a >>> 23);
      const half = 1 << (shift - 1);
      const rem = m & ((half << 1) - 1);
      h = m >>> shift;
      if (rem > half || (rem === half && (h & 1) === 1)) h++;
    } else {
      h = 0;
    }
    dst[i] = sign | h;
  }
  return dst;
}

const scalarIn = new Float32Array(1);
const scalarBits = new Uint16Array(1);

/**
 * Rounds one number to float16 (round-to-nearest-even through float32) and returns its bits.
 * For arrays use {@link float32ToFloat16Bits}.
 *
 * @param value - the number
 * @returns the float16 bit pattern
 * @example
 * ```ts
 * numberToFloat16Bits(1); // 0x3c00
 * ```
 */
export function numberToFloat16Bits(value: number): number {
  scalarIn[0] = value;
  return float32ToFloat16Bits(scalarIn, scalarBits)[0]!;
}

/**
 * The value of one float16 bit pattern.
 *
 * @param bits - the float16 bit pattern
 * @returns the number it encodes
 * @example
 * ```ts
 * float16ToNumber(0xc000); // -2
 * ```
 */
export function float16ToNumber(bits: number): number {
  return f32FromF16Bits(bits);
}

function f32FromF16Bits(bits: number): number {
  const u = new Uint32Array(scalarIn.buffer);
  u[0] = float16WidenTable()[bits & 0xffff]!;
  return scalarIn[0]!;
}
