import { CalderaError } from '@caldera/core';

/**
 * The 8-bit E8 codebook of E8P12RVQ3B's second stage (algorithms.md §6.2): the 241 points of
 * E8 with norm² ≤ 2 (zero, the 112 integer roots, the 128 half-integer roots), then
 * +2e₁…+2e₈ and −2e₁…−2e₇ — 256 entries.
 *
 * Order: integer points of {−4…3}⁸ in odometer order (last coordinate fastest) filtered to
 * E8 ∩ {norm² ≤ 2}, then the half-integer points of {−3.5…3.5}⁸ likewise, then the 15 extra
 * vectors. Norm² ≤ 2 forces integer coordinates into {−1,0,1} and half-integer ones into
 * {±½}, so the odometers run over those sets directly (same relative order).
 */

/**
 * Number of entries of the E8 root codebook.
 *
 * @example
 * ```ts
 * E8_ROOT_CODEBOOK.length === 8 * E8_ROOT_CODEBOOK_SIZE; // true
 * ```
 */
export const E8_ROOT_CODEBOOK_SIZE = 256;

function buildRoots(): Float64Array {
  const out = new Float64Array(E8_ROOT_CODEBOOK_SIZE * 8);
  let r = 0;
  const v = new Float64Array(8);
  // integer points: digits 0..2 → −1, 0, 1
  for (let idx = 0; idx < 3 ** 8; idx++) {
    let t = idx;
    for (let i = 7; i >= 0; i--) {
      v[i] = (t % 3) - 1;
      t = Math.floor(t / 3);
    }
    let n2 = 0;
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      n2 += v[i]! * v[i]!;
      sum += v[i]!;
    }
    if (n2 > 2 || sum % 2 !== 0) continue;
    out.set(v, 8 * r++);
  }
  // half-integer points: bit 1 → +½, 0 → −½ (odometer, −½ first)
  for (let idx = 0; idx < 256; idx++) {
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      v[i] = (idx >> (7 - i)) & 1 ? 0.5 : -0.5;
      sum += v[i]!;
    }
    if (sum % 2 !== 0) continue;
    out.set(v, 8 * r++);
  }
  for (let i = 0; i < 8; i++) out[8 * r++ + i] = 2;
  for (let i = 0; i < 7; i++) out[8 * r++ + i] = -2;
  if (r !== E8_ROOT_CODEBOOK_SIZE) {
    throw new CalderaError('INTERNAL', `E8 root codebook: built ${r} entries, expected 256`);
  }
  return out;
}

/**
 * The 256 × 8 E8 root codebook (row-major, float64).
 *
 * @example
 * ```ts
 * Array.from(E8_ROOT_CODEBOOK.subarray(0, 8)); // [-1, -1, 0, 0, 0, 0, 0, 0]
 * ```
 */
export const E8_ROOT_CODEBOOK: Float64Array = buildRoots();

const ROOT_NORMS: Float64Array = (() => {
  const out = new Float64Array(E8_ROOT_CODEBOOK_SIZE);
  for (let c = 0; c < E8_ROOT_CODEBOOK_SIZE; c++) {
    let s = 0;
    for (let i = 0; i < 8; i++) s += E8_ROOT_CODEBOOK[c * 8 + i]! ** 2;
    out[c] = s;
  }
  return out;
})();

/**
 * Nearest entry of the E8 root codebook (squared Euclidean; the first index on exact ties).
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @returns the 8-bit code
 * @example
 * ```ts
 * e8RootEncodeOne(new Float64Array(8), 0); // the index of the zero vector
 * ```
 */
export function e8RootEncodeOne(x: ArrayLike<number>, offset: number): number {
  const x0 = x[offset]!;
  const x1 = x[offset + 1]!;
  const x2 = x[offset + 2]!;
  const x3 = x[offset + 3]!;
  const x4 = x[offset + 4]!;
  const x5 = x[offset + 5]!;
  const x6 = x[offset + 6]!;
  const x7 = x[offset + 7]!;
  const t = E8_ROOT_CODEBOOK;
  let best = Number.POSITIVE_INFINITY;
  let bc = 0;
  for (let c = 0; c < E8_ROOT_CODEBOOK_SIZE; c++) {
    const b = c * 8;
    const d =
      ROOT_NORMS[c]! -
      2 *
        (x0 * t[b]! +
          x1 * t[b + 1]! +
          x2 * t[b + 2]! +
          x3 * t[b + 3]! +
          x4 * t[b + 4]! +
          x5 * t[b + 5]! +
          x6 * t[b + 6]! +
          x7 * t[b + 7]!);
    if (d < best) {
      best = d;
      bc = c;
    }
  }
  return bc;
}
