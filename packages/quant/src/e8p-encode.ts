import { E8P_ABS_ROWS, E8P_ABS_TABLE, SIGN_BIT_OF_COORD } from './e8p-codebook';
import { checkVectors } from './validate';

/** Local alias of the abs table (a plain module constant in the hot loop). */
const ABS: Float64Array = E8P_ABS_TABLE;

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
    for (let i = 0; i < 8; i++)
      if (E8P_ABS_TABLE[(EXTRA_FIRST + j) * 8 + i] === 0.5) out[j * 3 + k++] = i;
  }
  return out;
})();

// Scratch (module-level: no allocation per call; doubles live in typed arrays, not in
// arguments or return values, so that nothing is boxed across the non-inlined call).
const xs = new Float64Array(8);
const resCost = new Float64Array(1);
const u = new Float64Array(8);
const su = new Float64Array(8);
const si = new Int32Array(8);
/** Pattern values at sorted positions for each of the 7 patterns (digit a − ½). */
const PATTERN_DIGITS: Int32Array = Int32Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1,
  1, 1, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0,
]);

// Result of searchCoset: winner 0…6 = pattern, 7 + j = extra row j; flip mask for extra rows.
let resWin = 0;
let resFlip = 0;

/**
 * Best D̂8 part for z = xs − shift: sets resCost[0] = ‖z − y‖², resWin and resFlip. Sorting is a
 * value-only 19-comparator network; the winner's coordinates are rebuilt by the caller.
 */
function searchCoset(shift: number): void {
  const z0 = xs[0]! - shift;
  const z1 = xs[1]! - shift;
  const z2 = xs[2]! - shift;
  const z3 = xs[3]! - shift;
  const z4 = xs[4]! - shift;
  const z5 = xs[5]! - shift;
  const z6 = xs[6]! - shift;
  const z7 = xs[7]! - shift;
  let a0 = Math.abs(z0);
  let a1 = Math.abs(z1);
  let a2 = Math.abs(z2);
  let a3 = Math.abs(z3);
  let a4 = Math.abs(z4);
  let a5 = Math.abs(z5);
  let a6 = Math.abs(z6);
  let a7 = Math.abs(z7);
  const zz = z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3 + z4 * z4 + z5 * z5 + z6 * z6 + z7 * z7;
  const np = ((z0 < 0 ? 1 : 0) ^
    (z1 < 0 ? 1 : 0) ^
    (z2 < 0 ? 1 : 0) ^
    (z3 < 0 ? 1 : 0) ^
    (z4 < 0 ? 1 : 0) ^
    (z5 < 0 ? 1 : 0) ^
    (z6 < 0 ? 1 : 0) ^
    (z7 < 0 ? 1 : 0)) as number;
  let t: number;
  // descending sorting network (19 compare-exchanges)
  t = Math.max(a0, a2);
  a2 = Math.min(a0, a2);
  a0 = t;
  t = Math.max(a1, a3);
  a3 = Math.min(a1, a3);
  a1 = t;
  t = Math.max(a4, a6);
  a6 = Math.min(a4, a6);
  a4 = t;
  t = Math.max(a5, a7);
  a7 = Math.min(a5, a7);
  a5 = t;
  t = Math.max(a0, a4);
  a4 = Math.min(a0, a4);
  a0 = t;
  t = Math.max(a1, a5);
  a5 = Math.min(a1, a5);
  a1 = t;
  t = Math.max(a2, a6);
  a6 = Math.min(a2, a6);
  a2 = t;
  t = Math.max(a3, a7);
  a7 = Math.min(a3, a7);
  a3 = t;
  t = Math.max(a0, a1);
  a1 = Math.min(a0, a1);
  a0 = t;
  t = Math.max(a2, a3);
  a3 = Math.min(a2, a3);
  a2 = t;
  t = Math.max(a4, a5);
  a5 = Math.min(a4, a5);
  a4 = t;
  t = Math.max(a6, a7);
  a7 = Math.min(a6, a7);
  a6 = t;
  t = Math.max(a2, a4);
  a4 = Math.min(a2, a4);
  a2 = t;
  t = Math.max(a3, a5);
  a5 = Math.min(a3, a5);
  a3 = t;
  t = Math.max(a1, a4);
  a4 = Math.min(a1, a4);
  a1 = t;
  t = Math.max(a3, a6);
  a6 = Math.min(a3, a6);
  a3 = t;
  t = Math.max(a1, a2);
  a2 = Math.min(a1, a2);
  a1 = t;
  t = Math.max(a3, a4);
  a4 = Math.min(a3, a4);
  a3 = t;
  t = Math.max(a5, a6);
  a6 = Math.min(a5, a6);
  a5 = t;
  const p2 = a0 + a1;
  const p3 = p2 + a2;
  const p4 = p3 + a3;
  const tot = p4 + a4 + a5 + a6 + a7;
  const half = 0.5 * tot;
  // even-Σa patterns are penalised when np = 1, odd-Σa ones when np = 0
  const penEven = np === 1 ? a7 : 0;
  const penOdd = np === 0 ? a7 : 0;
  let best = half - 1 - penEven; // k = 0
  let win = 0;
  let sc = half + a0 - 2 - penOdd; // k = 1
  if (sc > best) {
    best = sc;
    win = 1;
  }
  sc = half + p2 - 3 - penEven;
  if (sc > best) {
    best = sc;
    win = 2;
  }
  sc = half + p3 - 4 - penOdd;
  if (sc > best) {
    best = sc;
    win = 3;
  }
  sc = half + p4 - 5 - penEven;
  if (sc > best) {
    best = sc;
    win = 4;
  }
  sc = half + 2 * a0 - 4 - penEven; // 2.5 0.5⁷ (Σa = 6)
  if (sc > best) {
    best = sc;
    win = 5;
  }
  sc = half + a0 + p2 - 5 - penOdd; // 2.5 1.5 0.5⁶ (Σa = 7)
  if (sc > best) {
    best = sc;
    win = 6;
  }
  // the 29 norm²-12 rows (Σa = 9, odd): bound over all arrangements of five 1.5s
  if (1.5 * tot - (a5 + a6 + a7) - 6 - penOdd > best) {
    u[0] = Math.abs(z0);
    u[1] = Math.abs(z1);
    u[2] = Math.abs(z2);
    u[3] = Math.abs(z3);
    u[4] = Math.abs(z4);
    u[5] = Math.abs(z5);
    u[6] = Math.abs(z6);
    u[7] = Math.abs(z7);
    for (let j = 0; j < EXTRA_COUNT; j++) {
      sc =
        1.5 * tot - (u[EXTRA_T[j * 3]!]! + u[EXTRA_T[j * 3 + 1]!]! + u[EXTRA_T[j * 3 + 2]!]!) - 6;
      let flip = 0;
      if (np === 0) {
        let mi = 0;
        let mv = Number.POSITIVE_INFINITY;
        const base = (EXTRA_FIRST + j) * 8;
        for (let i = 0; i < 8; i++) {
          const w = u[i]! * ABS[base + i]!;
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
        win = 7 + j;
        resFlip = flip;
      }
    }
  }
  resWin = win;
  resCost[0] = zz - 2 * best;
}

/**
 * Builds the code of the winning D̂8 part `win` (see searchCoset) for z = xs − shift, the
 * shift given by `minus` (1: −¼ coset).
 */
function buildCode(minus: number, win: number, flip: number): number {
  const shift = minus ? -0.25 : 0.25;
  let neg = 0;
  for (let i = 0; i < 8; i++) {
    const z = xs[i]! - shift;
    if (z < 0) neg |= 1 << i;
    u[i] = Math.abs(z);
  }
  let row: number;
  let mask: number;
  if (win >= 7) {
    row = EXTRA_FIRST + win - 7;
    mask = neg ^ flip;
  } else {
    // insertion sort with indices, descending (stable: ties keep coordinate order)
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
    let key = 0;
    const pb = win * 8;
    for (let k = 0; k < 8; k++) key |= PATTERN_DIGITS[pb + k]! << (2 * si[k]!);
    row = ROW_OF_KEY[key]!;
    let np = neg ^ (neg >> 4);
    np ^= np >> 2;
    np = (np ^ (np >> 1)) & 1;
    // parity of Σa: k for patterns 0…4, (6 + k) for patterns 5, 6
    const sumParity = win <= 4 ? win & 1 : win - 5;
    mask = sumParity === np ? neg : neg ^ (1 << si[7]!);
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
  for (let i = 0; i < 8; i++) xs[i] = x[offset + i]! * invScale;
  const lbPlus = latticeBound(0.25);
  const lbMinus = latticeBound(-0.25);
  if (lbPlus <= lbMinus) {
    searchCoset(0.25);
    const dPlus = resCost[0]!;
    if (lbMinus >= dPlus) return buildCode(0, resWin, resFlip);
    const winPlus = resWin;
    const flipPlus = resFlip;
    searchCoset(-0.25);
    if (dPlus <= resCost[0]!) return buildCode(0, winPlus, flipPlus);
    return buildCode(1, resWin, resFlip);
  }
  searchCoset(-0.25);
  const dMinus = resCost[0]!;
  if (lbPlus > dMinus) return buildCode(1, resWin, resFlip);
  const winMinus = resWin;
  const flipMinus = resFlip;
  searchCoset(0.25);
  if (resCost[0]! <= dMinus) return buildCode(0, resWin, resFlip);
  return buildCode(1, winMinus, flipMinus);
}

/**
 * Squared distance from xs − shift to the nearest point of the whole coset D̂8 (half-integer
 * coordinates, even sum): a lower bound on the distance to any codeword with that shift, used
 * to skip the second coset's search.
 */
function latticeBound(shift: number): number {
  let d = 0;
  let sum = 0;
  let minExtra = 2;
  for (let i = 0; i < 8; i++) {
    const z = xs[i]! - shift;
    const r = Math.floor(z) + 0.5;
    const e = z - r;
    d += e * e;
    sum += r;
    // moving to the other neighbour costs (1 − |e|)² − e² = 1 − 2|e|
    const extra = 1 - 2 * Math.abs(e);
    if (extra < minExtra) minExtra = extra;
  }
  return (sum & 1) === 0 ? d : d + minExtra;
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
