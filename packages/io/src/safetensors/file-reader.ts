// Lazy reading of a safetensors file through a Node file handle.
import { type FileHandle, open } from 'node:fs/promises';
import { CalderaError, describeValue } from '@caldera/core';
import { fsError } from './atomic';
import { canDecodeFloat32, decodeFloat32 } from './bytes';
import { parseHeader, readHeaderLength } from './header';
import { lookupTensor } from './parse';
import type { SafetensorsSource, SafetensorsTensorInfo } from './types';

/**
 * Reads exactly `target.length` bytes at `position`, looping over short reads.
 *
 * @param fh - an open file handle
 * @param target - where the bytes go
 * @param position - absolute file offset
 * @param path - the file, for messages
 * @throws CalderaError `FILE_READ_FAILED` on errors or a premature end of file
 * @example
 * ```ts
 * await readFully(fh, new Uint8Array(8), 0, 'model.safetensors');
 * ```
 */
export async function readFully(
  fh: FileHandle,
  target: Uint8Array,
  position: number,
  path: string,
): Promise<void> {
  let done = 0;
  while (done < target.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(target, done, target.length - done, position + done));
    } catch (e) {
      throw fsError(e, 'FILE_READ_FAILED', `reading ${path}`);
    }
    if (bytesRead === 0) {
      throw new CalderaError(
        'FILE_READ_FAILED',
        `reading ${path}: the file ended at ${position + done}, ${target.length - done} bytes early (was it changed while open?)`,
      );
    }
    done += bytesRead;
  }
}

/**
 * A safetensors file opened for lazy reading: the header is validated on open, tensors are
 * read one at a time on demand (the file is never read whole).
 *
 * @example
 * ```ts
 * const st = await SafetensorsFile.open('model.safetensors');
 * try {
 *   for (const t of st.tensors()) console.log(t.name, t.dtype, t.shape);
 *   const w = await st.readFloat32('model.norm.weight');
 * } finally {
 *   await st.close();
 * }
 * ```
 */
export class SafetensorsFile implements SafetensorsSource {
  private closed = false;

  private constructor(
    /** The file path. */
    readonly location: string,
    /** The `__metadata__` map (empty when absent). */
    readonly metadata: Readonly<Record<string, string>>,
    /** Absolute offset of the data region. */
    readonly dataOffset: number,
    /** File size in bytes. */
    readonly size: number,
    private readonly handle: FileHandle,
    private readonly list: SafetensorsTensorInfo[],
    private readonly byName: Map<string, SafetensorsTensorInfo>,
  ) {}

  /**
   * Opens a file and validates its header. The header length is checked against the file
   * size and the 100 MB limit before the header is read.
   *
   * @param path - a `.safetensors` file
   * @returns the open file
   * @throws CalderaError `FILE_NOT_FOUND`, `FILE_READ_FAILED`, or any `SAFETENSORS_*` validation code
   */
  static async open(path: string): Promise<SafetensorsFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw fsError(e, 'FILE_READ_FAILED', `opening ${path}`);
    }
    try {
      let size: number;
      try {
        size = (await fh.stat()).size;
      } catch (e) {
        throw fsError(e, 'FILE_READ_FAILED', `reading ${path}`);
      }
      const prefix = new Uint8Array(Math.min(8, size));
      await readFully(fh, prefix, 0, path);
      const headerLength = readHeaderLength(prefix, size);
      const headerBytes = new Uint8Array(headerLength);
      await readFully(fh, headerBytes, 8, path);
      const header = parseHeader(headerBytes, size);
      const byName = new Map(header.tensors.map((t) => [t.name, t]));
      return new SafetensorsFile(
        path,
        header.metadata,
        header.dataOffset,
        size,
        fh,
        header.tensors,
        byName,
      );
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * @returns every tensor, in data order (copies)
   */
  tensors(): SafetensorsTensorInfo[] {
    return this.list.map((t) => ({ ...t, shape: t.shape.slice() }));
  }

  /**
   * @param name - a tensor name
   * @returns whether the file holds it
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
    const t = lookupTensor(this.byName, name, this.location);
    return { ...t, shape: t.shape.slice() };
  }

  /**
   * Reads one tensor's raw bytes into a new buffer.
   *
   * @param name - a tensor name
   * @returns its bytes
   * @throws CalderaError `TENSOR_NOT_FOUND`, `FILE_READ_FAILED`
   */
  async readRaw(name: string): Promise<Uint8Array> {
    const [begin, end] = lookupTensor(this.byName, name, this.location).dataOffsets;
    const out = new Uint8Array(end - begin);
    await this.readAt(out, begin);
    return out;
  }

  /**
   * Reads one tensor's raw bytes into a caller's buffer, so that a loop over tensors can
   * reuse one buffer instead of allocating one per tensor.
   *
   * @param name - a tensor name
   * @param target - a buffer at least as long as the tensor
   * @returns the view of `target` that now holds the tensor's bytes
   * @throws CalderaError `TENSOR_NOT_FOUND`, `INVALID_ARGUMENT` (buffer too small), `FILE_READ_FAILED`
   */
  async readRawInto(name: string, target: Uint8Array): Promise<Uint8Array> {
    const [begin, end] = lookupTensor(this.byName, name, this.location).dataOffsets;
    if (target.length < end - begin) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `safetensors: tensor ${describeValue(name)} has ${end - begin} bytes but the buffer holds ${target.length}`,
      );
    }
    const view = target.subarray(0, end - begin);
    await this.readAt(view, begin);
    return view;
  }

  /**
   * Reads one tensor as float32 (F32 directly into the result, F16/BF16/F64 converted).
   *
   * @param name - a tensor name
   * @returns its values
   * @throws CalderaError `TENSOR_NOT_FOUND`, `UNSUPPORTED_DTYPE`, `FILE_READ_FAILED`
   */
  async readFloat32(name: string): Promise<Float32Array> {
    const t = lookupTensor(this.byName, name, this.location);
    const [begin, end] = t.dataOffsets;
    if (t.dtype === 'F32') {
      const out = new Float32Array((end - begin) / 4);
      await this.readAt(new Uint8Array(out.buffer), begin);
      return out;
    }
    if (!canDecodeFloat32(t.dtype)) decodeFloat32(t.dtype, new Uint8Array(0), name); // throws UNSUPPORTED_DTYPE
    return decodeFloat32(t.dtype, await this.readRaw(name), name);
  }

  /**
   * Reads bytes of the data region into `target`, for callers that stream large tensors in
   * pieces into their own buffers.
   *
   * @param target - where the bytes go (its length says how many)
   * @param dataPosition - offset within the data region
   * @throws CalderaError `FILE_READ_FAILED` when closed or out of range
   */
  async readAt(target: Uint8Array, dataPosition: number): Promise<void> {
    if (this.closed) {
      throw new CalderaError('FILE_READ_FAILED', `reading ${this.location}: the file is closed`);
    }
    if (dataPosition < 0 || this.dataOffset + dataPosition + target.length > this.size) {
      throw new CalderaError(
        'FILE_READ_FAILED',
        `reading ${this.location}: bytes ${dataPosition}..${dataPosition + target.length} lie outside the data region`,
      );
    }
    await readFully(this.handle, target, this.dataOffset + dataPosition, this.location);
  }

  /** Closes the file handle; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
