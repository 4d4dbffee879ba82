import { existsSync, statSync } from 'node:fs';
import { CalderaError } from '@caldera/core';
import { loadHfModel } from '../hf/hf-folder';
import type { HubOptions } from '../hub/hub-options';
import { isLocalModelPath, resolveModel } from '../hub/resolve-model';
import { loadLlama2c } from '../llama2c/load-llama2c';
import type { ModelSource } from './model-source';

/**
 * Opens any model caldera-ts reads, by what `location` is:
 * - a llama2.c checkpoint file (`*.bin`) → {@link loadLlama2c};
 * - a Hugging Face model folder (with `config.json`) → {@link loadHfModel};
 * - a Hub id `org/name` that is not a local path → downloaded (or found in the cache) with
 *   {@link resolveModel}, then opened as a folder.
 *
 * @param location - a file, a folder, or a Hub id
 * @param options - Hub options (cache, offline, revision, progress, signal) used only for Hub ids
 * @returns the model, to be closed by the caller
 * @throws CalderaError `FILE_NOT_FOUND` for a missing path, the loaders' codes for bad files
 * @example
 * ```ts
 * const model = await openModel('models/pycode-6m');
 * model.config.numLayers; // 6
 * await model.close();
 * ```
 */
export async function openModel(location: string, options: HubOptions = {}): Promise<ModelSource> {
  if (existsSync(location) && statSync(location).isFile()) {
    if (location.endsWith('.bin')) return loadLlama2c(location);
    throw new CalderaError(
      'UNSUPPORTED_MODEL',
      `openModel: ${location} is a file but not a llama2.c .bin checkpoint; pass its folder for a Hugging Face model`,
      { details: { location } },
    );
  }
  const dir = isLocalModelPath(location) ? location : await resolveModel(location, options);
  if (!existsSync(dir)) {
    throw new CalderaError('FILE_NOT_FOUND', `openModel: no such file or folder: ${location}`, {
      details: { location },
    });
  }
  return loadHfModel(dir);
}
