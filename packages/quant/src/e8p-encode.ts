import { E8P_ABS_ROWS, E8P_ABS_TABLE, SIGN_BIT_OF_COORD } from './e8p-codebook';
import {
  bounds,
  EXTRA_FIRST,
  latticeBounds,
  ranks,
  resCost,
  searchCoset,
  searchResult,
  xs,
} from './e8p-coset-search';
import { checkVectors } from './validate';

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
 *
 * Speed (no allocation, few unpredictable branches): |z| is ordered by branch-free ranks
 * (28 comparisons turned into 0/1 counts; ties rank the lower index first) and scattered into
 * sorted order; the ranks of each searched coset are kept, so the winner's code is rebuilt
 * without sorting again. The second coset is searched only when its lattice lower bound
 * (distance to the nearest point of the whole coset) beats the first coset's best. Inputs are
 * copied by type-specialised loops (monomorphic typed-array loads). The test oracles of
 * test/e8p-oracle.ts (brute force over all 65,536 codewords and a plain 256-row search) are
 * the reference.
 *
 * This file holds the driver (bounds, which cosets to search), the code reconstruction and the
 * public API; the per-coset search kernel is in e8p-coset-search.ts.
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

/** Pattern values at sorted positions for each of the 7 patterns (digit a − ½). */
const PATTERN_DIGITS: Int32Array = Int32Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1,
  1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0,
]);

/**
 * Builds the code of the winning D̂8 part `win` (see searchCoset in e8p-coset-search.ts) for z = xs − shift, the
 * shift given by `minus` (1: −¼ coset). The pattern's digits go to coordinates by their
 * descending rank in |z| (28 comparisons; ties rank the lower index first, as a stable sort).
 */
function buildCode(minus: number, win: number, flip: number): number {
  const shift = minus ? -0.25 : 0.25;
  const neg =
    Number(xs[0]! - shift < 0) |
    (Number(xs[1]! - shift < 0) << 1) |
    (Number(xs[2]! - shift < 0) << 2) |
    (Number(xs[3]! - shift < 0) << 3) |
    (Number(xs[4]! - shift < 0) << 4) |
    (Number(xs[5]! - shift < 0) << 5) |
    (Number(xs[6]! - shift < 0) << 6) |
    (Number(xs[7]! - shift < 0) << 7);
  if (win >= 7) {
    const row = EXTRA_FIRST + win - 7;
    return (row << 8) | (SIGN_BYTE_OF_MASK[neg ^ flip ^ BASE_NEG_MASK[row]!]! ^ minus);
  }
  const rb = minus * 8;
  const r0 = ranks[rb]!;
  const r1 = ranks[rb + 1]!;
  const r2 = ranks[rb + 2]!;
  const r3 = ranks[rb + 3]!;
  const r4 = ranks[rb + 4]!;
  const r5 = ranks[rb + 5]!;
  const r6 = ranks[rb + 6]!;
  const r7 = ranks[rb + 7]!;
  const pb = win * 8;
  const key =
    PATTERN_DIGITS[pb + r0]! |
    (PATTERN_DIGITS[pb + r1]! << 2) |
    (PATTERN_DIGITS[pb + r2]! << 4) |
    (PATTERN_DIGITS[pb + r3]! << 6) |
    (PATTERN_DIGITS[pb + r4]! << 8) |
    (PATTERN_DIGITS[pb + r5]! << 10) |
    (PATTERN_DIGITS[pb + r6]! << 12) |
    (PATTERN_DIGITS[pb + r7]! << 14);
  const row = ROW_OF_KEY[key]!;
  let np = neg ^ (neg >> 4);
  np ^= np >> 2;
  np = (np ^ (np >> 1)) & 1;
  // parity of Σa: k for patterns 0…4, (6 + k) for patterns 5, 6
  const sumParity = win <= 4 ? win & 1 : win - 5;
  let mask = neg;
  if (sumParity !== np) {
    // negate the smallest |z| (rank 7)
    const last =
      r0 === 7
        ? 0
        : r1 === 7
          ? 1
          : r2 === 7
            ? 2
            : r3 === 7
              ? 3
              : r4 === 7
                ? 4
                : r5 === 7
                  ? 5
                  : r6 === 7
                    ? 6
                    : 7;
    mask ^= 1 << last;
  }
  return (row << 8) | (SIGN_BYTE_OF_MASK[mask ^ BASE_NEG_MASK[row]!]! ^ minus);
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
  if (x instanceof Float64Array) loadF64(x, offset, invScale);
  else if (x instanceof Float32Array) loadF32(x, offset, invScale);
  else for (let i = 0; i < 8; i++) xs[i] = x[offset + i]! * invScale;
  return encodeXs();
}

function loadF64(x: Float64Array, o: number, s: number): void {
  xs[0] = x[o]! * s;
  xs[1] = x[o + 1]! * s;
  xs[2] = x[o + 2]! * s;
  xs[3] = x[o + 3]! * s;
  xs[4] = x[o + 4]! * s;
  xs[5] = x[o + 5]! * s;
  xs[6] = x[o + 6]! * s;
  xs[7] = x[o + 7]! * s;
}

function loadF32(x: Float32Array, o: number, s: number): void {
  xs[0] = x[o]! * s;
  xs[1] = x[o + 1]! * s;
  xs[2] = x[o + 2]! * s;
  xs[3] = x[o + 3]! * s;
  xs[4] = x[o + 4]! * s;
  xs[5] = x[o + 5]! * s;
  xs[6] = x[o + 6]! * s;
  xs[7] = x[o + 7]! * s;
}

/** Encodes the vector in `xs` (module comment): both coset bounds, then 1 or 2 coset searches. */
function encodeXs(): number {
  latticeBounds();
  const lbPlus = bounds[0]!;
  const lbMinus = bounds[1]!;
  if (lbPlus <= lbMinus) {
    searchCoset(0.25, 0);
    const dPlus = resCost[0]!;
    if (lbMinus >= dPlus) return buildCode(0, searchResult[0]!, searchResult[1]!);
    const winPlus = searchResult[0]!;
    const flipPlus = searchResult[1]!;
    searchCoset(-0.25, 1);
    if (dPlus <= resCost[0]!) return buildCode(0, winPlus, flipPlus);
    return buildCode(1, searchResult[0]!, searchResult[1]!);
  }
  searchCoset(-0.25, 1);
  const dMinus = resCost[0]!;
  if (lbPlus > dMinus) return buildCode(1, searchResult[0]!, searchResult[1]!);
  const winMinus = searchResult[0]!;
  const flipMinus = searchResult[1]!;
  searchCoset(0.25, 0);
  if (resCost[0]! <= dMinus) return buildCode(0, searchResult[0]!, searchResult[1]!);
  return buildCode(1, winMinus, flipMinus);
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
  if (x instanceof Float32Array) {
    for (let k = 0; k < n; k++) {
      loadF32(x, 8 * k, inv);
      codes[k] = encodeXs();
    }
  } else {
    for (let k = 0; k < n; k++) {
      loadF64(x, 8 * k, inv);
      codes[k] = encodeXs();
    }
  }
  return codes;
}
