/**
 * Low-rank linear layer `W = L·R` (L: out × k, R: k × in), applied as `L·(R·x)` so that a
 * product costs `k·(in + out)` instead of `in·out`.
 */
import { DenseLinear } from './dense-linear';
import { checkForwardArgs, checkMatrix, type Linear } from './linear';
import { ScratchSlot, scratch } from './shared-scratch';

/**
 * Two thin dense factors; the intermediate `R·x` lives in a scratch that grows with the
 * largest row count seen (no per-call allocation after that).
 *
 * @example
 * ```ts
 * const l = Float32Array.of(1, 2); // 2×1
 * const r = Float32Array.of(3, 4); // 1×2
 * const layer = new LowRankLinear(l, r, 2, 1, 2);
 * const y = new Float32Array(2);
 * layer.forward(Float32Array.of(1, 1), 1, y); // W = [[3,4],[6,8]] → y = [7, 14]
 * ```
 */
export class LowRankLinear implements Linear {
  readonly kind = 'low-rank';
  private readonly left: DenseLinear;
  private readonly right: DenseLinear;

  /**
   * @param l - L, outFeatures × rank row-major
   * @param r - R, rank × inFeatures row-major
   * @param outFeatures - output features
   * @param rank - k
   * @param inFeatures - input features
   * @throws CalderaError `SHAPE_MISMATCH` when a factor has the wrong length
   */
  constructor(
    readonly l: Float32Array,
    readonly r: Float32Array,
    readonly outFeatures: number,
    readonly rank: number,
    readonly inFeatures: number,
  ) {
    checkMatrix('LowRankLinear L', l, outFeatures, rank);
    checkMatrix('LowRankLinear R', r, rank, inFeatures);
    this.left = new DenseLinear(l, outFeatures, rank);
    this.right = new DenseLinear(r, rank, inFeatures);
  }

  /**
   * @param x - rows × inFeatures
   * @param rows - number of rows
   * @param out - rows × outFeatures
   * @throws CalderaError `SHAPE_MISMATCH`
   */
  forward(x: Float32Array, rows: number, out: Float32Array): void {
    checkForwardArgs(this, x, rows, out);
    const inner = scratch(ScratchSlot.Inner, rows * this.rank);
    this.right.forward(x, rows, inner);
    this.left.forward(inner, rows, out);
  }

  /** @returns L·R, out × in */
  toDense(): Float32Array {
    const m = this.outFeatures;
    const k = this.rank;
    const n = this.inFeatures;
    const l = this.l;
    const r = this.r;
    const w = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += l[i * k + t]! * r[t * n + j]!;
        w[i * n + j] = s;
      }
    }
    return w;
  }

  /** @returns bytes of L and R */
  residentBytes(): number {
    return this.l.byteLength + this.r.byteLength;
  }
}
