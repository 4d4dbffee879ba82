/**
 * The per-layer store of a resumable compression (`<outDir>.partial/`): one small safetensors
 * file per finished weight (its tensors, and its checkpoint entry as metadata `entry`), and
 * the SHA-256 fingerprints that the manifest beside them records.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CalderaError, throwIfAborted } from '@caldera/core';
import {
  type ModelSource,
  SafetensorsFile,
  writeFileAtomic,
  writeSafetensorsFile,
} from '@caldera/io';
import type { EncodedTensor, LinearEntry } from './checkpoint-format';
import type { CheckpointTensor } from './checkpoint-writer';

/**
 * SHA-256 of a sequence of strings and byte arrays.
 *
 * @param parts - the parts, in order
 * @returns the hex digest
 * @example
 * ```ts
 * sha(['abc']); // 'ba7816bf…'
 * ```
 */
export function sha(parts: Iterable<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/**
 * The bytes of a typed array (no copy).
 *
 * @param a - the array
 * @returns a byte view
 * @example
 * ```ts
 * bytesOfArray(Float32Array.of(1)).length; // 4
 * ```
 */
export function bytesOfArray(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Fingerprint of a model: its config, tensor list and every tensor's float32 values (read one
 * tensor at a time).
 *
 * @param source - the model
 * @param signal - abort signal
 * @returns the hex SHA-256
 * @throws CalderaError `ABORTED`
 * @example
 * ```ts
 * const id = await modelFingerprint(source);
 * ```
 */
export async function modelFingerprint(source: ModelSource, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(source.config));
  h.update(JSON.stringify(source.tensors()));
  for (const t of source.tensors()) {
    throwIfAborted(signal, 'compressModel');
    h.update(bytesOfArray(await source.readTensor(t.name)));
  }
  return h.digest('hex');
}

/**
 * The partial store of an output folder: a sibling folder `<outDir>.partial`, so that the
 * output folder itself only ever appears complete (see `publishCheckpoint`).
 *
 * @param outDir - the output folder
 * @returns `<outDir>.partial`
 * @example
 * ```ts
 * partialDirOf('out/model'); // 'out/model.partial'
 * ```
 */
export function partialDirOf(outDir: string): string {
  return `${resolve(outDir)}.partial`;
}

/**
 * Where a finished weight is stored.
 *
 * @param outDir - the output folder
 * @param name - the weight name
 * @returns `<outDir>.partial/<name>.safetensors`
 * @example
 * ```ts
 * partialPath('out', 'model.norm.weight'); // '/abs/out.partial/model.norm.weight.safetensors'
 * ```
 */
export function partialPath(outDir: string, name: string): string {
  return join(partialDirOf(outDir), `${name}.safetensors`);
}

/**
 * Saves a finished weight (atomically).
 *
 * @param path - see {@link partialPath}
 * @param entry - its checkpoint entry
 * @param tensors - its tensors
 * @throws CalderaError `FILE_WRITE_FAILED`
 * @example
 * ```ts
 * await writePartial(partialPath('out', name), entry, tensors);
 * ```
 */
export async function writePartial(
  path: string,
  entry: LinearEntry,
  tensors: readonly EncodedTensor[],
): Promise<void> {
  await writeSafetensorsFile(
    path,
    tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })),
    { metadata: { entry: JSON.stringify(entry) } },
  );
}

/**
 * Reads a finished weight's checkpoint entry.
 *
 * @param path - see {@link partialPath}
 * @returns the entry
 * @throws CalderaError from the safetensors reader
 * @example
 * ```ts
 * const entry = await readPartialEntry(partialPath('out', name));
 * ```
 */
export async function readPartialEntry(path: string): Promise<LinearEntry> {
  const f = await SafetensorsFile.open(path);
  try {
    return JSON.parse(f.metadata.entry ?? 'null') as LinearEntry;
  } finally {
    await f.close();
  }
}

/**
 * A finished weight's tensors as lazily read checkpoint tensors.
 *
 * @param path - see {@link partialPath}
 * @returns the tensors (each read when written)
 * @throws CalderaError from the safetensors reader
 * @example
 * ```ts
 * tensors.push(...(await partialTensors(partialPath('out', name))));
 * ```
 */
export async function partialTensors(path: string): Promise<CheckpointTensor[]> {
  const f = await SafetensorsFile.open(path);
  try {
    return f.tensors().map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: [...t.shape],
      data: async () => {
        const g = await SafetensorsFile.open(path);
        try {
          return await g.readRaw(t.name);
        } finally {
          await g.close();
        }
      },
    }));
  } finally {
    await f.close();
  }
}

/**
 * Opens the partial store of an output folder for a run: with `resume` and a manifest equal to
 * `manifestText`, keeps what is there; otherwise starts an empty store with that manifest.
 *
 * @param outDir - the output folder
 * @param manifestText - the run's manifest (fingerprints of model, calibration and plan)
 * @param resume - reuse finished layers
 * @returns the store's folder and whether an earlier run's store was kept
 * @throws CalderaError `RESUME_MISMATCH` when `resume` finds another run's store
 * @example
 * ```ts
 * const { dir } = await openPartialStore('out', manifest, true);
 * ```
 */
export async function openPartialStore(
  outDir: string,
  manifestText: string,
  resume: boolean,
): Promise<{ dir: string; resumed: boolean }> {
  const dir = partialDirOf(outDir);
  const manifestPath = join(dir, 'manifest.json');
  if (resume && existsSync(manifestPath)) {
    const old = await readFile(manifestPath, 'utf8');
    if (old !== manifestText) {
      throw new CalderaError(
        'RESUME_MISMATCH',
        `${dir} holds partial results of another model, calibration or plan; run without resume to start over`,
        { details: { expected: manifestText, found: old } },
      );
    }
    return { dir, resumed: true };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(manifestPath, async (h) => {
    await h.writeFile(manifestText);
  });
  return { dir, resumed: false };
}
