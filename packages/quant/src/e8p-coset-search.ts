import { E8P_ABS_TABLE } from './e8p-codebook';

/**
 * The coset search kernel of the E8P12 encoder (e8p-encode.ts, algorithms.md §6.1): for one
 * shifted coset, branch-free descending ranks of |z|, the 7 permutation-closed patterns scored
 * by prefix sums, the 29 norm²-12 rows scanned only when their bound can win; and the lattice
 * lower bounds of both cosets. Works on module-level scratch (no allocation per call; doubles
 * live in typed arrays, not in arguments or return values, so nothing is boxed across the
 * non-inlined calls). Internal: not exported from the package.
 */

/** Local alias of the abs table (a plain module constant in the hot loop). */
const ABS: Float64Array = E8P_ABS_TABLE;

/** Index of the first of the 29 rows of norm² 12 in the abs table. */
export const EXTRA_FIRST = 227;
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

/** The 8 inputs of the vector being encoded (already multiplied by 1 / scale). */
export const xs = new Float64Array(8);
/** searchCoset's result ‖z − y‖². */
export const resCost = new Float64Array(1);
/** latticeBounds' lower bounds [+¼, −¼]. */
export const bounds = new Float64Array(2);
/** Descending ranks of |z| per coset searched (slot 0: +¼, slot 1: −¼). */
export const ranks = new Int32Array(16);
/** |z| in descending order. */
const sv = new Float64Array(8);
const u = new Float64Array(8);
/**
 * Result of searchCoset: [0] winner 0…6 = pattern, 7 + j = extra row j; [1] the flip mask of
 * the latest extra row that won (only meaningful when [0] ≥ 7).
 */
export const searchResult = new Int32Array(2);

/**
 * Best D̂8 part for z = xs − shift: sets resCost[0] = ‖z − y‖² and searchResult. Sorting is a
 * value-only 19-comparator network; the winner's coordinates are rebuilt by the caller.
 */
export function searchCoset(shift: number, slot: number): void {
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
        searchResult[1] = flip;
      }
    }
  }
  searchResult[0] = win;
  resCost[0] = zz - 2 * best;
}

/**
 * Squared distances from xs ∓ ¼ to the nearest points of the whole cosets D̂8 (half-integer
 * coordinates, even sum) into `bounds` [+¼, −¼]: lower bounds on the distance to any codeword
 * with that shift, used to skip the second coset's search.
 */
export function latticeBounds(): void {
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
