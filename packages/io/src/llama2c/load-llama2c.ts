/**
 * Opens a legacy llama2.c checkpoint as a {@link ModelSource}: the header is validated against
 * the file size, and tensors are read lazily, one at a time, by offset.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { CalderaError } from '@caldera/core';
import type { LlamaConfig, ModelSource, TensorInfo } from '../model/model-source';
import {
  LLAMA2C_HEADER_BYTES,
  type Llama2cHeader,
  type Llama2cTensor,
  llama2cConfig,
  llama2cLayout,
  parseLlama2cHeader,
} from './llama2c-layout';

/**
 * A llama2.c checkpoint opened for lazy reading.
 *
 * @example
 * ```ts
 * const src = await loadLlama2c('stories260K.bin');
 * src.header.sharedClassifier; // true
 * ```
 */
export interface Llama2cSource extends ModelSource {
  /** The decoded header. */
  readonly header: Llama2cHeader;
}

async function readAt(fh: FileHandle, path: string, target: Uint8Array, position: number) {
  let done = 0;
  try {
    while (done < target.length) {
      const { bytesRead } = await fh.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (cause) {
    throw new CalderaError('FILE_READ_FAILED', `cannot read ${path} at byte ${position}`, {
      cause,
      details: { path, position, length: target.length },
    });
  }
  if (done !== target.length) {
    throw new CalderaError(
      'FILE_READ_FAILED',
      `${path} ended after ${done} of ${target.length} bytes at byte ${position}`,
      { details: { path, position, length: target.length, read: done } },
    );
  }
}

/**
 * Opens a legacy llama2.c `.bin` checkpoint.
 *
 * @param path - the checkpoint file
 * @returns a model source whose tensors carry Hugging Face Llama names, with
 *   `ropeStyle: 'interleaved'` (call `close()` when done)
 * @throws CalderaError `FILE_NOT_FOUND` when the file cannot be opened, `LLAMA2C_BAD_HEADER`
 *   for invalid header values, `LLAMA2C_SIZE_MISMATCH` when the file size differs from what
 *   the header implies
 * @example
 * ```ts
 * const src = await loadLlama2c('models/stories260K/stories260K.bin');
 * src.config.numLayers; // 5
 * const emb = await src.readTensor('model.embed_tokens.weight'); // Float32Array(512 * 64)
 * await src.close();
 * ```
 */
export async function loadLlama2c(path: string): Promise<Llama2cSource> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw new CalderaError('FILE_NOT_FOUND', `cannot open llama2.c checkpoint ${path}`, {
      cause,
      details: { path },
    });
  }
  try {
    const size = (await fh.stat()).size;
    const head = new Uint8Array(Math.min(size, LLAMA2C_HEADER_BYTES));
    await readAt(fh, path, head, 0);
    const header = parseLlama2cHeader(head);
    const layout = llama2cLayout(header);
    if (size !== layout.fileBytes) {
      throw new CalderaError(
        'LLAMA2C_SIZE_MISMATCH',
        `${path} has ${size} bytes but its header (dim ${header.dim}, ${header.nLayers} layers, ` +
          `vocab ${header.vocabSize}, seq ${header.seqLen}, ` +
          `${header.sharedClassifier ? 'tied' : 'untied'} classifier) implies ${layout.fileBytes}`,
        { details: { path, size, expected: layout.fileBytes, header } },
      );
    }
    return new Llama2cFileSource(path, fh, header, llama2cConfig(header), layout.tensors);
  } catch (error) {
    await fh.close();
    throw error;
  }
}

class Llama2cFileSource implements Llama2cSource {
  readonly format = 'llama2c' as const;
  private readonly byName: Map<string, Llama2cTensor>;
  private handle: FileHandle | null;

  constructor(
    readonly location: string,
    fh: FileHandle,
    readonly header: Llama2cHeader,
    readonly config: LlamaConfig,
    private readonly entries: Llama2cTensor[],
  ) {
    this.handle = fh;
    this.byName = new Map(entries.map((t) => [t.name, t]));
  }

  tensors(): TensorInfo[] {
    return this.entries.map(({ name, dtype, shape }) => ({ name, dtype, shape: shape.slice() }));
  }

  async readTensor(name: string): Promise<Float32Array> {
    const entry = this.byName.get(name);
    if (entry === undefined) {
      throw new CalderaError('TENSOR_NOT_FOUND', `${this.location} has no tensor ${name}`, {
        details: { name, location: this.location },
      });
    }
    if (this.handle === null) {
      throw new CalderaError(
        'FILE_READ_FAILED',
        `${this.location} is closed; cannot read ${name}`,
        {
          details: { name, location: this.location },
        },
      );
    }
    const out = new Float32Array(entry.shape.reduce((a, b) => a * b, 1));
    await readAt(this.handle, this.location, new Uint8Array(out.buffer), entry.offset);
    return out;
  }

  async close(): Promise<void> {
    const fh = this.handle;
    this.handle = null;
    if (fh !== null) await fh.close();
  }
}
