/**
 * E8P12 codewords split into magnitude and sign parts (two small tables instead of the 2 MiB
 * full codebook; the products themselves now use the packed integer table of
 * `kernels/e8p-packed-dot.ts`, and this split form stays as public API):
 *
 *   decode(c)[i] = ABS[(c >> 8)·8 + i] · SIGN[(c & 0xFF)·8 + i] + SHIFT[c & 0xFF]
 *
 * ABS is quant's 256 × 8 base table (odd-sum rows with the 8th coordinate pre-negated);
 * SIGN (256 × 8, ±1) and SHIFT (256, ±¼) are read off the decoder for the all-½ base row,
 * so they follow @caldera/quant's decode rules exactly (algorithms.md §6.1).
 */
import { E8P_BASE_TABLE, e8pDecodeOne } from '@caldera/quant';

/**
 * The split E8P12 tables.
 *
 * @example
 * ```ts
 * const { abs, sign, shift } = e8pSplitTables();
 * abs.length; // 2048
 * ```
 */
export interface E8pSplitTables {
  abs: Float32Array;
  sign: Float32Array;
  shift: Float32Array;
}

let cached: E8pSplitTables | undefined;

/**
 * Builds (once) and returns the split tables.
 *
 * @returns `{ abs, sign, shift }`
 * @example
 * ```ts
 * const t = e8pSplitTables();
 * const c = 0x0100; // decode(c)[7] = t.abs[8 + 7] * t.sign[7] + t.shift[0]
 * ```
 */
export function e8pSplitTables(): E8pSplitTables {
  if (cached) return cached;
  const abs = Float32Array.from(E8P_BASE_TABLE);
  const sign = new Float32Array(256 * 8);
  const shift = new Float32Array(256);
  const buf = new Float64Array(8);
  for (let s = 0; s < 256; s++) {
    // abs row 0 is all ½ (even sum, nothing pre-negated): decode = ±½ + shift
    e8pDecodeOne(s, buf);
    const sh = buf[0] === 0.75 || buf[0] === -0.25 ? 0.25 : -0.25;
    shift[s] = sh;
    for (let i = 0; i < 8; i++) sign[s * 8 + i] = buf[i]! - sh > 0 ? 1 : -1;
  }
  cached = { abs, sign, shift };
  return cached;
}
