/**
 * Rotary position embeddings. Pair j of a head (0 ≤ j < headDim/2) rotates by the angle
 * `pos · θ^(−2j/headDim)`. Which two coordinates form pair j depends on the convention:
 * `half` (Hugging Face): (j, j + headDim/2); `interleaved` (llama2.c / Meta): (2j, 2j + 1).
 * Angles are computed in float64 and tabulated once per model.
 */
import type { RopeStyle } from '@caldera/io';

/**
 * Precomputed cos/sin of every (position, pair): `cos[pos · half + j]`, `sin[…]`.
 *
 * @example
 * ```ts
 * const t: RopeTable = buildRopeTable(8, 16, 10000);
 * t.half; // 4
 * ```
 */
export interface RopeTable {
  /** Number of positions tabulated. */
  readonly positions: number;
  /** headDim / 2. */
  readonly half: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

/**
 * Tabulates the rotation angles.
 *
 * @param headDim - size of one head (even)
 * @param positions - how many positions to tabulate
 * @param theta - the RoPE base (10000 for Llama 2)
 * @returns the table
 * @example
 * ```ts
 * const t = buildRopeTable(4, 2, 10000);
 * t.cos[2]; // cos(1) (position 1, pair 0)
 * ```
 */
export function buildRopeTable(headDim: number, positions: number, theta: number): RopeTable {
  const half = headDim >> 1;
  const cos = new Float64Array(positions * half);
  const sin = new Float64Array(positions * half);
  for (let j = 0; j < half; j++) {
    const freq = theta ** (-(2 * j) / headDim);
    for (let p = 0; p < positions; p++) {
      const a = p * freq;
      cos[p * half + j] = Math.cos(a);
      sin[p * half + j] = Math.sin(a);
    }
  }
  return { positions, half, cos, sin };
}

/**
 * Rotates every head of `rows` rows in place; row r is at position `pos0 + r`.
 *
 * @param x - rows × (heads·headDim) row-major, rotated in place
 * @param rows - number of rows
 * @param heads - heads per row
 * @param headDim - size of one head
 * @param pos0 - position of the first row
 * @param table - the angle table (must cover `pos0 + rows` positions)
 * @param style - `half` or `interleaved`
 * @example
 * ```ts
 * const q = Float32Array.of(1, 0);
 * applyRope(q, 1, 1, 2, 1, buildRopeTable(2, 2, 10000), 'half'); // q ≈ [cos 1, sin 1]
 * ```
 */
export function applyRope(
  x: Float32Array,
  rows: number,
  heads: number,
  headDim: number,
  pos0: number,
  table: RopeTable,
  style: RopeStyle,
): void {
  const half = headDim >> 1;
  const width = heads * headDim;
  const { cos, sin } = table;
  const da = style === 'half' ? 1 : 2;
  const db = style === 'half' ? half : 1;
  for (let r = 0; r < rows; r++) {
    const t = (pos0 + r) * half;
    for (let h = 0; h < heads; h++) {
      const base = r * width + h * headDim;
      for (let j = 0; j < half; j++) {
        const ia = base + j * da;
        const ib = ia + db;
        const a = x[ia]!;
        const b = x[ib]!;
        const c = cos[t + j]!;
        const s = sin[t + j]!;
        x[ia] = a * c - b * s;
        x[ib] = a * s + b * c;
      }
    }
  }
}
