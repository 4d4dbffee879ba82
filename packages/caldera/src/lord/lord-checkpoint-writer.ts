/**
 * Writing a LoRD checkpoint folder (format in `@caldera/runtime`'s `lord-checkpoint.ts`:
 * `X.weight` → `X.0.weight` (R, k×in) and `X.1.weight` (L, out×k), plus `lord_config` in
 * `config.json`). The whole folder is written into a temporary sibling and renamed into place,
 * so the output path holds either the previous folder or the complete new one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { type ModelSource, type TensorWriteEntry, writeSafetensorsFile } from '@caldera/io';
import {
  LORD_FORMAT,
  LORD_FORMAT_VERSION,
  type LordConfig,
  lordTensorNames,
} from '@caldera/runtime';
import { hfConfigFromLlama, keptBytes } from '../model/checkpoint-writer';
import { sourceHfConfig, sourceTokenizerFiles } from '../model/source-files';
import type { LordAllocation } from './lord-allocate';
import { lordFactors } from './lord-layer';
import type { LordAnalysis } from './lord-model';

/**
 * Options of {@link writeLordCheckpoint}.
 *
 * @example
 * ```ts
 * const o: WriteLordOptions = { dtype: 'F16', extra: { requested_reduction: 0.25 } };
 * ```
 */
export interface WriteLordOptions extends LongRunningOptions {
  /** dtype of every tensor (default `'F16'`). */
  dtype?: 'F16' | 'F32';
  /** Tokenizer files to copy (default: those found beside the source). */
  tokenizerFiles?: readonly string[];
  /** Extra `lord_config` fields. */
  extra?: Record<string, unknown>;
}

/**
 * Writes a LoRD checkpoint atomically.
 *
 * @param outDir - the folder (replaced as a whole when it exists)
 * @param source - the source model (kept tensors and config)
 * @param analysis - the analysis
 * @param allocation - the ranks (null = kept dense)
 * @param options - dtype, tokenizer files, extra config fields, abort signal
 * @returns the `lord_config` written and the bytes of `model.safetensors`
 * @throws CalderaError `FILE_WRITE_FAILED`, `FILE_NOT_FOUND` (tokenizer), `ABORTED`
 * @example
 * ```ts
 * await writeLordCheckpoint('out/pycode-lord', source, analysis, allocateLordRanks(layers, 0.2));
 * ```
 */
export async function writeLordCheckpoint(
  outDir: string,
  source: ModelSource,
  analysis: LordAnalysis,
  allocation: LordAllocation,
  options: WriteLordOptions = {},
): Promise<{ lordConfig: LordConfig; bytes: number }> {
  const dtype = options.dtype ?? 'F16';
  const ranks: Record<string, number> = {};
  const byName = new Map<string, { index: number; rank: number }>();
  analysis.entries.forEach((e, i) => {
    const k = allocation.ranks[i];
    if (k === null || k === undefined) return;
    ranks[e.analysis.name.slice(0, -'.weight'.length)] = k;
    byName.set(e.analysis.name, { index: i, rank: k });
  });
  const tensors: TensorWriteEntry[] = [];
  for (const t of source.tensors()) {
    const hit = byName.get(t.name);
    if (hit === undefined) {
      tensors.push({
        name: t.name,
        dtype,
        shape: [...t.shape],
        data: async () => keptBytes(await source.readTensor(t.name), dtype),
      });
      continue;
    }
    const a = analysis.entries[hit.index]!.analysis;
    const { first, second } = lordTensorNames(t.name);
    let cache: { l: Float32Array; r: Float32Array } | null = null;
    const factors = () => {
      cache ??= lordFactors(a, hit.rank);
      return cache;
    };
    tensors.push({
      name: first,
      dtype,
      shape: [hit.rank, a.n],
      data: async () => keptBytes(factors().r, dtype),
    });
    tensors.push({
      name: second,
      dtype,
      shape: [a.m, hit.rank],
      data: async () => {
        const bytes = keptBytes(factors().l, dtype);
        cache = null;
        return bytes;
      },
    });
  }
  const lordConfig: LordConfig = {
    format: LORD_FORMAT,
    format_version: LORD_FORMAT_VERSION,
    decomposition: analysis.decomposition,
    factor_dtype: dtype,
    parameter_reduction: allocation.reduction,
    linear_parameters: allocation.parameters,
    dense_linear_parameters: allocation.denseParameters,
    ...options.extra,
    ranks,
    llama_config: source.config,
  };
  const hf = { ...((await sourceHfConfig(source)) ?? hfConfigFromLlama(source.config)) };
  delete hf.quantization_config;
  hf.torch_dtype = dtype === 'F16' ? 'float16' : 'float32';
  const target = resolve(outDir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  await mkdir(tmp, { recursive: true });
  try {
    throwIfAborted(options.signal, 'writeLordCheckpoint');
    const layout = await writeSafetensorsFile(join(tmp, 'model.safetensors'), tensors, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      metadata: { format: 'pt', lord_format_version: String(LORD_FORMAT_VERSION) },
    });
    for (const f of options.tokenizerFiles ?? sourceTokenizerFiles(source)) {
      try {
        await copyFile(f, join(tmp, basename(f)));
      } catch (cause) {
        throw new CalderaError('FILE_NOT_FOUND', `cannot read tokenizer file ${f}`, {
          cause,
          details: { path: f },
        });
      }
    }
    await writeFile(
      join(tmp, 'config.json'),
      `${JSON.stringify({ ...hf, lord_config: lordConfig }, null, 2)}\n`,
    );
    if (existsSync(target)) {
      const old = join(dirname(target), `.${basename(target)}.old-${tag}`);
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    return { lordConfig, bytes: layout.totalBytes };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
