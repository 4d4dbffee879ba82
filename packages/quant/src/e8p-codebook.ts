import { CalderaError } from '@caldera/core';

/**
 * The E8P12 codebook (QuIP#'s 2-bit E8-lattice codebook, algorithms.md §6.1), built from the
 * math at module load: a 256-row "abs" table of non-negative half-integer 8-vectors, and the
 * decode rule that turns a 16-bit code into one of 65,536 codewords.
 *
 * Code `c`: `a = c >> 8` selects an abs row, `s = c & 0xff` holds sign bits. The row is made to
 * have an even coordinate sum by negating its 8th coordinate when the sum is odd; if `s` has
 * odd parity, bit 0 is flipped and the codeword is shifted by −¼ (else +¼); coordinate `i`
 * takes its sign from bit `SIGN_BIT_OF_COORD[i]` of `s`.
 */

/**
 * Number of rows of the abs table.
 *
 * @example
 * ```ts
 * E8P_ABS_TABLE.length === 8 * E8P_ABS_ROWS; // true
 * ```
 */
export const E8P_ABS_ROWS = 256;
/**
 * Number of codewords of E8P12 (16-bit codes).
 *
 * @example
 * ```ts
 * e8pCodebook().length === 8 * E8P_CODEBOOK_SIZE; // true
 * ```
 */
export const E8P_CODEBOOK_SIZE = 65536;

/**
 * For coordinate `i`, the bit of the sign byte that carries its sign: π = [0,4,1,5,2,6,3,7].
 *
 * @example
 * ```ts
 * SIGN_BIT_OF_COORD[1]; // 4
 * ```
 */
export const SIGN_BIT_OF_COORD: readonly number[] = [0, 4, 1, 5, 2, 6, 3, 7];

/** The 29 appended rows of norm² 12, as 2× values (§6.1), in table order. */
const EXTRA_ROWS_X2 = [
  '31113333',
  '13113333',
  '11313333',
  '11133333',
  '33313311',
  '33313131',
  '33311331',
  '33313113',
  '33311313',
  '33311133',
  '33133311',
  '33133131',
  '33131331',
  '33133113',
  '33131313',
  '33131133',
  '31333311',
  '31333131',
  '31331331',
  '31333113',
  '31331313',
  '13331133',
  '13333311',
  '13333131',
  '13331331',
  '13333113',
  '13331313',
  '11331333',
  '33113331',
];

/**
 * Builds the abs table: the 227 abs patterns of D̂8 points with coordinates in
 * {±0.5,…,±3.5} and norm² ≤ 10 in ascending lexicographic order, then the 29 fixed rows.
 * Every abs vector with norm² ≤ 10 is the abs of some D̂8 point (one sign flip fixes the sum
 * parity), so the first part is all of {0.5,1.5,2.5,3.5}⁸ with Σa² ≤ 10, enumerated in
 * odometer order (last coordinate fastest), which is lexicographic order.
 */
function buildAbsTable(): Float64Array {
  const out = new Float64Array(E8P_ABS_ROWS * 8);
  let r = 0;
  const d = new Int32Array(8); // digits 0..3 → values 0.5 + d
  for (let idx = 0; idx < 65536; idx++) {
    let t = idx;
    let norm = 0;
    for (let i = 7; i >= 0; i--) {
      d[i] = t & 3;
      t >>= 2;
    }
    for (let i = 0; i < 8; i++) norm += (0.5 + d[i]!) ** 2;
    if (norm > 10) continue;
    for (let i = 0; i < 8; i++) out[r * 8 + i] = 0.5 + d[i]!;
    r++;
  }
  if (r !== 227) throw new CalderaError('INTERNAL', `E8P abs table: expected 227 rows, built ${r}`);
  for (const row of EXTRA_ROWS_X2) {
    for (let i = 0; i < 8; i++) out[r * 8 + i] = Number(row[i]) / 2;
    r++;
  }
  return out;
}

/**
 * The 256 × 8 abs table (row-major, non-negative half-integers), as in §6.1.
 *
 * @example
 * ```ts
 * Array.from(E8P_ABS_TABLE.subarray(0, 8)); // [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
 * ```
 */
export const E8P_ABS_TABLE: Float64Array = buildAbsTable();

/**
 * The 256 × 8 "base" rows: the abs rows with the 8th coordinate negated where the row's
 * coordinate sum is odd, so that every base row lies in D̂8 (even sum).
 *
 * @example
 * ```ts
 * E8P_BASE_TABLE[1 * 8 + 7]; // -1.5 (row 1 = (0.5×7, 1.5) has odd sum)
 * ```
 */
export const E8P_BASE_TABLE: Float64Array = (() => {
  const out = Float64Array.from(E8P_ABS_TABLE);
  for (let r = 0; r < E8P_ABS_ROWS; r++) {
    let s = 0;
    for (let i = 0; i < 8; i++) s += out[r * 8 + i]!;
    if (s % 2 !== 0) out[r * 8 + 7] = -out[r * 8 + 7]!;
  }
  return out;
})();

/**
 * Per sign byte `s` (0…255): bit `i` set ⇔ coordinate `i` is negated, after the parity fix
 * of §6.1 (odd-parity bytes have bit 0 flipped first).
 */
const COORD_FLIP_MASK: Uint8Array = (() => {
  const out = new Uint8Array(256);
  for (let s = 0; s < 256; s++) {
    let p = 0;
    for (let j = 0; j < 8; j++) p ^= (s >> j) & 1;
    const t = p ? s ^ 1 : s;
    let m = 0;
    for (let i = 0; i < 8; i++) if ((t >> SIGN_BIT_OF_COORD[i]!) & 1) m |= 1 << i;
    out[s] = m;
  }
  return out;
})();

/**
 * Per sign byte `s`: the shift added to every coordinate, +¼ (even parity) or −¼ (odd).
 */
const SHIFT_OF_SIGN_BYTE: Float64Array = (() => {
  const out = new Float64Array(256);
  for (let s = 0; s < 256; s++) {
    let p = 0;
    for (let j = 0; j < 8; j++) p ^= (s >> j) & 1;
    out[s] = p ? -0.25 : 0.25;
  }
  return out;
})();

/**
 * Decodes one 16-bit E8P12 code into 8 values (times `scale`), straight from the abs table.
 *
 * @param code - the code, 0…65535
 * @param out - destination array
 * @param offset - where to write the 8 values (default 0)
 * @param scale - multiplier applied to the codeword (default 1)
 * @example
 * ```ts
 * const v = new Float32Array(8);
 * e8pDecodeOne(0x0100, v); // [0.75 ×7, -1.25]
 * ```
 */
export function e8pDecodeOne(
  code: number,
  out: Float32Array | Float64Array,
  offset = 0,
  scale = 1,
): void {
  const a = (code >>> 8) & 0xff;
  const s = code & 0xff;
  const m = COORD_FLIP_MASK[s]!;
  const shift = SHIFT_OF_SIGN_BYTE[s]!;
  const base = a * 8;
  for (let i = 0; i < 8; i++) {
    const v = E8P_BASE_TABLE[base + i]!;
    out[offset + i] = (((m >> i) & 1 ? -v : v) + shift) * scale;
  }
}

let fullTable: Float32Array | undefined;

/**
 * The full 65,536 × 8 codebook as float32 in code order (2 MiB), built once on first use.
 * Every value is a multiple of ¼, so float32 holds it exactly.
 *
 * @returns the shared table (do not modify)
 * @example
 * ```ts
 * const t = e8pCodebook();
 * t[1 * 8]; // 0.25 (code 1 decodes to all 0.25)
 * ```
 */
export function e8pCodebook(): Float32Array {
  if (fullTable) return fullTable;
  const t = new Float32Array(E8P_CODEBOOK_SIZE * 8);
  for (let c = 0; c < E8P_CODEBOOK_SIZE; c++) e8pDecodeOne(c, t, c * 8);
  fullTable = t;
  return t;
}

/**
 * The kernel-side packed abs table (§6.1): per row one uint32 of eight 4-bit nibbles
 * `2·v + 8`, v taken from the base row (8th coordinate negated for odd rows), with
 * coordinate order [0,2,4,6,1,3,5,7] from the lowest nibble up.
 *
 * @returns 256 packed words
 * @example
 * ```ts
 * e8pPackedAbsWords()[0].toString(16); // '99999999'
 * ```
 */
export function e8pPackedAbsWords(): Uint32Array {
  const order = [0, 2, 4, 6, 1, 3, 5, 7];
  const out = new Uint32Array(E8P_ABS_ROWS);
  for (let r = 0; r < E8P_ABS_ROWS; r++) {
    let w = 0;
    for (let k = 0; k < 8; k++) {
      const nib = 2 * E8P_BASE_TABLE[r * 8 + order[k]!]! + 8;
      w = (w | (nib << (4 * k))) >>> 0;
    }
    out[r] = w;
  }
  return out;
}

/**
 * Decodes many E8P12 codes: `out[8k … 8k+7] = scale · codeword(codes[k])`, from the 256-row
 * abs table and the sign bits (about as fast as lookups in the 2 MiB full table in the
 * benchmark — 1.0–1.5×10⁸ weights/s either way — without building or caching that table).
 *
 * @param codes - 16-bit codes
 * @param scale - multiplier (default 1)
 * @param out - optional destination, at least `8 · codes.length` long
 * @returns the decoded values
 * @example
 * ```ts
 * e8pDecode(Uint16Array.of(1))[0]; // 0.25
 * ```
 */
export function e8pDecode(codes: Uint16Array, scale = 1, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(codes.length * 8);
  for (let k = 0; k < codes.length; k++) e8pDecodeOne(codes[k]!, o, 8 * k, scale);
  return o;
}

/**
 * Decodes many E8P12 codes by lookup in the full 65,536 × 8 table ({@link e8pCodebook});
 * the reference path for {@link e8pDecode}.
 *
 * @param codes - 16-bit codes
 * @param scale - multiplier (default 1)
 * @param out - optional destination, at least `8 · codes.length` long
 * @returns the decoded values
 * @example
 * ```ts
 * e8pDecodeTable(Uint16Array.of(1))[0]; // 0.25
 * ```
 */
export function e8pDecodeTable(codes: Uint16Array, scale = 1, out?: Float32Array): Float32Array {
  const t = e8pCodebook();
  const o = out ?? new Float32Array(codes.length * 8);
  for (let k = 0; k < codes.length; k++) {
    const b = codes[k]! * 8;
    for (let i = 0; i < 8; i++) o[8 * k + i] = t[b + i]! * scale;
  }
  return o;
}
