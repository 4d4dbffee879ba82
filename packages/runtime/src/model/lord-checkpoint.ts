/**
 * LoRD checkpoints (format version 1): a Hugging Face-style folder in which each decomposed
 * projection `X.weight` (out × in) is replaced by two dense weights, named as the two
 * layers of `torch.nn.Sequential(Linear(in, k, bias=False), Linear(k, out, bias=False))` —
 * the "one-line change" of LoRD:
 *
 * - `X.0.weight` — R, shape [k, in] (applied first: x ↦ R·x);
 * - `X.1.weight` — L, shape [out, k] (then: ↦ L·(R·x)); W ≈ L·R.
 *
 * Every other tensor (embeddings, norms, `lm_head`, projections kept dense) keeps its
 * original name. `config.json` is the source model's config plus a `lord_config` object
 * ({@link LordConfig}): `format: 'caldera-lord'`, `format_version: 1`, the decomposition, the
 * parameter figures, `ranks` — one entry per decomposed projection, keyed by its base name
 * `X` (e.g. `model.layers.0.mlp.up_proj`) — and `llama_config`, the runtime config of the
 * source (authoritative when present, as in the compressed checkpoint format). The safetensors metadata is
 * `{ format: 'pt', lord_format_version: '1' }`.
 *
 * {@link loadLordModel} runs such a folder with `LowRankLinear` layers (two thin GEMMs).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CalderaError, describeValue, type LongRunningOptions } from '@caldera/core';
import { type LlamaConfig, readHfConfig, SafetensorsFile } from '@caldera/io';
import { DenseLinear } from '../linear/dense-linear';
import { LowRankLinear } from '../linear/low-rank-linear';
import { LlamaModel } from './llama-model';
import { assembleLlamaWeights } from './llama-weights';

/**
 * The `format` value of a LoRD checkpoint's `lord_config`.
 *
 * @example
 * ```ts
 * LORD_FORMAT; // 'caldera-lord'
 * ```
 */
export const LORD_FORMAT = 'caldera-lord';

/**
 * The LoRD checkpoint format version this build reads and writes.
 *
 * @example
 * ```ts
 * LORD_FORMAT_VERSION; // 1
 * ```
 */
export const LORD_FORMAT_VERSION = 1;

/**
 * The `lord_config` object of a LoRD checkpoint's `config.json`.
 *
 * @example
 * ```ts
 * const c: LordConfig = { format: 'caldera-lord', format_version: 1, decomposition: 'whitened',
 *   factor_dtype: 'F16', parameter_reduction: 0.25, linear_parameters: 4718592,
 *   dense_linear_parameters: 6291456, ranks: { 'model.layers.0.mlp.up_proj': 96 } };
 * ```
 */
export interface LordConfig {
  format: typeof LORD_FORMAT;
  format_version: number;
  /** `svd`, `whitened` or `pca`. */
  decomposition: string;
  /** dtype of the factors and kept tensors (`F16` or `F32`). */
  factor_dtype: 'F16' | 'F32';
  /** Achieved 1 − linear_parameters / dense_linear_parameters. */
  parameter_reduction: number;
  /** Parameters of the projections after the decomposition. */
  linear_parameters: number;
  /** Parameters of the projections before. */
  dense_linear_parameters: number;
  /** Rank of every decomposed projection, by base name (`X` of `X.weight`). */
  ranks: Record<string, number>;
  /**
   * The runtime config of the source (authoritative over the Hugging Face fields when
   * present: it records e.g. the interleaved RoPE of llama2.c sources).
   */
  llama_config?: LlamaConfig;
  /** Free-form extras (requested budget, calibration, …). */
  [extra: string]: unknown;
}

/**
 * The stored names of a decomposed projection.
 *
 * @param weightName - the original name (`X.weight`)
 * @returns `{ first: 'X.0.weight' (R, k×in), second: 'X.1.weight' (L, out×k) }`
 * @example
 * ```ts
 * lordTensorNames('model.layers.0.mlp.up_proj.weight');
 * // { first: 'model.layers.0.mlp.up_proj.0.weight', second: 'model.layers.0.mlp.up_proj.1.weight' }
 * ```
 */
export function lordTensorNames(weightName: string): { first: string; second: string } {
  const base = weightName.endsWith('.weight') ? weightName.slice(0, -'.weight'.length) : weightName;
  return { first: `${base}.0.weight`, second: `${base}.1.weight` };
}

/**
 * Reads and checks the `lord_config` of a folder.
 *
 * @param dir - the folder
 * @returns the config, or null when the folder has no `config.json` with a `lord_config`
 * @throws CalderaError `CHECKPOINT_FORMAT` for invalid JSON, a wrong format or an unknown version
 * @example
 * ```ts
 * const lc = await readLordConfig('out/pycode-lord');
 * ```
 */
export async function readLordConfig(dir: string): Promise<LordConfig | null> {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return null;
  let json: { lord_config?: LordConfig };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new CalderaError('CHECKPOINT_FORMAT', `${path} is not valid JSON`, { cause });
  }
  const lc = json?.lord_config;
  if (lc === undefined) return null;
  if (lc?.format !== LORD_FORMAT || lc.format_version !== LORD_FORMAT_VERSION) {
    throw new CalderaError(
      'CHECKPOINT_FORMAT',
      `${dir}: lord_config format ${describeValue(lc?.format)} version ${describeValue(lc?.format_version)}; this build reads ${LORD_FORMAT} ${LORD_FORMAT_VERSION}`,
    );
  }
  if (typeof lc.ranks !== 'object' || lc.ranks === null) {
    throw new CalderaError('CHECKPOINT_FORMAT', `${dir}: lord_config.ranks is missing`);
  }
  return lc;
}

/**
 * Whether a folder is a LoRD checkpoint (a `config.json` with a `lord_config`).
 *
 * @param dir - the folder
 * @returns true when it is one (false also for unreadable configs)
 * @example
 * ```ts
 * if (await isLordCheckpoint(dir)) model = await loadLordModel(dir);
 * ```
 */
export async function isLordCheckpoint(dir: string): Promise<boolean> {
  try {
    return (await readLordConfig(dir)) !== null;
  } catch {
    return false;
  }
}

function bad(dir: string, message: string): CalderaError {
  return new CalderaError('CHECKPOINT_FORMAT', `${dir}: ${message}`, { details: { dir } });
}

/**
 * Loads a LoRD checkpoint as a runnable model: decomposed projections become
 * `LowRankLinear` (L = `X.1.weight`, R = `X.0.weight`), everything else is read as float32.
 *
 * @param dir - the checkpoint folder
 * @param options - progress (task `load-weights`) and abort signal
 * @returns the model
 * @throws CalderaError `CHECKPOINT_FORMAT` (not a LoRD folder, factor shapes that disagree
 *   with the config or the ranks), `CONFIG_INVALID`, `TENSOR_NOT_FOUND`, `ABORTED`
 * @example
 * ```ts
 * const model = await loadLordModel('out/pycode-lord');
 * model.linear(0, 'up_proj').kind; // 'low-rank'
 * ```
 */
export async function loadLordModel(
  dir: string,
  options: LongRunningOptions = {},
): Promise<LlamaModel> {
  const lc = await readLordConfig(dir);
  if (lc === null) throw bad(dir, 'config.json has no lord_config (not a LoRD checkpoint)');
  const config = lc.llama_config ?? (await readHfConfig(join(dir, 'config.json')));
  const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
  const shapeOf = (name: string): number[] => {
    if (!file.has(name)) throw bad(dir, `tensor ${name} is missing`);
    return file.tensor(name).shape;
  };
  try {
    const weights = await assembleLlamaWeights(
      config,
      {
        vector: async (name, length) => {
          const v = await file.readFloat32(name);
          if (v.length !== length) {
            throw bad(dir, `tensor ${name} has ${v.length} values, expected ${length}`);
          }
          return v;
        },
        linear: async (name, m, n) => {
          const base = name.slice(0, -'.weight'.length);
          const k = lc.ranks[base];
          if (k === undefined) {
            const w = await file.readFloat32(name);
            if (w.length !== m * n) throw bad(dir, `tensor ${name} is not ${m}×${n}`);
            return new DenseLinear(w, m, n);
          }
          const { first, second } = lordTensorNames(name);
          const rs = shapeOf(first);
          const ls = shapeOf(second);
          if (rs[0] !== k || rs[1] !== n || ls[0] !== m || ls[1] !== k) {
            throw bad(
              dir,
              `${base}: factors ${describeValue(ls)}·${describeValue(rs)} do not make ${m}×${n} at rank ${k}`,
            );
          }
          return new LowRankLinear(
            await file.readFloat32(second),
            await file.readFloat32(first),
            m,
            k,
            n,
          );
        },
      },
      options,
      'loadLordModel',
    );
    return new LlamaModel(config, weights);
  } finally {
    await file.close();
  }
}
