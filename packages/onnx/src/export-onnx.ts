/**
 * `exportOnnx`: a model (float, CALDERA, LoRD, uniform) → a folder laid out as transformers.js
 * expects — `config.json` (with `transformers.js_config.use_external_data_format`),
 * `generation_config.json`, the tokenizer files found beside the model, and
 * `onnx/model*.onnx` + `onnx/model*.onnx_data`. The folder is built in a temporary sibling
 * and renamed into place, so a reader never sees half an export.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  hfConfigFromLlama,
  isCompressedCheckpoint,
  loadCompressedModel,
  sourceHfConfig,
  sourceTokenizerFiles,
} from '@caldera/caldera';
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import { openModel } from '@caldera/io';
import { isLordCheckpoint, LlamaModel, loadLordModel } from '@caldera/runtime';
import { buildDecoderGraph } from './decoder-graph';
import type { LinearExportOptions } from './linear-export';
import { writeOnnxModel } from './model-file';

/**
 * One ONNX file of an export: its transformers.js dtype suffix (`''` → `model.onnx`,
 * `'_q2'` → `model_q2.onnx`, …) and how its layers are written.
 *
 * @example
 * ```ts
 * const v: OnnxVariant = { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' };
 * ```
 */
export interface OnnxVariant extends LinearExportOptions {
  suffix: string;
}

/**
 * Options of {@link exportOnnx}.
 *
 * @example
 * ```ts
 * const o: ExportOnnxOptions = { overwrite: true, variants: DEFAULT_VARIANTS.compressed };
 * ```
 */
export interface ExportOnnxOptions extends LongRunningOptions {
  /** The files to write (default: {@link DEFAULT_VARIANTS} for the model's kind). */
  variants?: OnnxVariant[];
  /** Replace an existing output folder (default false: `FILE_WRITE_FAILED` when it exists). */
  overwrite?: boolean;
  /** Extra tokenizer files to copy (e.g. a llama2.c `tok512.bin`); those beside the model are copied anyway. */
  tokenizerFiles?: string[];
  /** Positions the RoPE table covers (default: the model's `maxSeqLen`). */
  maxPositions?: number;
}

/**
 * The default variants, chosen from `pnpm --filter @caldera/onnx bench` (README): float
 * models get `model.onnx` (float32) and `model_fp16.onnx` (float16 weights, float32 compute);
 * compressed models get `model.onnx` with E8P codes decoded in the graph and folded at load
 * (smallest file, dense speed) and `model_fp16.onnx` dequantised at export.
 *
 * @example
 * ```ts
 * DEFAULT_VARIANTS.float[0]!.suffix; // ''
 * ```
 */
export const DEFAULT_VARIANTS: Readonly<{ float: OnnxVariant[]; compressed: OnnxVariant[] }> =
  Object.freeze({
    float: [
      { suffix: '', weightDtype: 'float32', caldera: 'dense', uniform: 'dense' },
      { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' },
    ],
    compressed: [
      { suffix: '', weightDtype: 'float32', caldera: 'decode', uniform: 'matmulnbits' },
      { suffix: '_fp16', weightDtype: 'float16', caldera: 'dense', uniform: 'dense' },
    ],
  });

/**
 * What {@link exportOnnx} wrote.
 *
 * @example
 * ```ts
 * const r: ExportOnnxResult = { dir: 'out', files: [{ file: 'onnx/model.onnx', modelBytes: 1, dataBytes: 2 }], compressed: false };
 * ```
 */
export interface ExportOnnxResult {
  dir: string;
  files: { file: string; modelBytes: number; dataBytes: number }[];
  /** Whether any projection was compressed. */
  compressed: boolean;
}

interface Loaded {
  model: LlamaModel;
  hfConfig: Record<string, unknown> | undefined;
  tokenizerFiles: string[];
}

async function load(path: string, options: LongRunningOptions): Promise<Loaded> {
  if (!existsSync(path)) {
    throw new CalderaError('FILE_NOT_FOUND', `model ${describeValue(path)} does not exist`, {
      details: { path },
    });
  }
  if (await isLordCheckpoint(path)) {
    // LoRD folder: each decomposed projection is two dense weights → two MatMuls.
    const model = await loadLordModel(path, options);
    const raw = JSON.parse(await readFile(join(path, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const { lord_config: _l, ...hfConfig } = raw;
    return {
      model,
      hfConfig,
      tokenizerFiles: sourceTokenizerFiles({ location: path } as Parameters<
        typeof sourceTokenizerFiles
      >[0]),
    };
  }
  if (await isCompressedCheckpoint(path)) {
    const model = await loadCompressedModel(path, options);
    const source = { location: path } as Parameters<typeof sourceHfConfig>[0];
    return {
      model,
      hfConfig: await sourceHfConfig(source),
      tokenizerFiles: sourceTokenizerFiles(source),
    };
  }
  const source = await openModel(path, { onProgress: options.onProgress });
  try {
    const model = await LlamaModel.load(source, options);
    return {
      model,
      hfConfig: await sourceHfConfig(source),
      tokenizerFiles: sourceTokenizerFiles(source),
    };
  } finally {
    await source.close();
  }
}

function isCompressed(model: LlamaModel): boolean {
  return model.weights.layers.some((l) => Object.values(l.linears).some((x) => x.kind !== 'dense'));
}

function checkVariants(variants: OnnxVariant[]): void {
  const seen = new Set<string>();
  for (const v of variants) {
    if (!/^(_[a-z0-9]+)*$/.test(v.suffix) || seen.has(v.suffix)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `exportOnnx: bad or repeated variant suffix ${describeValue(v.suffix)}`,
      );
    }
    seen.add(v.suffix);
    if (
      !['float32', 'float16'].includes(v.weightDtype) ||
      !['decode', 'decode-rht', 'dense'].includes(v.caldera) ||
      !['matmulnbits', 'dense'].includes(v.uniform)
    ) {
      throw new CalderaError('INVALID_ARGUMENT', `exportOnnx: bad variant ${describeValue(v)}`);
    }
  }
}

/**
 * Exports a model to ONNX for onnxruntime-node/-web and transformers.js.
 *
 * @param model - a loaded {@link LlamaModel}, or a path: float Hugging Face folder, llama2.c
 *   `.bin`, or compressed checkpoint folder
 * @param outDir - the folder to create
 * @param options - variants, overwrite, extra tokenizer files, progress and abort signal
 * @returns the files written with their sizes
 * @throws CalderaError `FILE_NOT_FOUND` (no such model), `FILE_WRITE_FAILED` (output exists
 *   without `overwrite`, or a write failed), `INVALID_ARGUMENT` (bad variants or maxPositions),
 *   `ABORTED`, and the model loaders' codes
 * @example
 * ```ts
 * const r = await exportOnnx('models/pycode-6m', 'out/pycode-6m-onnx');
 * r.files.map((f) => f.file); // ['onnx/model.onnx', 'onnx/model_fp16.onnx']
 * ```
 */
export async function exportOnnx(
  model: LlamaModel | string,
  outDir: string,
  options: ExportOnnxOptions = {},
): Promise<ExportOnnxResult> {
  const { onProgress, signal } = options;
  if (typeof outDir !== 'string' || outDir === '') {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `exportOnnx: outDir must be a non-empty path, got ${describeValue(outDir)}`,
    );
  }
  const out = resolve(outDir);
  if (existsSync(out) && !options.overwrite) {
    throw new CalderaError(
      'FILE_WRITE_FAILED',
      `${out} already exists (pass overwrite to replace it)`,
      { details: { path: out } },
    );
  }
  if (
    options.maxPositions !== undefined &&
    !(Number.isInteger(options.maxPositions) && options.maxPositions >= 1)
  ) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `exportOnnx: maxPositions must be a positive integer, got ${describeValue(options.maxPositions)}`,
    );
  }
  for (const f of options.tokenizerFiles ?? []) {
    if (!existsSync(f))
      throw new CalderaError(
        'FILE_NOT_FOUND',
        `tokenizer file ${describeValue(f)} does not exist`,
        { details: { path: f } },
      );
  }
  const loaded: Loaded =
    typeof model === 'string'
      ? await load(model, { onProgress, signal })
      : { model, hfConfig: undefined, tokenizerFiles: [] };
  if (!(loaded.model instanceof LlamaModel)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `exportOnnx: model must be a LlamaModel or a path, got ${describeValue(model)}`,
    );
  }
  const compressed = isCompressed(loaded.model);
  const variants =
    options.variants ?? (compressed ? DEFAULT_VARIANTS.compressed : DEFAULT_VARIANTS.float);
  checkVariants(variants);
  if (variants.length === 0)
    throw new CalderaError('INVALID_ARGUMENT', 'exportOnnx: no variants to write');
  const c = loaded.model.config;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${Date.now()}`);
  const files: ExportOnnxResult['files'] = [];
  try {
    mkdirSync(join(tmp, 'onnx'), { recursive: true });
    onProgress?.({ type: 'start', task: 'export-onnx', total: variants.length, unit: 'files' });
    for (const v of variants) {
      throwIfAborted(signal, 'exportOnnx');
      const g = buildDecoderGraph(loaded.model, {
        ...v,
        ...(options.maxPositions ? { maxPositions: options.maxPositions } : {}),
      });
      const file = `onnx/model${v.suffix}.onnx`;
      const w = writeOnnxModel(g, join(tmp, file), 'caldera_llama');
      files.push({ file, ...w });
      onProgress?.({
        type: 'progress',
        task: 'export-onnx',
        current: files.length,
        total: variants.length,
        unit: 'files',
        message: file,
      });
    }
    const external: Record<string, number> = {};
    for (const f of files) if (f.dataBytes > 0) external[basename(f.file)] = 1;
    const { quantization_config: _q, ...base } = loaded.hfConfig ?? {};
    const config = {
      ...hfConfigFromLlama(c),
      ...base,
      'transformers.js_config': { use_external_data_format: external },
    };
    writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    const gen = { bos_token_id: c.bosTokenId, eos_token_id: c.eosTokenId, max_length: c.maxSeqLen };
    writeFileSync(join(tmp, 'generation_config.json'), `${JSON.stringify(gen, null, 2)}\n`);
    for (const f of [...loaded.tokenizerFiles, ...(options.tokenizerFiles ?? [])]) {
      if (statSync(f).isFile()) copyFileSync(f, join(tmp, basename(f)));
    }
    throwIfAborted(signal, 'exportOnnx');
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    onProgress?.({ type: 'done', task: 'export-onnx' });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof CalderaError) throw e;
    throw new CalderaError('FILE_WRITE_FAILED', `exportOnnx: cannot write ${out}: ${String(e)}`, {
      cause: e,
      details: { path: out },
    });
  }
  return { dir: out, files, compressed };
}
