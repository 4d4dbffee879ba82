// Sharded safetensors checkpoints: `model-0000K-of-0000N.safetensors` + index JSON (Node).
import { join } from 'node:path';
import { CalderaError, describeValue, throwIfAborted } from '@caldera/core';
import { writeFileAtomic } from './atomic';
import { compareTensorOrder, orderTensorSpecs } from './layout';
import {
  type SafetensorsWriteOptions,
  type TensorWriteEntry,
  writeSafetensorsFile,
} from './writer';

/**
 * Options of {@link writeShardedSafetensors}.
 *
 * @example
 * ```ts
 * const o: ShardedWriteOptions = { maxShardBytes: 2 * 1024 ** 3, metadata: { format: 'pt' } };
 * ```
 */
export interface ShardedWriteOptions extends SafetensorsWriteOptions {
  /** Largest sum of tensor bytes per shard; a tensor larger than this gets a shard alone. */
  maxShardBytes: number;
  /** File name stem (default `model`): `model-00001-of-00002.safetensors`, `model.safetensors.index.json`. */
  baseName?: string;
}

/**
 * What {@link writeShardedSafetensors} wrote.
 *
 * @example
 * ```ts
 * const r: ShardedWriteResult = { indexPath: 'm/model.safetensors.index.json', files: ['model-00001-of-00001.safetensors'], totalSize: 8, weightMap: { w: 'model-00001-of-00001.safetensors' } };
 * ```
 */
export interface ShardedWriteResult {
  /** Path of the index JSON. */
  indexPath: string;
  /** Shard file names (relative to the folder), in order. */
  files: string[];
  /** Sum of the tensor byte sizes (the index's `metadata.total_size`). */
  totalSize: number;
  /** Tensor name → shard file name. */
  weightMap: Record<string, string>;
}

/**
 * Splits tensors into shards: canonical order, greedily filled up to `maxShardBytes`.
 *
 * @param entries - tensors (specs are enough)
 * @param maxShardBytes - largest sum of tensor bytes per shard (a positive integer)
 * @returns the tensors of each shard, in order
 * @throws CalderaError `INVALID_ARGUMENT` for a bad limit, and the spec codes of {@link orderTensorSpecs}
 * @example
 * ```ts
 * planShards([{ name: 'a', dtype: 'U8', shape: [3] }, { name: 'b', dtype: 'U8', shape: [3] }], 4).length; // 2
 * ```
 */
export function planShards<T extends TensorWriteEntry | Omit<TensorWriteEntry, 'data'>>(
  entries: readonly T[],
  maxShardBytes: number,
): T[][] {
  if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes <= 0) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `safetensors: maxShardBytes must be a positive integer, got ${describeValue(maxShardBytes)}`,
    );
  }
  const sizes = new Map(orderTensorSpecs(entries).map((s) => [s.name, s.byteLength]));
  const sorted = entries.slice().sort(compareTensorOrder);
  const shards: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const e of sorted) {
    const size = sizes.get(e.name)!;
    if (current.length > 0 && bytes + size > maxShardBytes) {
      shards.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * The file name of shard `k` (1-based) of `n`, as Hugging Face names them.
 *
 * @param baseName - the stem, usually `model`
 * @param k - shard number, from 1
 * @param n - number of shards
 * @returns e.g. `model-00002-of-00005.safetensors`
 * @example
 * ```ts
 * shardFileName('model', 2, 5); // 'model-00002-of-00005.safetensors'
 * ```
 */
export function shardFileName(baseName: string, k: number, n: number): string {
  return `${baseName}-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
}

/**
 * Writes a sharded checkpoint into `dir`: shards of at most `maxShardBytes` tensor bytes,
 * each written atomically and with bounded memory, then the index
 * `{ metadata: { total_size }, weight_map }` (written atomically last, so a reader never sees
 * an index pointing at unwritten shards).
 *
 * @param dir - an existing folder
 * @param entries - tensors with their data sources
 * @param options - shard size, base name, metadata (copied into every shard), progress, signal
 * @returns the files written and the weight map
 * @throws CalderaError the codes of {@link writeSafetensorsFile}, `INVALID_ARGUMENT`
 * @example
 * ```ts
 * await writeShardedSafetensors('out', entries, { maxShardBytes: 1 << 30 });
 * ```
 */
export async function writeShardedSafetensors(
  dir: string,
  entries: readonly TensorWriteEntry[],
  options: ShardedWriteOptions,
): Promise<ShardedWriteResult> {
  const baseName = options.baseName ?? 'model';
  const shards = planShards(entries, options.maxShardBytes);
  const files: string[] = [];
  const weightMap = new Map<string, string>();
  let totalSize = 0;
  for (let k = 0; k < shards.length; k++) {
    throwIfAborted(options.signal, `writing ${dir}`);
    const file = shardFileName(baseName, k + 1, shards.length);
    const layout = await writeSafetensorsFile(join(dir, file), shards[k]!, options);
    for (const t of layout.tensors) {
      weightMap.set(t.name, file);
      totalSize += t.dataOffsets[1] - t.dataOffsets[0];
    }
    files.push(file);
  }
  const sortedMap: Record<string, string> = Object.fromEntries(
    [...weightMap].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const indexPath = join(dir, `${baseName}.safetensors.index.json`);
  const json = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortedMap }, null, 2)}\n`;
  await writeFileAtomic(indexPath, async (fh) => {
    await fh.writeFile(json, 'utf8');
  });
  return { indexPath, files, totalSize, weightMap: sortedMap };
}
