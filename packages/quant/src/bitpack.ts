import { CalderaError, describeValue } from '@caldera/core';

/**
 * Bit packing of b-bit codes into a little-endian, LSB-first bit stream: code k occupies
 * stream bits [k·b, (k+1)·b), its least significant bit first; stream bit j is bit (j mod 8)
 * of byte ⌊j/8⌋. The last byte is zero-padded. Byte length = ⌈count·b / 8⌉.
 */

function checkBits(what: string, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new CalderaError(
      'UNSUPPORTED_BITS',
      `${what}: bits must be an integer in 1..16, got ${describeValue(bits)}`,
    );
  }
}

/**
 * Number of bytes {@link packBits} produces.
 *
 * @param count - number of codes
 * @param bits - bits per code
 * @returns ⌈count·bits / 8⌉
 * @example
 * ```ts
 * packedByteLength(5, 3); // 2
 * ```
 */
export function packedByteLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs b-bit codes into bytes (layout in the module comment).
 *
 * @param codes - the codes, each in [0, 2^bits)
 * @param bits - bits per code, 1…16
 * @returns the packed bytes
 * @throws CalderaError `UNSUPPORTED_BITS` for bits outside 1…16, `INVALID_ARGUMENT` for a
 *   code that does not fit
 * @example
 * ```ts
 * packBits(Uint8Array.of(1, 2, 3, 0), 2); // Uint8Array [0x39]
 * ```
 */
export function packBits(codes: Uint8Array | Uint16Array | Uint32Array, bits: number): Uint8Array {
  checkBits('packBits', bits);
  const n = codes.length;
  const out = new Uint8Array(packedByteLength(n, bits));
  const limit = 2 ** bits;
  if (bits === 8) {
    for (let k = 0; k < n; k++) {
      const c = codes[k]!;
      if (c >= limit) throw badCode(c, bits, k);
      out[k] = c;
    }
    return out;
  }
  let acc = 0;
  let nb = 0;
  let p = 0;
  for (let k = 0; k < n; k++) {
    const c = codes[k]!;
    if (c >= limit) throw badCode(c, bits, k);
    acc |= c << nb;
    nb += bits;
    while (nb >= 8) {
      out[p++] = acc & 0xff;
      acc >>>= 8;
      nb -= 8;
    }
  }
  if (nb > 0) out[p] = acc & 0xff;
  return out;
}

function badCode(c: number, bits: number, k: number): CalderaError {
  return new CalderaError(
    'INVALID_ARGUMENT',
    `packBits: code ${describeValue(c)} at index ${k} does not fit in ${bits} bits`,
  );
}

/**
 * Unpacks `count` b-bit codes written by {@link packBits}.
 *
 * @param bytes - the packed bytes
 * @param bits - bits per code, 1…16
 * @param count - number of codes
 * @param out - optional destination (default: a new Uint16Array)
 * @returns the codes
 * @throws CalderaError `UNSUPPORTED_BITS` for bad bits, `CORRUPT_PACKED_DATA` when `bytes`
 *   is too short
 * @example
 * ```ts
 * Array.from(unpackBits(Uint8Array.of(0x39), 2, 4)); // [1, 2, 3, 0]
 * ```
 */
export function unpackBits<T extends Uint8Array | Uint16Array | Uint32Array = Uint16Array>(
  bytes: Uint8Array,
  bits: number,
  count: number,
  out?: T,
): T {
  checkBits('unpackBits', bits);
  const need = packedByteLength(count, bits);
  if (bytes.length < need) {
    throw new CalderaError(
      'CORRUPT_PACKED_DATA',
      `unpackBits: ${count} codes of ${bits} bits need ${need} bytes, got ${bytes.length}`,
    );
  }
  const o = (out ?? new Uint16Array(count)) as T;
  if (bits === 8) {
    for (let k = 0; k < count; k++) o[k] = bytes[k]!;
    return o;
  }
  const mask = (1 << bits) - 1;
  let acc = 0;
  let nb = 0;
  let p = 0;
  for (let k = 0; k < count; k++) {
    while (nb < bits) {
      acc |= bytes[p++]! << nb;
      nb += 8;
    }
    o[k] = acc & mask;
    acc >>>= bits;
    nb -= bits;
  }
  return o;
}
