/**
 * The weights of a Llama-family decoder as the runtime holds them: norms and embeddings as
 * float32 arrays, every projection as a {@link Linear} (dense after loading; replaceable by
 * compressed kinds).
 */
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import type { LlamaConfig, ModelSource } from '@caldera/io';
import { DenseLinear } from '../linear/dense-linear';
import type { Linear } from '../linear/linear';

/**
 * The seven projections of a decoder block, named as in Hugging Face checkpoints.
 *
 * @example
 * ```ts
 * const name: LinearName = 'gate_proj';
 * ```
 */
export type LinearName =
  | 'q_proj'
  | 'k_proj'
  | 'v_proj'
  | 'o_proj'
  | 'gate_proj'
  | 'up_proj'
  | 'down_proj';

/**
 * Every {@link LinearName}, in block order.
 *
 * @example
 * ```ts
 * LINEAR_NAMES.length; // 7
 * ```
 */
export const LINEAR_NAMES: readonly LinearName[] = [
  'q_proj',
  'k_proj',
  'v_proj',
  'o_proj',
  'gate_proj',
  'up_proj',
  'down_proj',
];

/**
 * One decoder block.
 *
 * @example
 * ```ts
 * const q: Linear = weights.layers[0]!.linears.q_proj;
 * ```
 */
export interface LayerWeights {
  inputNorm: Float32Array;
  postNorm: Float32Array;
  linears: Record<LinearName, Linear>;
  /** q/k/v biases (qwen2), absent otherwise. */
  qBias?: Float32Array;
  kBias?: Float32Array;
  vBias?: Float32Array;
}

/**
 * All weights of a model.
 *
 * @example
 * ```ts
 * const w: LlamaWeights = await loadLlamaWeights(source);
 * w.layers.length; // config.numLayers
 * ```
 */
export interface LlamaWeights {
  /** vocab × hidden. */
  embed: Float32Array;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  /** vocab × hidden (wraps `embed` when the head is tied). */
  lmHead: Linear;
}

/**
 * The output and input sizes of one projection.
 *
 * @param config - the model config
 * @param name - the projection
 * @returns `[outFeatures, inFeatures]`
 * @example
 * ```ts
 * linearShape(config, 'k_proj'); // [numKvHeads·headDim, hiddenSize]
 * ```
 */
export function linearShape(config: LlamaConfig, name: LinearName): [number, number] {
  const d = config.hiddenSize;
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const f = config.intermediateSize;
  switch (name) {
    case 'q_proj':
      return [q, d];
    case 'k_proj':
    case 'v_proj':
      return [kv, d];
    case 'o_proj':
      return [d, q];
    case 'gate_proj':
    case 'up_proj':
      return [f, d];
    case 'down_proj':
      return [d, f];
  }
}

/**
 * The checkpoint name of a projection's weight.
 *
 * @param layer - block index
 * @param name - the projection
 * @returns e.g. `model.layers.3.self_attn.q_proj.weight`
 * @example
 * ```ts
 * linearTensorName(0, 'up_proj'); // 'model.layers.0.mlp.up_proj.weight'
 * ```
 */
export function linearTensorName(layer: number, name: LinearName): string {
  const group =
    name.startsWith('gate') || name.startsWith('up') || name.startsWith('down')
      ? 'mlp'
      : 'self_attn';
  return `model.layers.${layer}.${group}.${name}.weight`;
}

async function read(source: ModelSource, name: string, length: number): Promise<Float32Array> {
  if (!source.tensors().some((t) => t.name === name)) {
    throw new CalderaError(
      'MISSING_WEIGHT',
      `${source.location} has no tensor ${describeValue(name)}`,
      {
        details: { name },
      },
    );
  }
  const data = await source.readTensor(name);
  if (data.length !== length) {
    throw new CalderaError(
      'MISSING_WEIGHT',
      `tensor ${name} of ${source.location} has ${data.length} values, expected ${length}`,
      { details: { name, length: data.length, expected: length } },
    );
  }
  return data;
}

/**
 * Where {@link assembleLlamaWeights} gets tensors from: norms, biases, embeddings and head as
 * float32 vectors of a known length, and each projection as a ready {@link Linear}.
 *
 * @example
 * ```ts
 * const reader: WeightReader = {
 *   vector: (name, length) => source.readTensor(name),
 *   linear: async (name, m, n) => new DenseLinear(await source.readTensor(name), m, n),
 * };
 * ```
 */
export interface WeightReader {
  /** A float32 tensor of `length` values (norms, biases, embedding, head). */
  vector(name: string, length: number): Promise<Float32Array>;
  /** The projection stored under `name`, of shape `[m, n]`. */
  linear(name: string, m: number, n: number): Promise<Linear>;
}

/**
 * Assembles the weights of a Llama decoder in layer order from a {@link WeightReader}: the
 * one place that knows which tensors a forward pass needs. Float and compressed loaders both
 * use it.
 *
 * @param c - the model config
 * @param reader - where the tensors come from
 * @param options - progress (task `load-weights`, unit `layers`) and abort signal
 * @param what - the operation's name, for the abort message
 * @returns the weights
 * @throws CalderaError `ABORTED`, and whatever the reader throws
 * @example
 * ```ts
 * const weights = await assembleLlamaWeights(source.config, reader);
 * ```
 */
export async function assembleLlamaWeights(
  c: LlamaConfig,
  reader: WeightReader,
  options: LongRunningOptions = {},
  what = 'loadLlamaWeights',
): Promise<LlamaWeights> {
  const d = c.hiddenSize;
  const { onProgress, signal } = options;
  onProgress?.({ type: 'start', task: 'load-weights', total: c.numLayers, unit: 'layers' });
  const embed = await reader.vector('model.embed_tokens.weight', c.vocabSize * d);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    throwIfAborted(signal, what);
    const p = `model.layers.${i}`;
    const linears = {} as Record<LinearName, Linear>;
    for (const name of LINEAR_NAMES) {
      const [m, n] = linearShape(c, name);
      linears[name] = await reader.linear(linearTensorName(i, name), m, n);
    }
    const layer: LayerWeights = {
      inputNorm: await reader.vector(`${p}.input_layernorm.weight`, d),
      postNorm: await reader.vector(`${p}.post_attention_layernorm.weight`, d),
      linears,
    };
    if (c.attentionBias) {
      layer.qBias = await reader.vector(`${p}.self_attn.q_proj.bias`, c.numHeads * c.headDim);
      layer.kBias = await reader.vector(`${p}.self_attn.k_proj.bias`, c.numKvHeads * c.headDim);
      layer.vBias = await reader.vector(`${p}.self_attn.v_proj.bias`, c.numKvHeads * c.headDim);
    }
    layers.push(layer);
    onProgress?.({
      type: 'progress',
      task: 'load-weights',
      current: i + 1,
      total: c.numLayers,
      unit: 'layers',
    });
  }
  const finalNorm = await reader.vector('model.norm.weight', d);
  const head = c.tieWordEmbeddings ? embed : await reader.vector('lm_head.weight', c.vocabSize * d);
  onProgress?.({ type: 'done', task: 'load-weights' });
  return { embed, layers, finalNorm, lmHead: new DenseLinear(head, c.vocabSize, d) };
}

/**
 * Reads every tensor a forward pass needs from a {@link ModelSource}, as dense float32.
 *
 * @param source - the model
 * @param options - progress (task `load-weights`, unit `layers`) and abort signal
 * @returns the weights
 * @throws CalderaError `MISSING_WEIGHT` for an absent or wrongly sized tensor; `ABORTED`
 * @example
 * ```ts
 * const weights = await loadLlamaWeights(await loadHfModel('models/pycode-6m'));
 * ```
 */
export async function loadLlamaWeights(
  source: ModelSource,
  options: LongRunningOptions = {},
): Promise<LlamaWeights> {
  return assembleLlamaWeights(
    source.config,
    {
      vector: (name, length) => read(source, name, length),
      linear: async (name, m, n) => new DenseLinear(await read(source, name, m * n), m, n),
    },
    options,
  );
}
