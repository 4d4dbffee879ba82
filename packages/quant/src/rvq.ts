import { E8_ROOT_CODEBOOK, e8RootEncodeOne } from './e8-roots';
import { e8pDecodeOne } from './e8p-codebook';
import { e8pEncodeOne } from './e8p-encode';
import { checkVectors } from './validate';

/**
 * Two-stage residual vector quantisers built on E8P12 (algorithms.md §6.2, §6.3).
 *
 * - E8P12RVQ4B: `q1 = E8P(x)`, `q2 = E8P((x − q1)·3.45)`, value `q1 + q2/3.45`; code
 *   `(code1 << 16) | code2` (32 bits per 8 weights).
 * - E8P12RVQ3B: `q1 = E8P(x)`, `q2 = E8root((x − q1)·2.04)`, value `q1 + q2/2.04`; code
 *   `(code1 << 8) | code2` (24 bits per 8 weights).
 *
 * Encoder and decoder use the same residual scale constants, so decode(encode(x)) is always
 * the codeword the encoder chose (the reference's 3-bit mismatch, §11 item 10, cannot occur).
 */

/**
 * Residual scale of E8P12RVQ4B's second stage.
 *
 * @example
 * ```ts
 * const value = q1 + q2 / RVQ4B_RESID_SCALE;
 * ```
 */
export const RVQ4B_RESID_SCALE = 3.45;
/**
 * Residual scale of E8P12RVQ3B's second stage.
 *
 * @example
 * ```ts
 * const value = q1 + root / RVQ3B_RESID_SCALE;
 * ```
 */
export const RVQ3B_RESID_SCALE = 2.04;
/**
 * Normalisation RMS before E8P12 rounding (`opt_scale`, §6.1).
 *
 * @example
 * ```ts
 * const scale = rms / E8P12_OPT_SCALE;
 * ```
 */
export const E8P12_OPT_SCALE = 1.03;
/**
 * Normalisation RMS before E8P12RVQ4B rounding (§6.3).
 *
 * @example
 * ```ts
 * const scale = rms / RVQ4B_OPT_SCALE;
 * ```
 */
export const RVQ4B_OPT_SCALE = 1.03;
/**
 * Normalisation RMS before E8P12RVQ3B rounding (§6.2).
 *
 * @example
 * ```ts
 * const scale = rms / RVQ3B_OPT_SCALE;
 * ```
 */
export const RVQ3B_OPT_SCALE = 0.98;

const r = new Float64Array(8);
const q1 = new Float64Array(8);
const q2 = new Float64Array(8);

/**
 * Encodes one 8-vector with E8P12RVQ4B.
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @param invScale - multiplier applied to the inputs first (1 / scale; default 1)
 * @returns `(code1 << 16) | code2` as an unsigned 32-bit number
 * @example
 * ```ts
 * const c = rvq4EncodeOne(new Float64Array(8).fill(0.75), 0);
 * c >>> 16; // 0
 * ```
 */
export function rvq4EncodeOne(x: ArrayLike<number>, offset: number, invScale = 1): number {
  for (let i = 0; i < 8; i++) r[i] = x[offset + i]! * invScale;
  const c1 = e8pEncodeOne(r, 0);
  e8pDecodeOne(c1, q1);
  for (let i = 0; i < 8; i++) r[i] = (r[i]! - q1[i]!) * RVQ4B_RESID_SCALE;
  const c2 = e8pEncodeOne(r, 0);
  return ((c1 << 16) | c2) >>> 0;
}

/**
 * Encodes one 8-vector with E8P12RVQ3B.
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @param invScale - multiplier applied to the inputs first (1 / scale; default 1)
 * @returns `(code1 << 8) | code2` (24 bits)
 * @example
 * ```ts
 * rvq3EncodeOne(new Float64Array(8).fill(0.75), 0) >>> 8; // 0
 * ```
 */
export function rvq3EncodeOne(x: ArrayLike<number>, offset: number, invScale = 1): number {
  for (let i = 0; i < 8; i++) r[i] = x[offset + i]! * invScale;
  const c1 = e8pEncodeOne(r, 0);
  e8pDecodeOne(c1, q1);
  for (let i = 0; i < 8; i++) r[i] = (r[i]! - q1[i]!) * RVQ3B_RESID_SCALE;
  return (c1 << 8) | e8RootEncodeOne(r, 0);
}

/**
 * Decodes one E8P12RVQ4B code into 8 values (times `scale`).
 *
 * @param code - `(code1 << 16) | code2`
 * @param out - destination
 * @param offset - where to write (default 0)
 * @param scale - multiplier (default 1)
 * @example
 * ```ts
 * const v = new Float64Array(8);
 * rvq4DecodeOne(0x00000001, v); // 0.75 + 0.25 / 3.45 in every coordinate
 * ```
 */
export function rvq4DecodeOne(
  code: number,
  out: Float32Array | Float64Array,
  offset = 0,
  scale = 1,
): void {
  e8pDecodeOne(code >>> 16, q1);
  e8pDecodeOne(code & 0xffff, q2);
  for (let i = 0; i < 8; i++) {
    out[offset + i] = (q1[i]! + q2[i]! / RVQ4B_RESID_SCALE) * scale;
  }
}

/**
 * Decodes one E8P12RVQ3B code into 8 values (times `scale`).
 *
 * @param code - `(code1 << 8) | code2`
 * @param out - destination
 * @param offset - where to write (default 0)
 * @param scale - multiplier (default 1)
 * @example
 * ```ts
 * const v = new Float64Array(8);
 * rvq3DecodeOne(0x000100, v); // code1 = 1 (all 0.25) plus root 0 / 2.04
 * ```
 */
export function rvq3DecodeOne(
  code: number,
  out: Float32Array | Float64Array,
  offset = 0,
  scale = 1,
): void {
  e8pDecodeOne(code >>> 8, q1);
  const b2 = (code & 0xff) * 8;
  for (let i = 0; i < 8; i++) {
    out[offset + i] = (q1[i]! + E8_ROOT_CODEBOOK[b2 + i]! / RVQ3B_RESID_SCALE) * scale;
  }
}

/**
 * The residual-VQ variants.
 *
 * @example
 * ```ts
 * const v: RvqVariant = 'rvq4b';
 * ```
 */
export type RvqVariant = 'rvq3b' | 'rvq4b';

/**
 * Encodes many 8-vectors with E8P12RVQ3B or E8P12RVQ4B (values divided by `scale` first).
 *
 * @param variant - `'rvq3b'` or `'rvq4b'`
 * @param x - the values, a multiple of 8 long
 * @param scale - codebook scale (default 1)
 * @param out - optional destination, at least `x.length / 8` long
 * @returns one combined code per 8-vector
 * @throws CalderaError `INVALID_ARGUMENT` for a length not divisible by 8 or a bad scale
 * @example
 * ```ts
 * const codes = rvqEncode('rvq4b', new Float32Array(16), 1);
 * codes.length; // 2
 * ```
 */
export function rvqEncode(
  variant: RvqVariant,
  x: Float32Array | Float64Array,
  scale = 1,
  out?: Uint32Array,
): Uint32Array {
  const n = checkVectors('rvqEncode', x.length, scale);
  const codes = out ?? new Uint32Array(n);
  const inv = 1 / scale;
  if (variant === 'rvq4b') for (let k = 0; k < n; k++) codes[k] = rvq4EncodeOne(x, 8 * k, inv);
  else for (let k = 0; k < n; k++) codes[k] = rvq3EncodeOne(x, 8 * k, inv);
  return codes;
}

/**
 * Decodes many residual-VQ codes: `out[8k … 8k+7] = scale · value(codes[k])`.
 *
 * @param variant - `'rvq3b'` or `'rvq4b'`
 * @param codes - combined codes
 * @param scale - multiplier (default 1)
 * @param out - optional destination, at least `8 · codes.length` long
 * @returns the decoded values
 * @example
 * ```ts
 * rvqDecode('rvq4b', Uint32Array.of(0))[0]; // 0.75 + 0.75 / 3.45
 * ```
 */
export function rvqDecode(
  variant: RvqVariant,
  codes: Uint32Array,
  scale = 1,
  out?: Float32Array,
): Float32Array {
  const o = out ?? new Float32Array(codes.length * 8);
  const dec = variant === 'rvq4b' ? rvq4DecodeOne : rvq3DecodeOne;
  for (let k = 0; k < codes.length; k++) dec(codes[k]!, o, 8 * k, scale);
  return o;
}
