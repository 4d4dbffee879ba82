/**
 * Loads whichever tokenizer a model folder (or a file path) provides.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CalderaError } from '@caldera/core';
import { loadHfTokenizer } from './hf-tokenizer';
import { Llama2cTokenizer, type Llama2cTokenizerOptions } from './llama2c-tokenizer';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer';
import type { Tokenizer } from './tokenizer';

/** File names looked for in a folder, in order of preference. */
const CANDIDATES = ['tokenizer.json', 'tokenizer.model', 'tokenizer.bin'] as const;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new CalderaError('FILE_READ_FAILED', `cannot read tokenizer file ${path}`, {
      cause,
      details: { path },
    });
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(path));
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CalderaError('TOKENIZER_INVALID', `${path} is not valid JSON`, {
      cause,
      details: { path },
    });
  }
}

/**
 * Loads one tokenizer file, choosing the reader by its name: `*.json` → Hugging Face
 * (with `tokenizer_config.json` from the same folder when present), `*.model` →
 * SentencePiece, anything else (`tokenizer.bin`, `tok512.bin`) → llama2.c.
 *
 * @param path - the tokenizer file
 * @param options - llama2.c options (vocabulary size, special ids)
 * @returns the tokenizer
 * @throws CalderaError `FILE_NOT_FOUND`, `FILE_READ_FAILED`, `TOKENIZER_INVALID`,
 *   `TOKENIZER_UNSUPPORTED`
 * @example
 * ```ts
 * const tok = await loadTokenizerFile('models/stories260K/tok512.bin', { vocabSize: 512 });
 * ```
 */
export async function loadTokenizerFile(
  path: string,
  options: Llama2cTokenizerOptions = {},
): Promise<Tokenizer> {
  if (!(await isFile(path))) {
    throw new CalderaError('FILE_NOT_FOUND', `tokenizer file ${path} does not exist`, {
      details: { path },
    });
  }
  const name = basename(path).toLowerCase();
  if (name.endsWith('.json')) {
    const configPath = join(path, '..', 'tokenizer_config.json');
    const config = (await isFile(configPath)) ? await readJson(configPath) : {};
    return loadHfTokenizer(await readJson(path), config);
  }
  if (name.endsWith('.model')) return SentencePieceTokenizer.fromBytes(await readBytes(path));
  return Llama2cTokenizer.fromBytes(await readBytes(path), options);
}

/**
 * Loads a tokenizer from a file, or from a model folder holding `tokenizer.json`,
 * `tokenizer.model` or `tokenizer.bin` (the first found, in that order).
 *
 * @param pathOrFolder - a tokenizer file or a model folder
 * @param options - llama2.c options (vocabulary size, special ids)
 * @returns the tokenizer
 * @throws CalderaError `FILE_NOT_FOUND` when the path does not exist or the folder has none
 *   of the three files; reader errors as in {@link loadTokenizerFile}
 * @example
 * ```ts
 * const tok = await loadTokenizer('models/pycode-6m'); // reads tokenizer.model
 * tok.encode('def f():', { bos: true });
 * ```
 */
export async function loadTokenizer(
  pathOrFolder: string,
  options: Llama2cTokenizerOptions = {},
): Promise<Tokenizer> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(pathOrFolder);
  } catch (cause) {
    throw new CalderaError('FILE_NOT_FOUND', `tokenizer path ${pathOrFolder} does not exist`, {
      cause,
      details: { path: pathOrFolder },
    });
  }
  if (!info.isDirectory()) return loadTokenizerFile(pathOrFolder, options);
  for (const name of CANDIDATES) {
    const candidate = join(pathOrFolder, name);
    if (await isFile(candidate)) return loadTokenizerFile(candidate, options);
  }
  throw new CalderaError(
    'FILE_NOT_FOUND',
    `folder ${pathOrFolder} has no ${CANDIDATES.join(', ')}`,
    { details: { path: pathOrFolder, looked: [...CANDIDATES] } },
  );
}
