/**
 * The one internal description of a Llama-family model that every loader (Hugging Face
 * folders, llama2.c checkpoints, compressed checkpoints) produces and every consumer
 * (runtime, solver pipeline, CLI) reads.
 *
 * Tensor names follow the Hugging Face Llama convention, whatever the source format:
 * `model.embed_tokens.weight`, `model.layers.{i}.input_layernorm.weight`,
 * `model.layers.{i}.self_attn.{q,k,v,o}_proj.weight` (and `.bias` for qwen2's q/k/v),
 * `model.layers.{i}.post_attention_layernorm.weight`, `model.layers.{i}.mlp.{gate,up,down}_proj.weight`,
 * `model.norm.weight`, `lm_head.weight` (absent when tied). Linear weights are stored
 * `[out_features, in_features]` row-major, as in PyTorch.
 */

/** Supported tensor element types (the safetensors dtype names). */
export type DType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'BOOL'
  | 'F8_E4M3'
  | 'F8_E5M2';

/**
 * Which rotary-embedding convention the checkpoint's q/k weights expect.
 * - `half`: Hugging Face, rotate the first half of each head against the second half.
 * - `interleaved`: llama2.c / Meta, rotate adjacent pairs (2i, 2i+1).
 */
export type RopeStyle = 'half' | 'interleaved';

/**
 * Normalised hyper-parameters of a Llama-family decoder.
 *
 * @example
 * ```ts
 * const c: LlamaConfig = {
 *   modelType: 'llama', hiddenSize: 256, intermediateSize: 688, numLayers: 6, numHeads: 8,
 *   numKvHeads: 4, headDim: 32, vocabSize: 4096, maxSeqLen: 256, ropeTheta: 10000,
 *   rmsNormEps: 1e-5, tieWordEmbeddings: false, ropeStyle: 'half', attentionBias: false,
 *   bosTokenId: 1, eosTokenId: 2,
 * };
 * ```
 */
export interface LlamaConfig {
  /** `llama`, `mistral` or `qwen2`. */
  modelType: 'llama' | 'mistral' | 'qwen2';
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (GQA/MQA when smaller than `numHeads`). */
  numKvHeads: number;
  /** Size of one attention head, usually `hiddenSize / numHeads`. */
  headDim: number;
  vocabSize: number;
  /** Maximum context length the model was trained for. */
  maxSeqLen: number;
  ropeTheta: number;
  rmsNormEps: number;
  /** When true the output head reuses `model.embed_tokens.weight` and `lm_head.weight` is absent. */
  tieWordEmbeddings: boolean;
  ropeStyle: RopeStyle;
  /** Whether q/k/v projections carry a bias (qwen2). */
  attentionBias: boolean;
  bosTokenId: number;
  eosTokenId: number;
}

/**
 * Shape and type of one stored tensor.
 *
 * @example
 * ```ts
 * const info: TensorInfo = { name: 'model.norm.weight', dtype: 'F32', shape: [256] };
 * ```
 */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

/**
 * A loaded model: its config and lazy access to its tensors, one at a time, so that
 * whole-model buffers are never needed.
 *
 * @example
 * ```ts
 * async function countParameters(src: ModelSource): Promise<number> {
 *   let n = 0;
 *   for (const t of src.tensors()) n += t.shape.reduce((a, b) => a * b, 1);
 *   return n;
 * }
 * ```
 */
export interface ModelSource {
  /** Where the model came from (a folder, a file), for messages. */
  readonly location: string;
  /** The format the model was read from. */
  readonly format: 'hf-safetensors' | 'llama2c' | 'caldera';
  readonly config: LlamaConfig;
  /** Every tensor, in a stable order. */
  tensors(): TensorInfo[];
  /** Reads one tensor converted to float32 (throws `TENSOR_NOT_FOUND` for an unknown name). */
  readTensor(name: string): Promise<Float32Array>;
  /** Releases file handles. */
  close(): Promise<void>;
}
