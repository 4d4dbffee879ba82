/**
 * A float Llama model built from a safetensors file already in memory (the playground's
 * fetched or dropped files), shared by the matrix lab and the model lab.
 */
import type { LongRunningOptions } from '@caldera/core';
import type { parseHfConfig, SafetensorsBuffer } from '@caldera/io';
import { LlamaModel, loadLlamaWeights } from '@caldera/runtime';

/**
 * Loads the model whose config and weights are given, reading tensors from memory.
 *
 * @param config - the parsed `config.json`
 * @param st - the parsed `model.safetensors`
 * @param options - progress and abort
 * @returns the float model
 * @example
 * ```ts
 * const model = await loadMemoryModel(parseHfConfig(cfg), parseSafetensors(bytes));
 * ```
 */
export async function loadMemoryModel(
  config: ReturnType<typeof parseHfConfig>,
  st: SafetensorsBuffer,
  options: LongRunningOptions = {},
): Promise<LlamaModel> {
  const source = {
    location: 'memory',
    format: 'hf-safetensors' as const,
    config,
    tensors: () => st.tensors().map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
    readTensor: async (name: string) => st.readFloat32(name),
    close: async () => {},
  };
  return new LlamaModel(config, await loadLlamaWeights(source, options));
}
