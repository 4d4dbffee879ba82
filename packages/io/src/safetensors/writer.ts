// Streaming, atomic writing of safetensors files (Node).
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import { AtomicFile, fsError } from './atomic';
import { bytesOf, type TensorBytes } from './bytes';
import { planSafetensors, type SafetensorsLayout, type TensorSpec } from './layout';
import { lookupTensor } from './parse';
import { checkDataSize } from './serialize';
import type { SafetensorsTensorInfo } from './types';

/**
 * Where a tensor's bytes come from: one buffer, or chunks from a (possibly async) iterable,
 * or a function producing either when the tensor's turn comes (so that data is generated or
 * loaded only then).
 *
 * @example
 * ```ts
 * const chunks: TensorDataSource = function* () { yield new Float32Array(1024); yield new Float32Array(1024); };
 * ```
 */
export type TensorDataSource =
  | TensorBytes
  | Iterable<TensorBytes>
  | AsyncIterable<TensorBytes>
  | (() => TensorBytes | Iterable<TensorBytes> | AsyncIterable<TensorBytes> | Promise<TensorBytes>);

/**
 * A tensor to write: its spec, known up front, and its data, pulled when written.
 *
 * @example
 * ```ts
 * const e: TensorWriteEntry = { name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
 * ```
 */
export interface TensorWriteEntry extends TensorSpec {
  data: TensorDataSource;
}

/**
 * Options of the safetensors writers.
 *
 * @example
 * ```ts
 * const o: SafetensorsWriteOptions = { metadata: { format: 'pt' } };
 * ```
 */
export interface SafetensorsWriteOptions extends LongRunningOptions {
  /** `__metadata__` strings. */
  metadata?: Readonly<Record<string, string>>;
}

async function* chunksOf(source: TensorDataSource): AsyncGenerator<Uint8Array> {
  const value = typeof source === 'function' ? await source() : source;
  if (ArrayBuffer.isView(value)) {
    yield bytesOf(value);
    return;
  }
  for await (const chunk of value as AsyncIterable<TensorBytes>) {
    if (!ArrayBuffer.isView(chunk)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `safetensors: a data chunk is not a typed array: ${describeValue(chunk)}`,
      );
    }
    yield bytesOf(chunk);
  }
}

/**
 * Writes one safetensors file tensor by tensor, with bounded memory: the header (which needs
 * every offset) is planned from the specs given up front, then each tensor's data is written
 * at its offset as it arrives, in any order and in chunks. Errors thrown by a data source
 * are rethrown as `FILE_WRITE_FAILED` with the original as `cause`. The file appears at its path only
 * on {@link SafetensorsWriter.commit}; {@link SafetensorsWriter.abort} leaves no trace.
 *
 * @example
 * ```ts
 * const w = await SafetensorsWriter.create('out.safetensors', [{ name: 'w', dtype: 'F32', shape: [2] }]);
 * try {
 *   await w.writeTensor('w', new Float32Array([1, 2]));
 *   await w.commit();
 * } catch (e) {
 *   await w.abort();
 *   throw e;
 * }
 * ```
 */
export class SafetensorsWriter {
  private readonly byName: Map<string, SafetensorsTensorInfo>;
  private readonly written = new Set<string>();
  private bytesWritten = 0;

  private constructor(
    private readonly file: AtomicFile,
    /** The planned layout (header, offsets). */
    readonly layout: SafetensorsLayout,
    private readonly options: LongRunningOptions,
  ) {
    this.byName = new Map(layout.tensors.map((t) => [t.name, t]));
  }

  /**
   * Validates the specs, plans the layout, creates the temporary file and writes the header.
   *
   * @param path - the final file path
   * @param specs - every tensor that will be written
   * @param options - metadata, progress, abort signal
   * @returns the writer
   * @throws CalderaError the codes of {@link planSafetensors}, `FILE_WRITE_FAILED`
   */
  static async create(
    path: string,
    specs: readonly TensorSpec[],
    options: SafetensorsWriteOptions = {},
  ): Promise<SafetensorsWriter> {
    const layout = planSafetensors(specs, options.metadata);
    const file = await AtomicFile.create(path);
    const writer = new SafetensorsWriter(file, layout, options);
    try {
      await writer.writeAt(layout.header, 0);
      options.onProgress?.({
        type: 'start',
        task: `write:${path}`,
        total: layout.totalBytes,
        unit: 'bytes',
      });
    } catch (e) {
      await file.abort();
      throw e;
    }
    return writer;
  }

  /** The final path. */
  get path(): string {
    return this.file.target;
  }

  /**
   * Writes one tensor's data, chunk by chunk, at its offset. The data must have exactly the
   * size of the tensor.
   *
   * @param name - a tensor named in the specs, not yet written
   * @param data - its bytes
   * @throws CalderaError `TENSOR_NOT_FOUND`, `INVALID_ARGUMENT` (written twice), `SAFETENSORS_SIZE_MISMATCH`, `ABORTED`, `FILE_WRITE_FAILED`
   */
  async writeTensor(name: string, data: TensorDataSource): Promise<void> {
    const t = lookupTensor(this.byName, name, this.path);
    if (this.written.has(name)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `safetensors: tensor ${describeValue(name)} was already written`,
      );
    }
    this.written.add(name);
    const [begin, end] = t.dataOffsets;
    let pos = begin;
    try {
      for await (const chunk of chunksOf(data)) {
        throwIfAborted(this.options.signal, `writing ${this.path}`);
        if (pos + chunk.length > end) checkDataSize(name, end - begin, pos + chunk.length - begin);
        await this.writeAt(chunk, this.layout.dataOffset + pos);
        pos += chunk.length;
        this.bytesWritten += chunk.length;
        this.options.onProgress?.({
          type: 'progress',
          task: `write:${this.path}`,
          current: this.layout.header.length + this.bytesWritten,
          total: this.layout.totalBytes,
          unit: 'bytes',
        });
      }
    } catch (e) {
      throw fsError(
        e,
        'FILE_WRITE_FAILED',
        `writing tensor ${describeValue(name)} to ${this.path}`,
      );
    }
    checkDataSize(name, end - begin, pos - begin);
  }

  /**
   * Checks that every tensor was written, flushes, and renames the file into place.
   *
   * @throws CalderaError `MISSING_TENSOR`, `FILE_WRITE_FAILED`
   */
  async commit(): Promise<void> {
    const missing = this.layout.tensors.find((t) => !this.written.has(t.name));
    if (missing) {
      throw new CalderaError(
        'MISSING_TENSOR',
        `safetensors: tensor ${describeValue(missing.name)} of ${this.path} was never written`,
        { details: { tensor: missing.name } },
      );
    }
    await this.file.commit();
    this.options.onProgress?.({ type: 'done', task: `write:${this.path}` });
  }

  /** Discards the temporary file; the target is left untouched. Never throws. */
  async abort(): Promise<void> {
    await this.file.abort();
  }

  private async writeAt(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await this.file.handle.write(
          bytes,
          done,
          bytes.length - done,
          position + done,
        );
        done += bytesWritten;
      }
    } catch (e) {
      throw fsError(e, 'FILE_WRITE_FAILED', `writing ${this.path}`);
    }
  }
}

/**
 * Writes a safetensors file atomically and with bounded memory: specs are taken from the
 * entries, then each entry's data is pulled and streamed to disk in the canonical order of
 * {@link planSafetensors}. On any error (bad data size, abort, disk full) nothing is left at
 * `path` and the temporary file is removed.
 *
 * @param path - the final file path
 * @param entries - tensors with their data sources
 * @param options - metadata, progress, abort signal
 * @returns the layout that was written
 * @throws CalderaError the codes of {@link SafetensorsWriter}
 * @example
 * ```ts
 * await writeSafetensorsFile('out.safetensors', [
 *   { name: 'w', dtype: 'F32', shape: [1024], data: function* () { yield new Float32Array(512); yield new Float32Array(512); } },
 * ], { metadata: { format: 'pt' } });
 * ```
 */
export async function writeSafetensorsFile(
  path: string,
  entries: readonly TensorWriteEntry[],
  options: SafetensorsWriteOptions = {},
): Promise<SafetensorsLayout> {
  const writer = await SafetensorsWriter.create(path, entries, options);
  const byName = new Map(entries.map((e) => [e.name, e]));
  try {
    for (const t of writer.layout.tensors)
      await writer.writeTensor(t.name, byName.get(t.name)!.data);
    await writer.commit();
  } catch (e) {
    await writer.abort();
    throw fsError(e, 'FILE_WRITE_FAILED', `writing ${path}`);
  }
  return writer.layout;
}
