/**
 * The key/value cache of one inference session: per layer, keys and values of every position
 * so far, position-major (`position · kvHeads·headDim`).
 */

/**
 * Preallocated per-layer key and value buffers for `capacity` positions.
 *
 * @example
 * ```ts
 * const cache = new KvCache(2, 128, 64);
 * cache.keys[0]!.length; // 128 · 64
 * ```
 */
export class KvCache {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];

  /**
   * @param layers - number of decoder blocks
   * @param capacity - positions held
   * @param width - kvHeads · headDim
   */
  constructor(
    layers: number,
    readonly capacity: number,
    readonly width: number,
  ) {
    this.keys = Array.from({ length: layers }, () => new Float32Array(capacity * width));
    this.values = Array.from({ length: layers }, () => new Float32Array(capacity * width));
  }

  /** @returns bytes held by the cache */
  byteLength(): number {
    return 2 * this.keys.length * this.capacity * this.width * 4;
  }
}
