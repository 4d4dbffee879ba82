/**
 * Files that travel with a source model into its compressed checkpoint: its Hugging Face
 * `config.json` and tokenizer files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSource } from '@caldera/io';

/**
 * Tokenizer file names copied from a model folder, when present.
 *
 * @example
 * ```ts
 * TOKENIZER_FILE_NAMES.includes('tokenizer.model'); // true
 * ```
 */
export const TOKENIZER_FILE_NAMES: readonly string[] = [
  'tokenizer.model',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.bin',
];

function folderOf(source: ModelSource): string | undefined {
  const loc = source.location;
  return existsSync(loc) && statSync(loc).isDirectory() ? loc : undefined;
}

/**
 * The tokenizer files beside a source model (none for a single-file model).
 *
 * @param source - the model
 * @returns absolute or relative paths of the files found
 * @example
 * ```ts
 * sourceTokenizerFiles(await openModel('models/pycode-6m')); // ['models/pycode-6m/tokenizer.model']
 * ```
 */
export function sourceTokenizerFiles(source: ModelSource): string[] {
  const dir = folderOf(source);
  if (dir === undefined) return [];
  return TOKENIZER_FILE_NAMES.map((f) => join(dir, f)).filter((p) => existsSync(p));
}

/**
 * The source folder's `config.json` (without any `quantization_config`), if it has one.
 *
 * @param source - the model
 * @returns the JSON object, or undefined for single-file models or an unreadable file
 * @example
 * ```ts
 * (await sourceHfConfig(source))?.model_type; // 'llama'
 * ```
 */
export async function sourceHfConfig(
  source: ModelSource,
): Promise<Record<string, unknown> | undefined> {
  const dir = folderOf(source);
  if (dir === undefined || !existsSync(join(dir, 'config.json'))) return undefined;
  try {
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
    const { quantization_config: _q, ...rest } = json as Record<string, unknown>;
    return rest;
  } catch {
    return undefined;
  }
}
