// In-memory safetensors reading (browser-safe: no Node imports).
import { CalderaError, describeValue } from '@caldera/core';
import { decodeFloat32 } from './bytes';
import { parseHeader, readHeaderLength } from './header';
import type { SafetensorsTensorInfo } from './types';

/**
 * Looks a tensor up by name.
 *
 * @param byName - the tensors by name
 * @param name - the wanted name
 * @param location - file or buffer, for the message
 * @returns its info
 * @throws CalderaError `TENSOR_NOT_FOUND`
 * @example
 * ```ts
 * const m = new Map([['w', { name: 'w', dtype: 'U8' as const, shape: [1], dataOffsets: [0, 1] as const }]]);
 * lookupTensor(m, 'w', 'buffer').dtype; // 'U8'
 * ```
 */
export function lookupTensor<T>(byName: ReadonlyMap<string, T>, name: string, location: string): T {
  const info = byName.get(name);
  if (info === undefined) {
    throw new CalderaError(
      'TENSOR_NOT_FOUND',
      `safetensors: no tensor ${describeValue(name)} in ${location}`,
      {
        details: { tensor: name, location },
      },
    );
  }
  return info;
}

/**
 * A safetensors file held in memory (e.g. a file dropped into the browser), validated on
 * construction. Reads are synchronous; {@link SafetensorsBuffer.readRaw} returns views into
 * the original bytes.
 *
 * @example
 * ```ts
 * const st = parseSafetensors(serializeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }]));
 * st.readFloat32('w'); // Float32Array [1, 2]
 * ```
 */
export class SafetensorsBuffer {
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Offset of the data region within the bytes. */
  readonly dataOffset: number;
  private readonly bytes: Uint8Array;
  private readonly list: SafetensorsTensorInfo[];
  private readonly byName: Map<string, SafetensorsTensorInfo>;

  /**
   * @param bytes - a whole safetensors file
   * @throws CalderaError any `SAFETENSORS_*` validation code (see {@link parseHeader})
   */
  constructor(bytes: Uint8Array) {
    const headerLength = readHeaderLength(bytes, bytes.length);
    const header = parseHeader(bytes.subarray(8, 8 + headerLength), bytes.length);
    this.bytes = bytes;
    this.metadata = header.metadata;
    this.dataOffset = header.dataOffset;
    this.list = header.tensors;
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /**
   * @returns every tensor, in data order (copies)
   */
  tensors(): SafetensorsTensorInfo[] {
    return this.list.map((t) => ({ ...t, shape: t.shape.slice() }));
  }

  /**
   * @param name - a tensor name
   * @returns whether the buffer holds it
   */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * @param name - a tensor name
   * @returns its info
   * @throws CalderaError `TENSOR_NOT_FOUND`
   */
  tensor(name: string): SafetensorsTensorInfo {
    const t = lookupTensor(this.byName, name, 'the buffer');
    return { ...t, shape: t.shape.slice() };
  }

  /**
   * @param name - a tensor name
   * @returns a view of its raw bytes (shares memory with the buffer)
   * @throws CalderaError `TENSOR_NOT_FOUND`
   */
  readRaw(name: string): Uint8Array {
    const [begin, end] = lookupTensor(this.byName, name, 'the buffer').dataOffsets;
    return this.bytes.subarray(this.dataOffset + begin, this.dataOffset + end);
  }

  /**
   * @param name - a tensor name
   * @returns its values as a new float32 array
   * @throws CalderaError `TENSOR_NOT_FOUND`, `UNSUPPORTED_DTYPE`
   */
  readFloat32(name: string): Float32Array {
    const t = lookupTensor(this.byName, name, 'the buffer');
    return decodeFloat32(t.dtype, this.readRaw(name), name);
  }
}

/**
 * Parses and validates a whole safetensors file held in memory.
 *
 * @param bytes - the file's bytes
 * @returns a {@link SafetensorsBuffer} over them (not copied)
 * @throws CalderaError any `SAFETENSORS_*` validation code
 * @example
 * ```ts
 * const st = parseSafetensors(new Uint8Array(await file.arrayBuffer()));
 * console.log(st.tensors().map((t) => t.name));
 * ```
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsBuffer {
  return new SafetensorsBuffer(bytes);
}
