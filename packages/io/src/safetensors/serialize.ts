// In-memory safetensors writing (browser-safe: no Node imports).
import { CalderaError, describeValue } from '@caldera/core';
import { bytesOf, type TensorBytes } from './bytes';
import { planSafetensors, type TensorSpec } from './layout';

/**
 * A tensor with its data in memory.
 *
 * @example
 * ```ts
 * const t: TensorWithData = { name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
 * ```
 */
export interface TensorWithData extends TensorSpec {
  /** Raw little-endian bytes or a typed array of exactly `count × itemsize` bytes. */
  data: TensorBytes;
}

/**
 * Checks that a tensor's data has exactly the size its dtype and shape imply.
 *
 * @param name - tensor name, for the message
 * @param expected - bytes implied by dtype and shape
 * @param actual - bytes given
 * @throws CalderaError `SAFETENSORS_SIZE_MISMATCH`
 * @example
 * ```ts
 * checkDataSize('w', 8, 8); // ok
 * ```
 */
export function checkDataSize(name: string, expected: number, actual: number): void {
  if (expected !== actual) {
    throw new CalderaError(
      'SAFETENSORS_SIZE_MISMATCH',
      `safetensors: tensor ${describeValue(name)} needs ${expected} bytes of data but got ${actual}`,
      { details: { tensor: name, expected, actual } },
    );
  }
}

/**
 * Builds a whole safetensors file in memory, in the canonical layout of
 * {@link planSafetensors} (so the same tensors always give the same bytes).
 *
 * @param tensors - tensors with their data
 * @param metadata - optional `__metadata__` strings
 * @returns the file's bytes
 * @throws CalderaError the codes of {@link planSafetensors}, and `SAFETENSORS_SIZE_MISMATCH` when a tensor's data has the wrong size
 * @example
 * ```ts
 * const bytes = serializeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }], { format: 'pt' });
 * ```
 */
export function serializeSafetensors(
  tensors: readonly TensorWithData[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const layout = planSafetensors(tensors, metadata);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const t of layout.tensors) {
    checkDataSize(t.name, t.dataOffsets[1] - t.dataOffsets[0], byName.get(t.name)!.data.byteLength);
  }
  const out = new Uint8Array(layout.totalBytes);
  out.set(layout.header, 0);
  for (const t of layout.tensors) {
    out.set(bytesOf(byName.get(t.name)!.data), layout.dataOffset + t.dataOffsets[0]);
  }
  return out;
}
