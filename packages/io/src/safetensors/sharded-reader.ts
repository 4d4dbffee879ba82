// Reading sharded safetensors checkpoints through their index JSON (Node).
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CalderaError, describeValue, isCalderaError } from '@caldera/core';
import { fsError } from './atomic';
import { SafetensorsFile } from './file-reader';
import { lookupTensor } from './parse';
import type { SafetensorsSource, SafetensorsTensorInfo } from './types';

/** Largest index JSON accepted, in bytes. */
const MAX_INDEX_BYTES = 100_000_000;

function badIndex(path: string, problem: string, details?: Record<string, unknown>): CalderaError {
  return new CalderaError('SAFETENSORS_BAD_INDEX', `safetensors index ${path}: ${problem}`, {
    details,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and validates an index JSON: an object with a `weight_map` of tensor name → shard
 * file name (plain file names in the same folder) and an optional `metadata` object.
 *
 * @param indexPath - path of `*.safetensors.index.json`
 * @returns the weight map and the index metadata
 * @throws CalderaError `FILE_NOT_FOUND`, `FILE_READ_FAILED`, `SAFETENSORS_BAD_INDEX`
 * @example
 * ```ts
 * const { weightMap } = await readShardIndex('model/model.safetensors.index.json');
 * ```
 */
export async function readShardIndex(
  indexPath: string,
): Promise<{ weightMap: Map<string, string>; metadata: Record<string, unknown> }> {
  let text: string;
  try {
    const size = (await stat(indexPath)).size;
    if (size > MAX_INDEX_BYTES)
      throw badIndex(
        indexPath,
        `the file has ${size} bytes, over the ${MAX_INDEX_BYTES}-byte limit`,
      );
    text = await readFile(indexPath, 'utf8');
  } catch (e) {
    throw fsError(e, 'FILE_READ_FAILED', `reading ${indexPath}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CalderaError(
      'SAFETENSORS_BAD_INDEX',
      `safetensors index ${indexPath} is not JSON: ${describeValue(text)}`,
      {
        cause,
      },
    );
  }
  if (!isPlainObject(json))
    throw badIndex(indexPath, `expected a JSON object, got ${describeValue(json)}`);
  const { weight_map: map, metadata = {} } = json;
  if (!isPlainObject(map))
    throw badIndex(indexPath, `weight_map must be an object, got ${describeValue(map)}`);
  if (!isPlainObject(metadata))
    throw badIndex(indexPath, `metadata must be an object, got ${describeValue(metadata)}`);
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(map)) {
    if (
      typeof file !== 'string' ||
      file === '' ||
      file === '.' ||
      file === '..' ||
      /[/\\]/.test(file)
    ) {
      throw badIndex(
        indexPath,
        `tensor ${describeValue(name)} maps to ${describeValue(file)}, not a file name in the same folder`,
        {
          tensor: name,
        },
      );
    }
    weightMap.set(name, file);
  }
  return { weightMap, metadata };
}

/**
 * A sharded safetensors checkpoint read through its index, with the interface of a single
 * file. On open, the index is validated against the shards: every shard must exist and be a
 * valid safetensors file, every listed tensor must be in its shard, no tensor may appear in
 * two shards, and no shard may hold an unlisted tensor.
 *
 * @example
 * ```ts
 * const st = await ShardedSafetensors.open('models/llama');
 * const w = await st.readFloat32('model.norm.weight');
 * await st.close();
 * ```
 */
export class ShardedSafetensors implements SafetensorsSource {
  private constructor(
    /** Path of the index JSON. */
    readonly location: string,
    /** The `__metadata__` of the first shard (empty when absent). */
    readonly metadata: Readonly<Record<string, string>>,
    /** The index's own `metadata` object (`total_size`, …). */
    readonly indexMetadata: Readonly<Record<string, unknown>>,
    /** Shard file names, sorted. */
    readonly shardFiles: readonly string[],
    private readonly shards: Map<string, SafetensorsFile>,
    private readonly weightMap: Map<string, string>,
  ) {}

  /**
   * Opens a checkpoint from its folder (which must hold `model.safetensors.index.json`) or
   * from the index path itself.
   *
   * @param dirOrIndexPath - folder or `*.safetensors.index.json` path
   * @returns the open checkpoint
   * @throws CalderaError `FILE_NOT_FOUND`, `SAFETENSORS_BAD_INDEX`, `SAFETENSORS_DUPLICATE_TENSOR`, or the validation code of a malformed shard
   */
  static async open(dirOrIndexPath: string): Promise<ShardedSafetensors> {
    let indexPath = dirOrIndexPath;
    try {
      if ((await stat(dirOrIndexPath)).isDirectory())
        indexPath = join(dirOrIndexPath, 'model.safetensors.index.json');
    } catch (e) {
      throw fsError(e, 'FILE_READ_FAILED', `opening ${dirOrIndexPath}`);
    }
    const { weightMap, metadata } = await readShardIndex(indexPath);
    const dir = dirname(indexPath);
    const files = [...new Set(weightMap.values())].sort();
    const shards = new Map<string, SafetensorsFile>();
    try {
      for (const file of files) {
        try {
          shards.set(file, await SafetensorsFile.open(join(dir, file)));
        } catch (e) {
          if (isCalderaError(e, 'FILE_NOT_FOUND')) {
            throw new CalderaError(
              'SAFETENSORS_BAD_INDEX',
              `safetensors index ${indexPath} lists shard ${file}, which does not exist`,
              {
                cause: e,
                details: { shard: file },
              },
            );
          }
          throw e;
        }
      }
      validateShards(indexPath, weightMap, shards);
    } catch (e) {
      await Promise.all([...shards.values()].map((s) => s.close().catch(() => undefined)));
      throw e;
    }
    const first = files[0] === undefined ? {} : shards.get(files[0])!.metadata;
    return new ShardedSafetensors(indexPath, first, metadata, files, shards, weightMap);
  }

  /**
   * @returns every tensor, shard by shard in file order, each in data order (offsets are within its shard)
   */
  tensors(): SafetensorsTensorInfo[] {
    return this.shardFiles.flatMap((f) => this.shards.get(f)!.tensors());
  }

  /**
   * @param name - a tensor name
   * @returns whether the checkpoint holds it
   */
  has(name: string): boolean {
    return this.weightMap.has(name);
  }

  /**
   * @param name - a tensor name
   * @returns its info
   * @throws CalderaError `TENSOR_NOT_FOUND`
   */
  tensor(name: string): SafetensorsTensorInfo {
    return this.shard(name).tensor(name);
  }

  /**
   * @param name - a tensor name
   * @returns the file name of the shard holding it
   * @throws CalderaError `TENSOR_NOT_FOUND`
   */
  shardOf(name: string): string {
    return lookupTensor(this.weightMap, name, this.location);
  }

  /**
   * @param name - a tensor name
   * @returns its raw bytes, read from its shard
   * @throws CalderaError `TENSOR_NOT_FOUND`, `FILE_READ_FAILED`
   */
  readRaw(name: string): Promise<Uint8Array> {
    return this.shard(name).readRaw(name);
  }

  /**
   * @param name - a tensor name
   * @returns its values as float32
   * @throws CalderaError `TENSOR_NOT_FOUND`, `UNSUPPORTED_DTYPE`, `FILE_READ_FAILED`
   */
  readFloat32(name: string): Promise<Float32Array> {
    return this.shard(name).readFloat32(name);
  }

  /** Closes every shard; safe to call twice. */
  async close(): Promise<void> {
    await Promise.all([...this.shards.values()].map((s) => s.close()));
  }

  private shard(name: string): SafetensorsFile {
    return this.shards.get(this.shardOf(name))!;
  }
}

function validateShards(
  indexPath: string,
  weightMap: Map<string, string>,
  shards: Map<string, SafetensorsFile>,
): void {
  const holder = new Map<string, string>();
  for (const [file, shard] of shards) {
    for (const t of shard.tensors()) {
      const other = holder.get(t.name);
      if (other !== undefined) {
        throw new CalderaError(
          'SAFETENSORS_DUPLICATE_TENSOR',
          `safetensors index ${indexPath}: tensor ${describeValue(t.name)} is stored in both ${other} and ${file}`,
          { details: { tensor: t.name, shards: [other, file] } },
        );
      }
      holder.set(t.name, file);
    }
  }
  for (const [name, file] of weightMap) {
    if (holder.get(name) !== file) {
      throw badIndex(
        indexPath,
        `tensor ${describeValue(name)} is listed in ${file} but that shard does not hold it`,
        {
          tensor: name,
          shard: file,
        },
      );
    }
  }
  for (const [name, file] of holder) {
    if (!weightMap.has(name)) {
      throw badIndex(
        indexPath,
        `shard ${file} holds tensor ${describeValue(name)}, which weight_map does not list`,
        {
          tensor: name,
          shard: file,
        },
      );
    }
  }
}

/**
 * Opens the safetensors weights of a model folder: `model.safetensors` when present, else
 * the sharded checkpoint of `model.safetensors.index.json`.
 *
 * @param dir - a Hugging Face model folder
 * @returns the open source
 * @throws CalderaError `FILE_NOT_FOUND` when the folder has neither file, and the codes of the readers
 * @example
 * ```ts
 * const st = await openSafetensorsModel('/models/pycode-6m');
 * console.log(st.tensors().length);
 * await st.close();
 * ```
 */
export async function openSafetensorsModel(dir: string): Promise<SafetensorsSource> {
  const single = join(dir, 'model.safetensors');
  const index = join(dir, 'model.safetensors.index.json');
  if (await isFile(single)) return SafetensorsFile.open(single);
  if (await isFile(index)) return ShardedSafetensors.open(index);
  throw new CalderaError(
    'FILE_NOT_FOUND',
    `no ${basename(single)} or ${basename(index)} in ${dir}`,
    { details: { dir } },
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
