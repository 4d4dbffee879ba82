import { CalderaError, describeValue } from '@caldera/core';
import { E8P_ABS_ROWS, E8P_ABS_TABLE, SIGN_BIT_OF_COORD } from './e8p-codebook';

/**
 * Exact nearest-codeword encoding for E8P12 (algorithms.md §6.1).
 *
 * For each coset (shift +¼ with z = x − ¼, shift −¼ with z = x + ¼) the best codeword
 * maximises ⟨|z|, a⟩ − ‖a‖²/2 over abs rows a, the signs following z, with one
 * coordinate flipped when the sign count has the wrong parity (a point must have an even
 * coordinate sum: #negatives ≡ Σa mod 2); the cheapest flip costs 4·min_i |z_i|·a_i.
 *
 * The first 227 rows are closed under coordinate permutations: they are the 7 multiset
 * patterns {0.5⁸}, {1.5ᵏ 0.5⁸⁻ᵏ} (k = 1…4), {2.5 0.5⁷}, {2.5 1.5 0.5⁶}. With |z| sorted
 * descending, the rearrangement inequality puts the largest values on the largest |z|, and
 * under a parity violation the optimum negates a 0.5 on the smallest |z| (penalty
 * 2·0.5·|z|₍₈₎). So the 227 rows cost 7 prefix-sum scores. The 29 rows of norm² 12 are
 * scanned only when an upper bound (all 56 arrangements of that pattern) beats the best so
 * far.
 */

/** Maps a row's digits (a_i − ½, 2 bits each, coordinate i at bits 2i) to its row index. */
const ROW_OF_KEY: Int16Array = (() => {
  const out = new Int16Array(65536).fill(-1);
  for (let r = 0; r < E8P_ABS_ROWS; r++) {
    let key = 0;
    for (let i = 0; i < 8; i++) key |= (E8P_ABS_TABLE[r * 8 + i]! - 0.5) << (2 * i);
    out[key] = r;
  }
  return out;
})();

/** For each row, 0x80 when its base row has the 8th coordinate negated (odd Σa), else 0. */
const BASE_NEG_MASK: Uint8Array = (() => {
  const out = new Uint8Array(E8P_ABS_ROWS);
  for (let r = 0; r < E8P_ABS_ROWS; r++) {
    let s = 0;
    for (let i = 0; i < 8; i++) s += E8P_ABS_TABLE[r * 8 + i]!;
    out[r] = s % 2 !== 0 ? 0x80 : 0;
  }
  return out;
})();

/** Coordinate negation mask (bit i = coordinate i) → sign byte (bit π(i)). */
const SIGN_BYTE_OF_MASK: Uint8Array = (() => {
  const out = new Uint8Array(256);
  for (let m = 0; m < 256; m++) {
    let s = 0;
    for (let i = 0; i < 8; i++) if ((m >> i) & 1) s |= 1 << SIGN_BIT_OF_COORD[i]!;
    out[m] = s;
  }
  return out;
})();

const EXTRA_FIRST = 227;
const EXTRA_COUNT = 29;
/** The three coordinates holding 0.5 in each of the 29 extra rows. */
const EXTRA_T: Int8Array = (() => {
  const out = new Int8Array(EXTRA_COUNT * 3);
  for (let j = 0; j < EXTRA_COUNT; j++) {
    let k = 0;
    for (let i = 0; i < 8; i++) if (E8P_ABS_TABLE[(EXTRA_FIRST + j) * 8 + i] === 0.5) out[j * 3 + k++] = i;
  }
  return out;
})();

// Per-coset scratch (module-level: no allocation per call).
const u = new Float64Array(8);
const su = new Float64Array(8);
const si = new Int32Array(8);
/** Pattern values at sorted positions for each of the 7 patterns (digit a − ½). */
const PATTERN_DIGITS: Int32Array = Int32Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1,
  1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0,
]);

// Result of searchCoset.
let resRow = 0;
let resMask = 0; // coordinate negation mask of the chosen D̂8 point

/**
 * Finds the best D̂8 part for z = (x0..x7) − shift; returns ‖z − y‖² and sets resRow/resMask.
 */
function searchCoset(
  z0: number,
  z1: number,
  z2: number,
  z3: number,
  z4: number,
  z5: number,
  z6: number,
  z7: number,
): number {
  let neg = 0;
  if (z0 < 0) neg |= 1;
  if (z1 < 0) neg |= 2;
  if (z2 < 0) neg |= 4;
  if (z3 < 0) neg |= 8;
  if (z4 < 0) neg |= 16;
  if (z5 < 0) neg |= 32;
  if (z6 < 0) neg |= 64;
  if (z7 < 0) neg |= 128;
  u[0] = Math.abs(z0);
  u[1] = Math.abs(z1);
  u[2] = Math.abs(z2);
  u[3] = Math.abs(z3);
  u[4] = Math.abs(z4);
  u[5] = Math.abs(z5);
  u[6] = Math.abs(z6);
  u[7] = Math.abs(z7);
  const zz = z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3 + z4 * z4 + z5 * z5 + z6 * z6 + z7 * z7;
  let np = neg ^ (neg >> 4);
  np ^= np >> 2;
  np = (np ^ (np >> 1)) & 1;
  // insertion sort, descending
  for (let i = 0; i < 8; i++) {
    const v = u[i]!;
    let j = i;
    while (j > 0 && su[j - 1]! < v) {
      su[j] = su[j - 1]!;
      si[j] = si[j - 1]!;
      j--;
    }
    su[j] = v;
    si[j] = i;
  }
  const s0 = su[0]!;
  const p2 = s0 + su[1]!;
  const p3 = p2 + su[2]!;
  const p4 = p3 + su[3]!;
  const p5 = p4 + su[4]!;
  const s8 = su[7]!;
  const tot = p5 + su[5]! + su[6]! + s8;
  const half = 0.5 * tot;
  // even-k patterns are penalised when np = 1, odd-k ones when np = 0
  const penEven = np === 1 ? s8 : 0;
  const penOdd = np === 0 ? s8 : 0;
  let best = half - 1 - penEven; // k = 0
  let pat = 0;
  let sc = half + s0 - 2 - penOdd; // k = 1
  if (sc > best) {
    best = sc;
    pat = 1;
  }
  sc = half + p2 - 3 - penEven;
  if (sc > best) {
    best = sc;
    pat = 2;
  }
  sc = half + p3 - 4 - penOdd;
  if (sc > best) {
    best = sc;
    pat = 3;
  }
  sc = half + p4 - 5 - penEven;
  if (sc > best) {
    best = sc;
    pat = 4;
  }
  sc = half + 2 * s0 - 4 - penEven; // 2.5 + 0.5⁷ (Σa = 6)
  if (sc > best) {
    best = sc;
    pat = 5;
  }
  sc = half + s0 + p2 - 5 - penOdd; // 2.5 1.5 0.5⁶ (Σa = 7)
  if (sc > best) {
    best = sc;
    pat = 6;
  }
  let extra = -1;
  let extraFlip = 0;
  // the 29 norm²-12 rows (Σa = 9, odd): bound over all arrangements of five 1.5s
  if (1.5 * tot - (su[5]! + su[6]! + s8) - 6 - penOdd > best) {
    for (let j = 0; j < EXTRA_COUNT; j++) {
      const t0 = EXTRA_T[j * 3]!;
      const t1 = EXTRA_T[j * 3 + 1]!;
      const t2 = EXTRA_T[j * 3 + 2]!;
      sc = 1.5 * tot - (u[t0]! + u[t1]! + u[t2]!) - 6;
      let flip = 0;
      if (np === 0) {
        let mi = 0;
        let mv = Number.POSITIVE_INFINITY;
        const base = (EXTRA_FIRST + j) * 8;
        for (let i = 0; i < 8; i++) {
          const w = u[i]! * E8P_ABS_TABLE[base + i]!;
          if (w < mv) {
            mv = w;
            mi = i;
          }
        }
        sc -= 2 * mv;
        flip = 1 << mi;
      }
      if (sc > best) {
        best = sc;
        extra = j;
        extraFlip = flip;
      }
    }
  }
  if (extra >= 0) {
    resRow = EXTRA_FIRST + extra;
    resMask = neg ^ extraFlip;
  } else {
    let key = 0;
    const pb = pat * 8;
    for (let k = 0; k < 8; k++) key |= PATTERN_DIGITS[pb + k]! << (2 * si[k]!);
    resRow = ROW_OF_KEY[key]!;
    // parity of Σa for pattern: k for patterns 0..4, (6 + k) for 5, 6
    const sumParity = pat <= 4 ? pat & 1 : pat - 5;
    resMask = sumParity === np ? neg : neg ^ (1 << si[7]!);
  }
  return zz - 2 * best;
}

/**
 * Encodes one 8-vector (already divided by the scale) to its nearest E8P12 codeword.
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @param invScale - multiplier applied to the inputs first (1 / scale; default 1)
 * @returns the 16-bit code of the nearest codeword (squared Euclidean distance)
 * @example
 * ```ts
 * e8pEncodeOne(new Float32Array(8).fill(0.75), 0); // 0
 * ```
 */
export function e8pEncodeOne(x: ArrayLike<number>, offset: number, invScale = 1): number {
  const x0 = x[offset]! * invScale;
  const x1 = x[offset + 1]! * invScale;
  const x2 = x[offset + 2]! * invScale;
  const x3 = x[offset + 3]! * invScale;
  const x4 = x[offset + 4]! * invScale;
  const x5 = x[offset + 5]! * invScale;
  const x6 = x[offset + 6]! * invScale;
  const x7 = x[offset + 7]! * invScale;
  const dPlus = searchCoset(
    x0 - 0.25,
    x1 - 0.25,
    x2 - 0.25,
    x3 - 0.25,
    x4 - 0.25,
    x5 - 0.25,
    x6 - 0.25,
    x7 - 0.25,
  );
  const rowPlus = resRow;
  const maskPlus = resMask;
  const dMinus = searchCoset(
    x0 + 0.25,
    x1 + 0.25,
    x2 + 0.25,
    x3 + 0.25,
    x4 + 0.25,
    x5 + 0.25,
    x6 + 0.25,
    x7 + 0.25,
  );
  if (dPlus <= dMinus) {
    return (rowPlus << 8) | SIGN_BYTE_OF_MASK[maskPlus ^ BASE_NEG_MASK[rowPlus]!]!;
  }
  return (resRow << 8) | (SIGN_BYTE_OF_MASK[resMask ^ BASE_NEG_MASK[resRow]!]! ^ 1);
}

/**
 * Encodes many 8-vectors: `codes[k]` = nearest E8P12 code of `x[8k … 8k+7] / scale`.
 *
 * @param x - the values, a multiple of 8 long (row-major 8-vectors)
 * @param scale - the codebook scale (values are divided by it; default 1)
 * @param out - optional destination, at least `x.length / 8` long
 * @returns the codes
 * @throws CalderaError `INVALID_ARGUMENT` for a length not divisible by 8 or a bad scale
 * @example
 * ```ts
 * const codes = e8pEncode(new Float32Array([0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]));
 * codes[0]; // 1
 * ```
 */
export function e8pEncode(
  x: Float32Array | Float64Array,
  scale = 1,
  out?: Uint16Array,
): Uint16Array {
  const n = checkVectors('e8pEncode', x.length, scale);
  const codes = out ?? new Uint16Array(n);
  const inv = 1 / scale;
  for (let k = 0; k < n; k++) codes[k] = e8pEncodeOne(x, k * 8, inv);
  return codes;
}

/**
 * Validates an 8-vector batch length and a scale.
 *
 * @param what - the caller's name, for the message
 * @param length - number of values
 * @param scale - the scale
 * @returns the number of 8-vectors
 * @throws CalderaError `INVALID_ARGUMENT` for a length not divisible by 8 or a bad scale
 * @example
 * ```ts
 * checkVectors('f', 16, 1); // 2
 * ```
 */
export function checkVectors(what: string, length: number, scale: number): number {
  if (length % 8 !== 0) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: length must be a multiple of 8, got ${describeValue(length)}`,
    );
  }
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${what}: scale must be a positive finite number, got ${describeValue(scale)}`,
    );
  }
  return length / 8;
}

