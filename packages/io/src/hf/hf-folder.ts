import { join } from 'node:path';
import { CalderaError, describeValue } from '@caldera/core';
import type { LlamaConfig, ModelSource, TensorInfo } from '../model/model-source';
import { openSafetensorsModel } from '../safetensors/sharded-reader';
import type { SafetensorsSource } from '../safetensors/types';
import { readHfConfig } from './config';
import { mapHfTensors } from './hf-tensors';

/**
 * A Hugging Face model folder opened as a {@link ModelSource}: tensors keep their Hugging Face
 * names, whatever prefix variant the checkpoint used, and are read lazily as float32.
 *
 * @example
 * ```ts
 * const model = await loadHfModel('/models/pycode-6m');
 * const norm = await model.readTensor('model.norm.weight'); // Float32Array(256)
 * console.log(model.ignoredTensors); // stored tensors that are not part of the model
 * await model.close();
 * ```
 */
export class HfModelSource implements ModelSource {
  readonly format = 'hf-safetensors' as const;
  private readonly byName: Map<string, TensorInfo>;

  /**
   * @param location - the model folder
   * @param config - the normalised config
   * @param source - the open safetensors weights
   * @param list - internal tensor infos, in a stable order
   * @param storedName - internal name → stored name
   * @param ignoredTensors - stored tensors not used by the model
   */
  constructor(
    readonly location: string,
    readonly config: LlamaConfig,
    private readonly source: SafetensorsSource,
    private readonly list: readonly TensorInfo[],
    private readonly storedName: ReadonlyMap<string, string>,
    readonly ignoredTensors: readonly string[],
  ) {
    this.byName = new Map(list.map((t) => [t.name, t]));
  }

  /**
   * @returns every tensor of the model (copies), embedding first, `lm_head.weight` last when untied
   */
  tensors(): TensorInfo[] {
    return this.list.map((t) => ({ ...t, shape: [...t.shape] }));
  }

  /**
   * Reads one tensor converted to float32 (F32, F16, BF16, F64 storage).
   *
   * @param name - an internal tensor name, e.g. `model.layers.0.mlp.up_proj.weight`
   * @returns the values, row-major
   * @throws CalderaError `TENSOR_NOT_FOUND` for a name that is not a tensor of the model,
   *   `UNSUPPORTED_DTYPE`, `FILE_READ_FAILED`
   */
  async readTensor(name: string): Promise<Float32Array> {
    const stored = this.storedName.get(name);
    if (stored === undefined || !this.byName.has(name)) {
      throw new CalderaError(
        'TENSOR_NOT_FOUND',
        `${this.location}: no tensor ${describeValue(name)} in the model`,
        { details: { tensor: name, location: this.location } },
      );
    }
    return this.source.readFloat32(stored);
  }

  /** Closes the safetensors files. */
  async close(): Promise<void> {
    await this.source.close();
  }
}

/**
 * Opens a Hugging Face model folder: reads `config.json` (llama, mistral, qwen2), opens
 * `model.safetensors` or the shards of `model.safetensors.index.json`, maps the stored tensor
 * names (with or without the `model.` prefix; a stored `lm_head.weight` is ignored when the
 * config ties embeddings) and checks that every required tensor is present with the shape
 * the config implies. Tensor data is read only on demand.
 *
 * @param dir - the model folder (use `resolveModel` first for a Hub id)
 * @returns the model source; close it when done
 * @throws CalderaError `FILE_NOT_FOUND`, `CONFIG_INVALID` (bad config, or a tensor shape that
 *   disagrees with it), `UNSUPPORTED_MODEL`, `MISSING_TENSOR` (naming the tensor and its
 *   expected shape), and the safetensors readers' codes
 * @example
 * ```ts
 * const model = await loadHfModel(await resolveModel('org/tiny-llama'));
 * try {
 *   for (const t of model.tensors()) console.log(t.name, t.shape);
 * } finally {
 *   await model.close();
 * }
 * ```
 */
export async function loadHfModel(dir: string): Promise<HfModelSource> {
  const config = await readHfConfig(join(dir, 'config.json'));
  const source = await openSafetensorsModel(dir);
  try {
    const map = mapHfTensors(config, source.tensors(), dir);
    return new HfModelSource(dir, config, source, map.tensors, map.storedName, map.ignored);
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
}
