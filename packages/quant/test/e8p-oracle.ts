import { E8P_ABS_TABLE, e8pCodebook } from '../src/e8p-codebook';

/**
 * Test oracles for E8P12 encoding, independent of the fast encoder's pattern logic.
 */

let norms: Float64Array | undefined;

/**
 * Brute-force nearest codeword over all 65,536 entries (‖c‖² − 2⟨x, c⟩, first index on ties).
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @returns the code
 * @example
 * ```ts
 * bruteForceNearest(new Float64Array(8).fill(0.25), 0); // 1
 * ```
 */
export function bruteForceNearest(x: ArrayLike<number>, offset: number): number {
  const t = e8pCodebook();
  if (!norms) {
    norms = new Float64Array(65536);
    for (let c = 0; c < 65536; c++) {
      let s = 0;
      for (let i = 0; i < 8; i++) s += t[c * 8 + i]! ** 2;
      norms[c] = s;
    }
  }
  const [a0, a1, a2, a3, a4, a5, a6, a7] = Array.from({ length: 8 }, (_, i) => x[offset + i]!);
  let best = Number.POSITIVE_INFINITY;
  let bc = -1;
  for (let c = 0; c < 65536; c++) {
    const b = c * 8;
    const d =
      norms[c]! -
      2 *
        (a0! * t[b]! +
          a1! * t[b + 1]! +
          a2! * t[b + 2]! +
          a3! * t[b + 3]! +
          a4! * t[b + 4]! +
          a5! * t[b + 5]! +
          a6! * t[b + 6]! +
          a7! * t[b + 7]!);
    if (d < best) {
      best = d;
      bc = c;
    }
  }
  return bc;
}

/**
 * Nearest codeword by a plain search over both shifts × all 256 abs rows: for each row the
 * signs follow z = x − shift, and if the sign count has the wrong parity for a D̂8 point the
 * coordinate with the cheapest flip (least |z_i|·a_i) is negated. No sorting, no patterns, no
 * pruning.
 *
 * @param x - source array
 * @param offset - index of the first of the 8 values
 * @param out - receives the 8 coordinates of the nearest codeword
 * @returns the squared distance
 * @example
 * ```ts
 * rowSearchNearest(new Float64Array(8), 0, new Float64Array(8));
 * ```
 */
export function rowSearchNearest(x: ArrayLike<number>, offset: number, out: Float64Array): number {
  let best = Number.POSITIVE_INFINITY;
  const u = new Float64Array(8);
  for (let t = 0; t < 2; t++) {
    const shift = t === 0 ? 0.25 : -0.25;
    let neg = 0;
    for (let i = 0; i < 8; i++) {
      const z = x[offset + i]! - shift;
      u[i] = Math.abs(z);
      if (z < 0) neg++;
    }
    for (let r = 0; r < 256; r++) {
      let sumA = 0;
      let d = 0;
      let flipI = 0;
      let flipCost = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 8; i++) {
        const a = E8P_ABS_TABLE[r * 8 + i]!;
        const e = u[i]! - a;
        sumA += a;
        d += e * e;
        const fc = 4 * u[i]! * a; // (u + a)² − (u − a)²
        if (fc < flipCost) {
          flipCost = fc;
          flipI = i;
        }
      }
      const ok = (neg - sumA) % 2 === 0;
      if (!ok) d += flipCost;
      if (d < best) {
        best = d;
        for (let i = 0; i < 8; i++) {
          let s = x[offset + i]! - shift < 0 ? -1 : 1;
          if (!ok && i === flipI) s = -s;
          out[i] = s * E8P_ABS_TABLE[r * 8 + i]! + shift;
        }
      }
    }
  }
  return best;
}
