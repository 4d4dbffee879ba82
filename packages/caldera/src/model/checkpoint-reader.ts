/**
 * Reading a compressed checkpoint folder (format in `checkpoint-format.ts`) back into
 * decompositions, and into a runnable `LlamaModel` of @caldera/runtime.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import { type LlamaConfig, SafetensorsFile } from '@caldera/io';
import { assembleLlamaWeights, DenseLinear, type Linear, LlamaModel } from '@caldera/runtime';
import type { Decomposition } from '../result';
import { CHECKPOINT_FORMAT_VERSION, decodeLinear, type LinearEntry } from './checkpoint-format';
import { toRuntimeLinear } from './runtime-linear';

/**
 * The `quantization_config` object of a compressed checkpoint's `config.json`.
 *
 * @example
 * ```ts
 * const qc: QuantizationConfig = JSON.parse(text).quantization_config;
 * ```
 */
export interface QuantizationConfig {
  quant_method: 'caldera' | 'lord' | 'ldlq' | 'rtn';
  format_version: number;
  /** The runtime config (authoritative over the Hugging Face fields). */
  llama_config: LlamaConfig;
  /** dtype of the kept tensors. */
  kept_dtype: 'F16' | 'F32';
  /** Bits per parameter of the compressed linear layers (all their blobs and side data). */
  linear_bits_per_parameter: number;
  /** One entry per compressed weight, by original name. */
  tensors: Record<string, LinearEntry>;
}

/**
 * Whether a folder looks like a compressed checkpoint (a `config.json` with a
 * `quantization_config` of format `caldera`).
 *
 * @param dir - the folder
 * @returns true when it has one
 * @example
 * ```ts
 * if (await isCompressedCheckpoint('out/')) model = await loadCompressedModel('out/');
 * ```
 */
export async function isCompressedCheckpoint(dir: string): Promise<boolean> {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return false;
  try {
    const json = JSON.parse(await readFile(path, 'utf8'));
    return json?.quantization_config?.format === 'caldera';
  } catch {
    return false;
  }
}

function bad(dir: string, message: string): CalderaError {
  return new CalderaError('CHECKPOINT_FORMAT', `${dir}: ${message}`, { details: { dir } });
}

/**
 * An open compressed checkpoint.
 *
 * @example
 * ```ts
 * const ckpt = await CompressedCheckpoint.open('out/stories-caldera');
 * const d = await ckpt.readDecomposition('model.layers.0.self_attn.q_proj.weight');
 * await ckpt.close();
 * ```
 */
export class CompressedCheckpoint {
  private constructor(
    /** The folder. */
    readonly dir: string,
    /** The whole `config.json`. */
    readonly hfConfig: Record<string, unknown>,
    /** Its `quantization_config`. */
    readonly quantization: QuantizationConfig,
    private readonly file: SafetensorsFile,
  ) {}

  /**
   * The runtime config.
   *
   * @returns `quantization_config.llama_config`
   * @example
   * ```ts
   * ckpt.config.numLayers; // 5 for stories260K
   * ```
   */
  get config(): LlamaConfig {
    return this.quantization.llama_config;
  }

  /**
   * Opens a checkpoint folder.
   *
   * @param dir - the folder
   * @returns the checkpoint (call `close()`)
   * @throws CalderaError `CHECKPOINT_FORMAT` (no or bad `quantization_config`, unknown
   *   version), `FILE_NOT_FOUND`, and safetensors reader errors
   * @example
   * ```ts
   * const ckpt = await CompressedCheckpoint.open('out');
   * ```
   */
  static async open(dir: string): Promise<CompressedCheckpoint> {
    const cfgPath = join(dir, 'config.json');
    if (!existsSync(cfgPath)) {
      throw new CalderaError('FILE_NOT_FOUND', `${dir} has no config.json (not a checkpoint)`, {
        details: { dir },
      });
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(cfgPath, 'utf8'));
    } catch (cause) {
      throw new CalderaError('CHECKPOINT_FORMAT', `${cfgPath} is not valid JSON`, { cause });
    }
    const qc = json.quantization_config as (QuantizationConfig & { format?: string }) | undefined;
    if (!qc || qc.format !== 'caldera') {
      throw bad(dir, 'config.json has no caldera quantization_config');
    }
    if (qc.format_version !== CHECKPOINT_FORMAT_VERSION) {
      throw bad(
        dir,
        `checkpoint format version ${describeValue(qc.format_version)}; this build reads ${CHECKPOINT_FORMAT_VERSION}`,
      );
    }
    if (!qc.llama_config || typeof qc.tensors !== 'object' || qc.tensors === null) {
      throw bad(dir, 'quantization_config lacks llama_config or tensors');
    }
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    return new CompressedCheckpoint(dir, json, qc, file);
  }

  /**
   * The compressed weights.
   *
   * @returns their names, in file order
   * @example
   * ```ts
   * ckpt.compressedNames()[0]; // 'model.layers.0.self_attn.q_proj.weight'
   * ```
   */
  compressedNames(): string[] {
    return Object.keys(this.quantization.tensors);
  }

  /**
   * Whether a weight is stored compressed.
   *
   * @param weightName - the original weight name
   * @returns true when it has an entry
   * @example
   * ```ts
   * ckpt.isCompressed('lm_head.weight'); // false
   * ```
   */
  isCompressed(weightName: string): boolean {
    return Object.hasOwn(this.quantization.tensors, weightName);
  }

  /**
   * Rebuilds one compressed weight's decomposition.
   *
   * @param weightName - the original weight name
   * @returns the decomposition
   * @throws CalderaError `CHECKPOINT_FORMAT` when it is not compressed or inconsistent
   * @example
   * ```ts
   * (await ckpt.readDecomposition('model.layers.0.mlp.up_proj.weight')).reconstruct();
   * ```
   */
  async readDecomposition(weightName: string): Promise<Decomposition> {
    const entry = this.quantization.tensors[weightName];
    if (entry === undefined) throw bad(this.dir, `${weightName} is not a compressed weight`);
    return decodeLinear(weightName, entry, (name) => this.file.readRaw(name));
  }

  /**
   * Reads a kept tensor as float32.
   *
   * @param name - the tensor name
   * @returns its values
   * @throws CalderaError `TENSOR_NOT_FOUND` when absent
   * @example
   * ```ts
   * await ckpt.readKept('model.norm.weight');
   * ```
   */
  async readKept(name: string): Promise<Float32Array> {
    return this.file.readFloat32(name);
  }

  /**
   * A weight as the runtime layer (compressed kind, or dense when kept).
   *
   * @param weightName - the original weight name
   * @param m - rows
   * @param n - columns
   * @returns the layer
   * @example
   * ```ts
   * (await ckpt.readLinear('model.layers.0.self_attn.q_proj.weight', 64, 64)).kind; // 'caldera'
   * ```
   */
  async readLinear(weightName: string, m: number, n: number): Promise<Linear> {
    if (this.isCompressed(weightName))
      return toRuntimeLinear(await this.readDecomposition(weightName));
    return new DenseLinear(await this.readKept(weightName), m, n);
  }

  /**
   * Releases the file handle.
   *
   * @example
   * ```ts
   * await ckpt.close();
   * ```
   */
  async close(): Promise<void> {
    await this.file.close();
  }
}

/**
 * Loads a compressed checkpoint as a runnable model: compressed projections become
 * `CalderaLinear` (or dense reconstructions where the runtime has no packed kind), kept
 * tensors are read as float32.
 *
 * @param dir - the checkpoint folder
 * @param options - progress (task `load-weights`) and abort signal
 * @returns the model
 * @throws CalderaError `CHECKPOINT_FORMAT`, `FILE_NOT_FOUND`, `TENSOR_NOT_FOUND`, `ABORTED`
 * @example
 * ```ts
 * const model = await loadCompressedModel('out/stories-caldera');
 * const ppl = await perplexity(model, tokens, { contextLength: 128 });
 * ```
 */
export async function loadCompressedModel(
  dir: string,
  options: LongRunningOptions = {},
): Promise<LlamaModel> {
  const ckpt = await CompressedCheckpoint.open(dir);
  try {
    const weights = await assembleLlamaWeights(
      ckpt.config,
      {
        vector: (name) => ckpt.readKept(name),
        linear: (name, m, n) => ckpt.readLinear(name, m, n),
      },
      options,
      'loadCompressedModel',
    );
    return new LlamaModel(ckpt.config, weights);
  } finally {
    await ckpt.close();
  }
}
