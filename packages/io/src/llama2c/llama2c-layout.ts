/**
 * The legacy llama2.c checkpoint layout (`run.c` format), described from the file format:
 *
 * - header: 7 little-endian int32 — dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 *   vocab_size, seq_len. A negative vocab_size means the output classifier is stored
 *   separately (untied); positive means it reuses the token embedding.
 * - then float32 arrays, each stacked over layers where per-layer: the token embedding
 *   [vocab, dim]; the attention RMSNorm weights [layers, dim]; wq [layers, heads·hd, dim];
 *   wk and wv [layers, kv_heads·hd, dim]; wo [layers, dim, heads·hd]; the FFN RMSNorm weights
 *   [layers, dim]; w1 [layers, hidden, dim]; w2 [layers, dim, hidden]; w3 [layers, hidden, dim];
 *   the final RMSNorm weight [dim]; two RoPE tables of seq_len·hd/2 floats (cos, sin — not
 *   model weights, skipped); and, when untied, the classifier [vocab, dim].
 *
 * Every matrix is already `[out_features, in_features]` row-major. Names map to the Hugging
 * Face Llama convention: w1 → gate_proj, w3 → up_proj, w2 → down_proj.
 */
import { CalderaError } from '@caldera/core';
import type { LlamaConfig, TensorInfo } from '../model/model-source';

/** Bytes of the legacy header (7 × int32). */
export const LLAMA2C_HEADER_BYTES = 28;

/** First int32 of the newer llama2.c export versions ("ak42"), which this reader rejects. */
const VERSIONED_MAGIC = 0x616b3432;

/**
 * The 7 header fields of a legacy llama2.c checkpoint.
 *
 * @example
 * ```ts
 * const h: Llama2cHeader = {
 *   dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512,
 *   sharedClassifier: true,
 * };
 * ```
 */
export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  /** Absolute vocabulary size (the sign is in `sharedClassifier`). */
  vocabSize: number;
  seqLen: number;
  /** True when the stored vocab_size was positive: the classifier is the embedding. */
  sharedClassifier: boolean;
}

/**
 * One tensor of the checkpoint: its name, shape and byte offset in the file.
 *
 * @example
 * ```ts
 * const t: Llama2cTensor = { name: 'model.norm.weight', dtype: 'F32', shape: [64], offset: 28 };
 * ```
 */
export interface Llama2cTensor extends TensorInfo {
  /** Byte offset of the first element in the file. */
  offset: number;
}

/**
 * Where every tensor lies, and the file size the header implies.
 *
 * @example
 * ```ts
 * const layout = llama2cLayout(header);
 * layout.fileBytes; // 1056540 for stories260K
 * ```
 */
export interface Llama2cLayout {
  tensors: Llama2cTensor[];
  /** Expected total file size in bytes (header + weights + RoPE tables + classifier). */
  fileBytes: number;
}

function bad(message: string, details: Record<string, unknown>): never {
  throw new CalderaError('LLAMA2C_BAD_HEADER', `llama2.c header: ${message}`, { details });
}

/**
 * Reads and validates the 28-byte header.
 *
 * @param bytes - at least the first 28 bytes of the file
 * @returns the header fields
 * @throws CalderaError `LLAMA2C_BAD_HEADER` for a short header, a versioned export, a
 *   non-positive size, heads that do not divide dim, or kv heads that do not divide heads
 * @example
 * ```ts
 * const h = parseLlama2cHeader(firstBytes);
 * h.dim; // 64
 * ```
 */
export function parseLlama2cHeader(bytes: Uint8Array): Llama2cHeader {
  if (bytes.length < LLAMA2C_HEADER_BYTES) {
    bad(`file has ${bytes.length} bytes, fewer than the 28-byte header`, { size: bytes.length });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, LLAMA2C_HEADER_BYTES);
  const f = Array.from({ length: 7 }, (_, i) => view.getInt32(4 * i, true));
  if (view.getUint32(0, true) === VERSIONED_MAGIC) {
    bad(`versioned export (magic "ak42", version ${f[1]}) is not supported; only legacy`, {
      version: f[1],
    });
  }
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen] = f as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fields = { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: vocab, seqLen };
  for (const [name, value] of Object.entries(fields)) {
    const ok = name === 'vocabSize' ? value !== 0 : value > 0;
    if (!ok) bad(`${name} is ${value}`, { ...fields });
  }
  if (dim % nHeads !== 0) bad(`dim ${dim} is not divisible by n_heads ${nHeads}`, fields);
  if (nHeads % nKvHeads !== 0) {
    bad(`n_heads ${nHeads} is not divisible by n_kv_heads ${nKvHeads}`, fields);
  }
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(vocab),
    seqLen,
    sharedClassifier: vocab > 0,
  };
}

/**
 * Computes the tensor table (Hugging Face names, shapes, byte offsets) of a header.
 *
 * @param h - a validated header
 * @returns every model tensor in a stable order (embedding, per layer, final norm, head)
 *   and the implied file size
 * @example
 * ```ts
 * llama2cLayout(h).tensors[0]; // { name: 'model.embed_tokens.weight', shape: [512, 64], ... }
 * ```
 */
export function llama2cLayout(h: Llama2cHeader): Llama2cLayout {
  const headDim = h.dim / h.nHeads;
  const qDim = h.nHeads * headDim;
  const kvDim = h.nKvHeads * headDim;
  const L = h.nLayers;
  let at = LLAMA2C_HEADER_BYTES;
  const block = (shape: number[]): { offset: number; stride: number } => {
    const stride = 4 * shape.reduce((a, b) => a * b, 1);
    const offset = at;
    at += stride * L;
    return { offset, stride };
  };
  const embed: Llama2cTensor = {
    name: 'model.embed_tokens.weight',
    dtype: 'F32',
    shape: [h.vocabSize, h.dim],
    offset: at,
  };
  at += 4 * h.vocabSize * h.dim;
  const perLayer: [string, number[]][] = [
    ['input_layernorm.weight', [h.dim]],
    ['self_attn.q_proj.weight', [qDim, h.dim]],
    ['self_attn.k_proj.weight', [kvDim, h.dim]],
    ['self_attn.v_proj.weight', [kvDim, h.dim]],
    ['self_attn.o_proj.weight', [h.dim, qDim]],
    ['post_attention_layernorm.weight', [h.dim]],
    ['mlp.gate_proj.weight', [h.hiddenDim, h.dim]],
    ['mlp.down_proj.weight', [h.dim, h.hiddenDim]],
    ['mlp.up_proj.weight', [h.hiddenDim, h.dim]],
  ];
  const blocks = perLayer.map(([suffix, shape]) => ({ suffix, shape, ...block(shape) }));
  const norm: Llama2cTensor = {
    name: 'model.norm.weight',
    dtype: 'F32',
    shape: [h.dim],
    offset: at,
  };
  at += 4 * h.dim;
  at += 2 * 4 * Math.floor((h.seqLen * headDim) / 2); // RoPE cos/sin tables, skipped
  const tensors: Llama2cTensor[] = [embed];
  // Stable order: per layer in the Hugging Face order (norm, q, k, v, o, norm, gate, up, down).
  const hfOrder = [0, 1, 2, 3, 4, 5, 6, 8, 7];
  for (let l = 0; l < L; l++) {
    for (const k of hfOrder) {
      const b = blocks[k]!;
      tensors.push({
        name: `model.layers.${l}.${b.suffix}`,
        dtype: 'F32',
        shape: b.shape.slice(),
        offset: b.offset + l * b.stride,
      });
    }
  }
  tensors.push(norm);
  if (!h.sharedClassifier) {
    tensors.push({ name: 'lm_head.weight', dtype: 'F32', shape: [h.vocabSize, h.dim], offset: at });
    at += 4 * h.vocabSize * h.dim;
  }
  return { tensors, fileBytes: at };
}

/**
 * The normalised config of a llama2.c model (llama2.c's fixed choices: RoPE theta 10000,
 * interleaved-pair rotation, RMSNorm eps 1e-5, BOS 1, EOS 2).
 *
 * @param h - a validated header
 * @returns the config
 * @example
 * ```ts
 * llama2cConfig(h).ropeStyle; // 'interleaved'
 * ```
 */
export function llama2cConfig(h: Llama2cHeader): LlamaConfig {
  return {
    modelType: 'llama',
    hiddenSize: h.dim,
    intermediateSize: h.hiddenDim,
    numLayers: h.nLayers,
    numHeads: h.nHeads,
    numKvHeads: h.nKvHeads,
    headDim: h.dim / h.nHeads,
    vocabSize: h.vocabSize,
    maxSeqLen: h.seqLen,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: h.sharedClassifier,
    ropeStyle: 'interleaved',
    attentionBias: false,
    bosTokenId: 1,
    eosTokenId: 2,
  };
}
