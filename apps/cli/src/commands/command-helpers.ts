/**
 * What the model commands share: the embedded default model, loading a float or compressed
 * model, finding its tokenizer, reading text into token windows, and parsing numbers.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCompressedCheckpoint, loadCompressedModel } from '@caldera/caldera';
import { CalderaError, describeValue, type ProgressCallback } from '@caldera/core';
import {
  loadTokenizer,
  openModel,
  readTextDocuments,
  SafetensorsFile,
  type Tokenizer,
  tokenizeDocuments,
} from '@caldera/io';
import { isLordCheckpoint, LlamaModel, loadLordModel } from '@caldera/runtime';
import type { CliIo } from '../program';
import { createProgressRenderer } from '../progress-renderer';

/**
 * The embedded default model folder (`models/pycode-6m` at the repository root), found by
 * walking up from this file.
 *
 * @returns its absolute path
 * @throws CalderaError `FILE_NOT_FOUND` when it is not there
 * @example
 * ```ts
 * defaultModelDir(); // '/…/models/pycode-6m'
 * ```
 */
export function defaultModelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'models', 'pycode-6m');
    if (existsSync(join(candidate, 'config.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new CalderaError(
    'FILE_NOT_FOUND',
    'the embedded default model models/pycode-6m was not found',
  );
}

/**
 * The model and data a command runs on: the given ones, or the embedded default model and its
 * held-out text (said on stderr).
 *
 * @param model - the model argument, if any
 * @param data - the `--data` option, if any
 * @param io - where to say it
 * @param needData - whether the command needs text
 * @returns the model path and the data path (undefined when not needed and not given)
 * @throws CalderaError `INVALID_ARGUMENT` when text is needed and none is given for a model
 * @example
 * ```ts
 * const { model, data } = resolveInputs(undefined, undefined, io, true);
 * ```
 */
export function resolveInputs(
  model: string | undefined,
  data: string | undefined,
  io: CliIo,
  needData: boolean,
): { model: string; data: string | undefined } {
  if (model !== undefined) {
    if (needData && data === undefined) {
      throw new CalderaError('INVALID_ARGUMENT', `--data <file> is needed for model ${model}`);
    }
    return { model, data };
  }
  const dir = defaultModelDir();
  const sample = join(dir, 'heldout_sample.txt');
  const useSample = needData && data === undefined;
  io.err(
    `using the embedded default model ${dir}${useSample ? ` and its held-out text ${sample}` : ''}\n`,
  );
  return { model: dir, data: useSample ? sample : data };
}

/**
 * Parameters stored in a folder's `*.safetensors` files: Σ over every tensor of the product of
 * its shape, read from the headers only.
 *
 * @param dir - the folder
 * @returns the parameter count (0 when the folder has no safetensors file)
 * @throws CalderaError from `@caldera/io` for an unreadable or malformed header
 * @example
 * ```ts
 * await storedParameterCount('out/pycode-lord'); // fewer than 6,450,432 after LoRD
 * ```
 */
export async function storedParameterCount(dir: string): Promise<number> {
  let total = 0;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors'))
    .sort();
  for (const f of files) {
    const file = await SafetensorsFile.open(join(dir, f));
    try {
      for (const t of file.tensors()) total += t.shape.reduce((a, b) => a * b, 1);
    } finally {
      await file.close();
    }
  }
  return total;
}

/**
 * Loads a float model (folder, .bin, Hub id), a compressed checkpoint folder or a LoRD folder.
 *
 * @param path - the model
 * @param onProgress - progress
 * @returns the runnable model, whether it was compressed, and — for a LoRD folder, whose
 *   factors change the shapes — the parameters actually stored (the config's count no longer
 *   applies; other formats leave it undefined)
 * @example
 * ```ts
 * const { model } = await loadAnyModel('out/pycode-caldera');
 * ```
 */
export async function loadAnyModel(
  path: string,
  onProgress?: ProgressCallback,
): Promise<{ model: LlamaModel; compressed: boolean; storedParameters?: number }> {
  if (await isCompressedCheckpoint(path)) {
    return { model: await loadCompressedModel(path, { onProgress }), compressed: true };
  }
  if (await isLordCheckpoint(path)) {
    return {
      model: await loadLordModel(path, { onProgress }),
      compressed: true,
      storedParameters: await storedParameterCount(path),
    };
  }
  const source = await openModel(path, { onProgress });
  try {
    return { model: await LlamaModel.load(source, { onProgress }), compressed: false };
  } finally {
    await source.close();
  }
}

/**
 * Bytes of a model's weight files on disk (`*.safetensors` of a folder, or the file itself).
 *
 * @param path - the model
 * @returns bytes
 * @example
 * ```ts
 * weightBytesOnDisk('models/pycode-6m'); // 12.9 MB
 * ```
 */
export function weightBytesOnDisk(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (info.isFile()) return info.size;
  return readdirSync(path)
    .filter((f) => f.endsWith('.safetensors') || f.endsWith('.bin'))
    .filter((f) => !f.startsWith('tok'))
    .reduce((a, f) => a + statSync(join(path, f)).size, 0);
}

/**
 * Where a model's tokenizer is: `--tokenizer`, else the model folder itself when it has a
 * `tokenizer.{json,model,bin}` (the loader picks the file), else a `tok*.bin` in the folder or
 * beside a single-file model.
 *
 * @param modelPath - the model
 * @param override - the `--tokenizer` option
 * @returns a file or folder path
 * @throws CalderaError `FILE_NOT_FOUND` when none is found
 * @example
 * ```ts
 * findTokenizerPath('stories260K.bin'); // '…/tok512.bin'
 * ```
 */
export function findTokenizerPath(modelPath: string, override?: string): string {
  if (override !== undefined) return override;
  const isDir = existsSync(modelPath) && statSync(modelPath).isDirectory();
  if (isDir && readdirSync(modelPath).some((f) => /^tokenizer\.(json|model|bin)$/.test(f))) {
    return modelPath;
  }
  const dir = isDir ? resolve(modelPath) : dirname(resolve(modelPath));
  const found = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^tok.*\.bin$|^tokenizer\.(model|json|bin)$/.test(f))
        .sort()
    : [];
  if (found.length === 0) {
    throw new CalderaError(
      'FILE_NOT_FOUND',
      `no tokenizer found for ${modelPath}; pass --tokenizer <file>`,
      { details: { modelPath } },
    );
  }
  return join(dir, found[0]!);
}

/**
 * The tokenizer of a model (see {@link findTokenizerPath}).
 *
 * @param modelPath - the model
 * @param override - the `--tokenizer` option
 * @returns the tokenizer
 * @throws CalderaError `FILE_NOT_FOUND` when none is found
 * @example
 * ```ts
 * const tok = await findTokenizer('stories260K.bin'); // tok512.bin beside it
 * ```
 */
export async function findTokenizer(modelPath: string, override?: string): Promise<Tokenizer> {
  return loadTokenizer(findTokenizerPath(modelPath, override));
}

/**
 * Reads a text file (one document, BOS first) into tokens.
 *
 * @param path - the text file
 * @param tokenizer - the tokenizer
 * @returns the token stream
 * @throws CalderaError `FILE_NOT_FOUND` for a missing file
 * @example
 * ```ts
 * const tokens = await readTokens('heldout.txt', tok);
 * ```
 */
export async function readTokens(path: string, tokenizer: Tokenizer): Promise<Int32Array> {
  const docs = await readTextDocuments(path, { split: 'none' });
  return tokenizeDocuments(docs, tokenizer);
}

/**
 * Parses a numeric option.
 *
 * @param name - the option, for the message
 * @param value - its text
 * @param integer - require an integer
 * @param min - smallest allowed value
 * @returns the number
 * @throws CalderaError `INVALID_ARGUMENT`
 * @example
 * ```ts
 * num('--rank', '16', true, 0); // 16
 * ```
 */
export function num(name: string, value: string, integer: boolean, min: number): number {
  const v = Number(value);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${describeValue(value)}`,
    );
  }
  return v;
}

/**
 * The progress renderer of a command: with `--json` one JSON object per line on the error
 * channel (the final result goes to stdout), bars on a TTY, else nothing.
 *
 * @param json - the `--json` flag
 * @param io - the CLI channels
 * @returns the renderer
 * @example
 * ```ts
 * const progress = progressFor(opts.json, io);
 * ```
 */
export function progressFor(
  json: boolean | undefined,
  io: CliIo,
): ReturnType<typeof createProgressRenderer> {
  if (json) {
    const stream = {
      write: (s: string) => {
        io.err(s);
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    return createProgressRenderer('json', stream);
  }
  return createProgressRenderer(process.stderr.isTTY ? 'bars' : 'silent');
}
