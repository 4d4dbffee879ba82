// Planning a safetensors file for writing: pure functions, no Node imports.
import { CalderaError, describeValue } from '@caldera/core';
import { dtypeItemSize, isDType } from '../dtype/dtype-info';
import type { DType } from '../model/model-source';
import {
  SAFETENSORS_MAX_HEADER_BYTES,
  shapeElementCount,
  tensorByteLength,
  validateMetadata,
} from './header';
import type { SafetensorsTensorInfo } from './types';

/**
 * What a writer needs to know about a tensor before its data: name, dtype and shape.
 *
 * @example
 * ```ts
 * const spec: TensorSpec = { name: 'w', dtype: 'BF16', shape: [4, 8] };
 * ```
 */
export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: readonly number[];
}

/**
 * The planned layout of a safetensors file.
 *
 * @example
 * ```ts
 * const layout: SafetensorsLayout = planSafetensors([{ name: 'w', dtype: 'F32', shape: [2] }]);
 * layout.totalBytes; // header + 8 bytes of data
 * ```
 */
export interface SafetensorsLayout {
  /** The 8-byte length followed by the space-padded JSON header. */
  header: Uint8Array;
  /** Tensors in data order, with their offsets relative to the data region. */
  tensors: SafetensorsTensorInfo[];
  /** Absolute offset of the data region (`header.length`). */
  dataOffset: number;
  /** Size of the whole file. */
  totalBytes: number;
}

/**
 * The canonical data order of a writer: larger items first (so every tensor starts at an
 * offset aligned to its item size), then by name (UTF-16 code-unit order).
 *
 * @param a - first tensor
 * @param b - second tensor
 * @returns negative, zero or positive, as `Array.prototype.sort` expects
 * @example
 * ```ts
 * [{ name: 'b', dtype: 'F32' as const }, { name: 'a', dtype: 'U8' as const }].sort(compareTensorOrder);
 * ```
 */
export function compareTensorOrder(
  a: { name: string; dtype: DType },
  b: { name: string; dtype: DType },
): number {
  const d = dtypeItemSize(b.dtype) - dtypeItemSize(a.dtype);
  if (d !== 0) return d;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Validates tensor specs (name, dtype, shape, no duplicates, not `__metadata__`) and returns
 * their byte sizes in the canonical data order.
 *
 * @param specs - tensors to write
 * @returns the specs sorted by {@link compareTensorOrder} with their byte lengths
 * @throws CalderaError `SAFETENSORS_BAD_TENSOR_ENTRY`, `SAFETENSORS_UNKNOWN_DTYPE`, `SAFETENSORS_BAD_SHAPE`, `SAFETENSORS_DUPLICATE_TENSOR`
 * @example
 * ```ts
 * orderTensorSpecs([{ name: 'w', dtype: 'F16', shape: [3] }])[0]!.byteLength; // 6
 * ```
 */
export function orderTensorSpecs(
  specs: readonly TensorSpec[],
): Array<TensorSpec & { byteLength: number }> {
  const seen = new Set<string>();
  const out: Array<TensorSpec & { byteLength: number }> = [];
  for (const s of specs) {
    if (typeof s.name !== 'string' || s.name === '__metadata__') {
      throw new CalderaError(
        'SAFETENSORS_BAD_TENSOR_ENTRY',
        `safetensors: invalid tensor name ${describeValue(s.name)}`,
      );
    }
    if (seen.has(s.name)) {
      throw new CalderaError(
        'SAFETENSORS_DUPLICATE_TENSOR',
        `safetensors: tensor ${describeValue(s.name)} is given twice`,
        { details: { tensor: s.name } },
      );
    }
    seen.add(s.name);
    if (!isDType(s.dtype)) {
      throw new CalderaError(
        'SAFETENSORS_UNKNOWN_DTYPE',
        `safetensors: tensor ${describeValue(s.name)} has unknown dtype ${describeValue(s.dtype)}`,
      );
    }
    const count = shapeElementCount(s.shape, s.name);
    out.push({
      name: s.name,
      dtype: s.dtype,
      shape: s.shape.slice(),
      byteLength: tensorByteLength(s.dtype, count, s.name),
    });
  }
  return out.sort(compareTensorOrder);
}

/**
 * Plans a file: canonical tensor order, offsets, and the header bytes (compact JSON, tensors
 * in data order, `__metadata__` last with sorted keys and omitted when empty, padded with
 * spaces to a multiple of 8 bytes). Reading a file written this way and writing it again
 * gives the same bytes.
 *
 * @param specs - tensors to write
 * @param metadata - optional `__metadata__` strings
 * @returns the layout
 * @throws CalderaError as {@link orderTensorSpecs}, plus `SAFETENSORS_BAD_METADATA` and `SAFETENSORS_HEADER_TOO_LARGE`
 * @example
 * ```ts
 * const { header, totalBytes } = planSafetensors([{ name: 'w', dtype: 'U8', shape: [3] }], { format: 'pt' });
 * header.length % 8; // 0
 * ```
 */
export function planSafetensors(
  specs: readonly TensorSpec[],
  metadata: Readonly<Record<string, string>> = {},
): SafetensorsLayout {
  const meta = validateMetadata(metadata);
  const ordered = orderTensorSpecs(specs);
  const parts: string[] = [];
  const tensors: SafetensorsTensorInfo[] = [];
  let pos = 0;
  for (const s of ordered) {
    const begin = pos;
    pos += s.byteLength;
    tensors.push({
      name: s.name,
      dtype: s.dtype,
      shape: s.shape.slice(),
      dataOffsets: [begin, pos],
    });
    parts.push(
      `${JSON.stringify(s.name)}:{"dtype":"${s.dtype}","shape":${JSON.stringify(s.shape)},"data_offsets":[${begin},${pos}]}`,
    );
  }
  const metaKeys = Object.keys(meta).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (metaKeys.length > 0) {
    const entries = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`);
    parts.push(`"__metadata__":{${entries.join(',')}}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > SAFETENSORS_MAX_HEADER_BYTES) {
    throw new CalderaError(
      'SAFETENSORS_HEADER_TOO_LARGE',
      `safetensors: the header of ${tensors.length} tensors would take ${padded} bytes, over the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`,
    );
  }
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setUint32(0, padded, true);
  header.set(json, 8);
  return { header, tensors, dataOffset: header.length, totalBytes: header.length + pos };
}
