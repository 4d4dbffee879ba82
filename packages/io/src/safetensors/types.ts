import type { TensorInfo } from '../model/model-source';

/**
 * One tensor of a safetensors file: name, dtype, shape and where its bytes lie.
 *
 * @example
 * ```ts
 * const t: SafetensorsTensorInfo = {
 *   name: 'model.norm.weight', dtype: 'F32', shape: [256], dataOffsets: [0, 1024],
 * };
 * ```
 */
export interface SafetensorsTensorInfo extends TensorInfo {
  /** `[begin, end)` byte offsets relative to the start of the data region (after the header). */
  dataOffsets: readonly [number, number];
}

/**
 * Read access to safetensors tensors, one at a time: the common interface of a single file
 * ({@link SafetensorsFile}) and of a sharded checkpoint ({@link ShardedSafetensors}).
 *
 * @example
 * ```ts
 * async function firstTensor(src: SafetensorsSource): Promise<Float32Array> {
 *   return src.readFloat32(src.tensors()[0]!.name);
 * }
 * ```
 */
export interface SafetensorsSource {
  /** The file or index the tensors come from, for messages. */
  readonly location: string;
  /** The `__metadata__` string map (empty when the file has none). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every tensor, in data order (file by file for sharded checkpoints). */
  tensors(): SafetensorsTensorInfo[];
  /** Whether a tensor of that name exists. */
  has(name: string): boolean;
  /** The info of one tensor (throws `TENSOR_NOT_FOUND`). */
  tensor(name: string): SafetensorsTensorInfo;
  /** The raw little-endian bytes of one tensor, read on demand (throws `TENSOR_NOT_FOUND`). */
  readRaw(name: string): Promise<Uint8Array>;
  /** One tensor converted to float32 from F32/F16/BF16/F64 (others: `UNSUPPORTED_DTYPE`). */
  readFloat32(name: string): Promise<Float32Array>;
  /** Releases the file handles; later reads fail with `FILE_READ_FAILED`. */
  close(): Promise<void>;
}
