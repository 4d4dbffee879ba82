/**
 * Working memory shared by all layers of a kind: forward passes run one layer at a time, so
 * one growing buffer per slot serves every layer, and a compressed model's resident memory
 * stays at its packed size instead of carrying a scratch tile per layer.
 */

const slots: Float32Array[] = [];

/**
 * Named scratch slots. A layer may use several slots at once but never calls another layer
 * while it holds one.
 *
 * @example
 * ```ts
 * const tile = scratch(ScratchSlot.Tile, 4096);
 * ```
 */
export const ScratchSlot = {
  /** Rotated input rows (CALDERA). */
  Input: 0,
  /** Low-rank intermediate rows (CALDERA, low-rank). */
  Inner: 1,
  /** A dequantised weight tile or factor. */
  Tile: 2,
  /** A second dequantised factor. */
  Tile2: 3,
  /** Hadamard mixing buffers. */
  Mix: 4,
  Mix2: 5,
} as const;

/**
 * A float32 buffer of at least `size` values for a slot (contents undefined; grows, never
 * shrinks).
 *
 * @param slot - one of {@link ScratchSlot}
 * @param size - values needed
 * @returns the slot's buffer
 * @example
 * ```ts
 * const buf = scratch(ScratchSlot.Inner, rows * rank);
 * ```
 */
export function scratch(slot: number, size: number): Float32Array {
  let b = slots[slot];
  if (b === undefined || b.length < size) {
    b = new Float32Array(Math.max(size, 2 * (b?.length ?? 0)));
    slots[slot] = b;
  }
  return b;
}

let slot64 = new Float64Array(0);

/**
 * The one shared float64 scratch (a float64 copy of a kernel's input vector), contents
 * undefined; grows, never shrinks. Only one holder at a time: take it, fill it, use it, and
 * do not call another layer in between.
 *
 * @param size - values needed
 * @returns the buffer
 * @example
 * ```ts
 * const x64 = scratch64(n);
 * ```
 */
export function scratch64(size: number): Float64Array {
  if (slot64.length < size) slot64 = new Float64Array(Math.max(size, 2 * slot64.length));
  return slot64;
}
