import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { CalderaError, describeValue } from './error';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * A seeded pseudo-random generator (xoroshiro128+ from `pure-rand`). Every random choice in
 * caldera-ts takes one, so that runs are reproducible and resume fingerprints are stable.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const u = rng.nextFloat(); // in [0, 1)
 * const g = rng.nextGaussian(); // N(0, 1)
 * ```
 */
export class Rng {
  private gen: JumpableRandomGenerator;
  private spare = Number.NaN;

  /**
   * @param seed - an integer seed (values are truncated to 32 bits)
   * @throws CalderaError `INVALID_ARGUMENT` when the seed is not a finite number
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `Rng: seed must be a finite number, got ${describeValue(seed)}`,
      );
    }
    this.gen = xoroshiro128plus(seed | 0);
  }

  /**
   * Restores a generator from {@link Rng.getState}.
   *
   * @param state - the saved state
   * @returns a generator that continues the saved sequence
   * @example
   * ```ts
   * const a = new Rng(1); a.nextUint32();
   * const b = Rng.fromState(a.getState());
   * a.nextUint32() === b.nextUint32(); // true
   * ```
   */
  static fromState(state: readonly number[]): Rng {
    const r = new Rng(0);
    r.gen = xoroshiro128plusFromState(state);
    return r;
  }

  /**
   * The generator's internal state, for checkpoints.
   *
   * @returns a copy of the state
   * @example
   * ```ts
   * new Rng(3).getState().length; // 4
   * ```
   */
  getState(): number[] {
    return [...this.gen.getState()];
  }

  /**
   * A uniform 32-bit unsigned integer.
   *
   * @returns an integer in [0, 2^32)
   * @example
   * ```ts
   * new Rng(1).nextUint32() >= 0; // true
   * ```
   */
  nextUint32(): number {
    return this.gen.next() >>> 0;
  }

  /**
   * A uniform float with 53 random bits.
   *
   * @returns a number in [0, 1)
   * @example
   * ```ts
   * const x = new Rng(1).nextFloat(); // 0 <= x < 1
   * ```
   */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /**
   * A uniform integer in [0, n), without modulo bias.
   *
   * @param n - the exclusive upper bound, 1 ≤ n ≤ 2^32
   * @returns an integer in [0, n)
   * @example
   * ```ts
   * new Rng(7).nextInt(10); // 0..9
   * ```
   */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `Rng.nextInt: n must be an integer in [1, 2^32], got ${describeValue(n)}`,
      );
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const v = this.nextUint32();
      if (v < limit) return v % n;
    }
  }

  /**
   * A standard normal sample (Box–Muller, the second value cached).
   *
   * @returns a sample of N(0, 1)
   * @example
   * ```ts
   * const g = new Rng(5).nextGaussian();
   * ```
   */
  nextGaussian(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Fills an array with N(mean, std²) samples.
   *
   * @param out - the array to fill
   * @param mean - the mean (default 0)
   * @param std - the standard deviation (default 1)
   * @returns `out`
   * @example
   * ```ts
   * const x = new Rng(1).fillGaussian(new Float32Array(16));
   * ```
   */
  fillGaussian<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.nextGaussian();
    return out;
  }

  /**
   * Random signs ±1, as used by the randomized Hadamard transform.
   *
   * @param n - how many
   * @returns a Float32Array of +1/−1
   * @example
   * ```ts
   * new Rng(1).signs(4); // e.g. Float32Array [1, -1, -1, 1]
   * ```
   */
  signs(n: number): Float32Array {
    const out = new Float32Array(n);
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 31) === 0) bits = this.nextUint32();
      out[i] = (bits >>> (i & 31)) & 1 ? -1 : 1;
    }
    return out;
  }

  /**
   * Shuffles an array in place (Fisher–Yates).
   *
   * @param items - the array
   * @returns `items`
   * @example
   * ```ts
   * new Rng(2).shuffle([1, 2, 3]);
   * ```
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}
