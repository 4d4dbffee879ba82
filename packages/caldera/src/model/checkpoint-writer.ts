/**
 * Writing a compressed checkpoint folder (format in `checkpoint-format.ts`): every file is
 * written atomically and `config.json` — the manifest that makes the folder a checkpoint —
 * is removed first and written last, so an interrupted write never leaves a folder that
 * reads as complete.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import {
  type DType,
  float32ToFloat16Bits,
  type LlamaConfig,
  writeFileAtomic,
  writeSafetensorsFile,
} from '@caldera/io';
import { CHECKPOINT_FORMAT_VERSION } from './checkpoint-format';
import type { QuantizationConfig } from './checkpoint-reader';

/**
 * One tensor of the checkpoint, its bytes produced on demand (one tensor in memory at a time).
 *
 * @example
 * ```ts
 * const t: CheckpointTensor = { name: 'model.norm.weight', dtype: 'F32', shape: [64],
 *   data: async () => new Uint8Array(256) };
 * ```
 */
export interface CheckpointTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: () => Promise<Uint8Array>;
}

/**
 * Everything a checkpoint holds.
 *
 * @example
 * ```ts
 * await writeCheckpoint('out', { hfConfig, quantization, tensors, tokenizerFiles: [] });
 * ```
 */
export interface CheckpointContents {
  /** The Hugging Face config (its `quantization_config` is replaced). */
  hfConfig: Record<string, unknown>;
  /** The quantization config (`format` is added). */
  quantization: QuantizationConfig;
  /** Kept and compressed tensors. */
  tensors: CheckpointTensor[];
  /** Files copied into the folder under their base names (tokenizers). */
  tokenizerFiles?: readonly string[];
}

/**
 * Bytes of a kept tensor in the checkpoint's kept dtype.
 *
 * @param values - float32 values
 * @param dtype - `F16` (rounded to nearest) or `F32`
 * @returns the little-endian bytes
 * @example
 * ```ts
 * keptBytes(Float32Array.of(1), 'F16'); // Uint8Array [0, 60]
 * ```
 */
export function keptBytes(values: Float32Array, dtype: 'F16' | 'F32'): Uint8Array {
  const a = dtype === 'F16' ? float32ToFloat16Bits(values) : values;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A Hugging Face `config.json` object for a runtime config (for sources without one, such as
 * llama2.c checkpoints).
 *
 * @param c - the config
 * @returns the JSON object
 * @example
 * ```ts
 * hfConfigFromLlama(config).num_hidden_layers; // config.numLayers
 * ```
 */
export function hfConfigFromLlama(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: c.modelType,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    hidden_act: 'silu',
    tie_word_embeddings: c.tieWordEmbeddings,
    attention_bias: c.attentionBias,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
  };
}

/**
 * Writes a checkpoint folder: `model.safetensors`, the tokenizer files, then `config.json`.
 *
 * @param dir - the output folder (created; existing checkpoint files are replaced)
 * @param contents - what to write
 * @param options - progress of the safetensors writer and abort signal
 * @returns the byte size of `model.safetensors`
 * @throws CalderaError `FILE_WRITE_FAILED`, `FILE_NOT_FOUND` (tokenizer), `ABORTED`
 * @example
 * ```ts
 * const bytes = await writeCheckpoint('out', contents);
 * ```
 */
export async function writeCheckpoint(
  dir: string,
  contents: CheckpointContents,
  options: LongRunningOptions = {},
): Promise<number> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, 'config.json'), { force: true });
  throwIfAborted(options.signal, 'writeCheckpoint');
  const layout = await writeSafetensorsFile(
    join(dir, 'model.safetensors'),
    contents.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data })),
    {
      ...options,
      metadata: { format: 'caldera', format_version: String(CHECKPOINT_FORMAT_VERSION) },
    },
  );
  for (const f of contents.tokenizerFiles ?? []) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(f);
    } catch (cause) {
      throw new CalderaError('FILE_NOT_FOUND', `cannot read tokenizer file ${f}`, {
        cause,
        details: { path: f },
      });
    }
    await writeFileAtomic(join(dir, basename(f)), async (h) => {
      await h.writeFile(bytes);
    });
  }
  const json = {
    ...contents.hfConfig,
    quantization_config: { format: 'caldera', ...contents.quantization },
  };
  await writeFileAtomic(join(dir, 'config.json'), async (h) => {
    await h.writeFile(`${JSON.stringify(json, null, 2)}\n`);
  });
  return layout.totalBytes;
}
