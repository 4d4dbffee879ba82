import { CalderaError } from '@caldera/core';
import type { LlamaConfig, TensorInfo } from '../model/model-source';

/**
 * One tensor a Llama-family model must have: its internal (Hugging Face) name and shape.
 *
 * @example
 * ```ts
 * const e: ExpectedTensor = { name: 'model.norm.weight', shape: [256] };
 * ```
 */
export interface ExpectedTensor {
  name: string;
  shape: number[];
}

/**
 * The tensors a model with this config must hold, in a stable order (embedding, then each
 * layer's norms, attention and MLP, then the final norm and, when untied, `lm_head.weight`).
 * Linear weights are `[out, in]`.
 *
 * @param config - the normalised config
 * @returns the expected names and shapes
 * @example
 * ```ts
 * const list = expectedHfTensors(config);
 * list[0]; // { name: 'model.embed_tokens.weight', shape: [vocabSize, hiddenSize] }
 * ```
 */
export function expectedHfTensors(config: LlamaConfig): ExpectedTensor[] {
  const h = config.hiddenSize;
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const ff = config.intermediateSize;
  const out: ExpectedTensor[] = [
    { name: 'model.embed_tokens.weight', shape: [config.vocabSize, h] },
  ];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}.`;
    out.push({ name: `${p}input_layernorm.weight`, shape: [h] });
    out.push({ name: `${p}self_attn.q_proj.weight`, shape: [q, h] });
    out.push({ name: `${p}self_attn.k_proj.weight`, shape: [kv, h] });
    out.push({ name: `${p}self_attn.v_proj.weight`, shape: [kv, h] });
    if (config.attentionBias) {
      out.push({ name: `${p}self_attn.q_proj.bias`, shape: [q] });
      out.push({ name: `${p}self_attn.k_proj.bias`, shape: [kv] });
      out.push({ name: `${p}self_attn.v_proj.bias`, shape: [kv] });
    }
    out.push({ name: `${p}self_attn.o_proj.weight`, shape: [h, q] });
    out.push({ name: `${p}post_attention_layernorm.weight`, shape: [h] });
    out.push({ name: `${p}mlp.gate_proj.weight`, shape: [ff, h] });
    out.push({ name: `${p}mlp.up_proj.weight`, shape: [ff, h] });
    out.push({ name: `${p}mlp.down_proj.weight`, shape: [h, ff] });
  }
  out.push({ name: 'model.norm.weight', shape: [h] });
  if (!config.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [config.vocabSize, h] });
  return out;
}

/**
 * The stored names that may hold an internal tensor: the name itself, and for `model.*`
 * names the same without the prefix (checkpoints of a bare `LlamaModel`).
 *
 * @param name - an internal name
 * @returns candidate stored names, preferred first
 * @example
 * ```ts
 * storedNameCandidates('model.norm.weight'); // ['model.norm.weight', 'norm.weight']
 * ```
 */
export function storedNameCandidates(name: string): string[] {
  return name.startsWith('model.') ? [name, name.slice('model.'.length)] : [name];
}

/**
 * The result of {@link mapHfTensors}.
 *
 * @example
 * ```ts
 * const m: HfTensorMap = { tensors: [], storedName: new Map(), ignored: ['model.rotary_emb.inv_freq'] };
 * ```
 */
export interface HfTensorMap {
  /** Internal tensor infos (internal names, stored dtypes), in {@link expectedHfTensors} order. */
  tensors: TensorInfo[];
  /** Internal name → stored name. */
  storedName: Map<string, string>;
  /** Stored tensors that are not part of the model (e.g. `rotary_emb.inv_freq`, a tied `lm_head`). */
  ignored: string[];
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Matches the stored tensors of a checkpoint to the internal layout and checks every shape.
 *
 * @param config - the normalised config
 * @param stored - the checkpoint's tensors (name, dtype, shape)
 * @param location - the checkpoint, for messages
 * @returns internal infos, the name map and the ignored stored names
 * @throws CalderaError `MISSING_TENSOR` naming the tensor and its expected shape;
 *   `CONFIG_INVALID` when a tensor's shape disagrees with the config
 * @example
 * ```ts
 * const { tensors, storedName } = mapHfTensors(config, file.tensors(), 'model.safetensors');
 * ```
 */
export function mapHfTensors(
  config: LlamaConfig,
  stored: readonly TensorInfo[],
  location: string,
): HfTensorMap {
  const byName = new Map(stored.map((t) => [t.name, t]));
  const used = new Set<string>();
  const tensors: TensorInfo[] = [];
  const storedName = new Map<string, string>();
  for (const e of expectedHfTensors(config)) {
    const hit = storedNameCandidates(e.name).find((n) => byName.has(n));
    if (hit === undefined) {
      const tiedHint =
        e.name === 'lm_head.weight' ? ' (config.json says tie_word_embeddings: false)' : '';
      throw new CalderaError(
        'MISSING_TENSOR',
        `${location}: tensor ${e.name} of shape ${shapeText(e.shape)} is missing${tiedHint}`,
        { details: { tensor: e.name, expectedShape: e.shape, location } },
      );
    }
    const t = byName.get(hit) as TensorInfo;
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw new CalderaError(
        'CONFIG_INVALID',
        `${location}: tensor ${hit} has shape ${shapeText(t.shape)} but config.json implies ${shapeText(e.shape)}`,
        { details: { tensor: hit, expectedShape: e.shape, shape: t.shape, location } },
      );
    }
    used.add(hit);
    storedName.set(e.name, hit);
    tensors.push({ name: e.name, dtype: t.dtype, shape: [...t.shape] });
  }
  const ignored = stored.map((t) => t.name).filter((n) => !used.has(n));
  return { tensors, storedName, ignored };
}
