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
 *
 * Speed (no allocation, few unpredictable branches): |z| is ordered by branch-free ranks
 * (28 comparisons turned into 0/1 counts; ties rank the lower index first) and scattered into
 * sorted order; the ranks of each searched coset are kept, so the winner's code is rebuilt
 * without sorting again. The second coset is searched only when its lattice lower bound
 * (distance to the nearest point of the whole coset) beats the first coset's best. Inputs are
 * copied by type-specialised loops (monomorphic typed-array loads). The test oracles of
 * test/e8p-oracle.ts (brute force over all 65,536 codewords and a plain 256-row search) are
 * the reference.
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
const bounds = new Float64Array(2);
/** Descending ranks of |z| per coset searched (slot 0: +¼, slot 1: −¼). */
const ranks = new Int32Array(16);
/** |z| in descending order. */
const sv = new Float64Array(8);
const u = new Float64Array(8);
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
function searchCoset(shift: number, slot: number): void {
  const z0 = xs[0]! - shift;
  const z1 = xs[1]! - shift;
  const z2 = xs[2]! - shift;
  const z3 = xs[3]! - shift;
  const z4 = xs[4]! - shift;
  const z5 = xs[5]! - shift;
  const z6 = xs[6]! - shift;
  const z7 = xs[7]! - shift;
  const u0 = Math.abs(z0);
  const u1 = Math.abs(z1);
  const u2 = Math.abs(z2);
  const u3 = Math.abs(z3);
  const u4 = Math.abs(z4);
  const u5 = Math.abs(z5);
  const u6 = Math.abs(z6);
  const u7 = Math.abs(z7);
  const zz = z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3 + z4 * z4 + z5 * z5 + z6 * z6 + z7 * z7;
  const np =
    Number(z0 < 0) ^
    Number(z1 < 0) ^
    Number(z2 < 0) ^
    Number(z3 < 0) ^
    Number(z4 < 0) ^
    Number(z5 < 0) ^
    Number(z6 < 0) ^
    Number(z7 < 0);
  // descending ranks (branch-free; ties: the lower index ranks first), kept for buildCode,
  // and the values scattered into sorted order
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let r4 = 0;
  let r5 = 0;
  let r6 = 0;
  let r7 = 0;
  let c: number;
  c = Number(u1 > u0);
  r0 += c;
  r1 += 1 - c;
  c = Number(u2 > u0);
  r0 += c;
  r2 += 1 - c;
  c = Number(u3 > u0);
  r0 += c;
  r3 += 1 - c;
  c = Number(u4 > u0);
  r0 += c;
  r4 += 1 - c;
  c = Number(u5 > u0);
  r0 += c;
  r5 += 1 - c;
  c = Number(u6 > u0);
  r0 += c;
  r6 += 1 - c;
  c = Number(u7 > u0);
  r0 += c;
  r7 += 1 - c;
  c = Number(u2 > u1);
  r1 += c;
  r2 += 1 - c;
  c = Number(u3 > u1);
  r1 += c;
  r3 += 1 - c;
  c = Number(u4 > u1);
  r1 += c;
  r4 += 1 - c;
  c = Number(u5 > u1);
  r1 += c;
  r5 += 1 - c;
  c = Number(u6 > u1);
  r1 += c;
  r6 += 1 - c;
  c = Number(u7 > u1);
  r1 += c;
  r7 += 1 - c;
  c = Number(u3 > u2);
  r2 += c;
  r3 += 1 - c;
  c = Number(u4 > u2);
  r2 += c;
  r4 += 1 - c;
  c = Number(u5 > u2);
  r2 += c;
  r5 += 1 - c;
  c = Number(u6 > u2);
  r2 += c;
  r6 += 1 - c;
  c = Number(u7 > u2);
  r2 += c;
  r7 += 1 - c;
  c = Number(u4 > u3);
  r3 += c;
  r4 += 1 - c;
  c = Number(u5 > u3);
  r3 += c;
  r5 += 1 - c;
  c = Number(u6 > u3);
  r3 += c;
  r6 += 1 - c;
  c = Number(u7 > u3);
  r3 += c;
  r7 += 1 - c;
  c = Number(u5 > u4);
  r4 += c;
  r5 += 1 - c;
  c = Number(u6 > u4);
  r4 += c;
  r6 += 1 - c;
  c = Number(u7 > u4);
  r4 += c;
  r7 += 1 - c;
  c = Number(u6 > u5);
  r5 += c;
  r6 += 1 - c;
  c = Number(u7 > u5);
  r5 += c;
  r7 += 1 - c;
  c = Number(u7 > u6);
  r6 += c;
  r7 += 1 - c;
  const rb = slot * 8;
  ranks[rb] = r0;
  ranks[rb + 1] = r1;
  ranks[rb + 2] = r2;
  ranks[rb + 3] = r3;
  ranks[rb + 4] = r4;
  ranks[rb + 5] = r5;
  ranks[rb + 6] = r6;
  ranks[rb + 7] = r7;
  sv[r0] = u0;
  sv[r1] = u1;
  sv[r2] = u2;
  sv[r3] = u3;
  sv[r4] = u4;
  sv[r5] = u5;
  sv[r6] = u6;
  sv[r7] = u7;
  const a0 = sv[0]!;
  const a1 = sv[1]!;
  const a2 = sv[2]!;
  const a3 = sv[3]!;
  const a4 = sv[4]!;
  const a5 = sv[5]!;
  const a6 = sv[6]!;
  const a7 = sv[7]!;
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
    u[0] = u0;
    u[1] = u1;
    u[2] = u2;
    u[3] = u3;
    u[4] = u4;
    u[5] = u5;
    u[6] = u6;
    u[7] = u7;
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
    if (lbMinus >= dPlus) return buildCode(0, resWin, resFlip);
    const winPlus = resWin;
    const flipPlus = resFlip;
    searchCoset(-0.25, 1);
    if (dPlus <= resCost[0]!) return buildCode(0, winPlus, flipPlus);
    return buildCode(1, resWin, resFlip);
  }
  searchCoset(-0.25, 1);
  const dMinus = resCost[0]!;
  if (lbPlus > dMinus) return buildCode(1, resWin, resFlip);
  const winMinus = resWin;
  const flipMinus = resFlip;
  searchCoset(0.25, 0);
  if (resCost[0]! <= dMinus) return buildCode(0, resWin, resFlip);
  return buildCode(1, winMinus, flipMinus);
}

/**
 * Squared distances from xs ∓ ¼ to the nearest points of the whole cosets D̂8 (half-integer
 * coordinates, even sum) into `bounds` [+¼, −¼]: lower bounds on the distance to any codeword
 * with that shift, used to skip the second coset's search.
 */
function latticeBounds(): void {
  let dp = 0;
  let sp = 0;
  let mp = 2;
  let dm = 0;
  let sm = 0;
  let mm = 2;
  for (let i = 0; i < 8; i++) {
    const x = xs[i]!;
    const zp = x - 0.25;
    const rp = Math.floor(zp) + 0.5;
    const ep = zp - rp;
    dp += ep * ep;
    sp += rp;
    // moving to the other neighbour costs (1 − |e|)² − e² = 1 − 2|e|
    const xp = 1 - 2 * Math.abs(ep);
    if (xp < mp) mp = xp;
    const zm = x + 0.25;
    const rm = Math.floor(zm) + 0.5;
    const em = zm - rm;
    dm += em * em;
    sm += rm;
    const xm = 1 - 2 * Math.abs(em);
    if (xm < mm) mm = xm;
  }
  bounds[0] = (sp & 1) === 0 ? dp : dp + mp;
  bounds[1] = (sm & 1) === 0 ? dm : dm + mm;
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
