import { type ReadDocumentsOptions, readTextDocuments } from './text-documents';
import { type DatasetTokenizer, type TokenizeOptions, tokenizeDocuments } from './token-stream';

/**
 * Options of {@link loadTokenStream}: how to read the file and how to tokenize it.
 *
 * @example
 * ```ts
 * const o: LoadTokenStreamOptions = { fields: ['prompt', 'canonical_solution'], bos: true };
 * ```
 */
export interface LoadTokenStreamOptions extends ReadDocumentsOptions, TokenizeOptions {}

/**
 * Reads a text or JSON Lines file, tokenizes every document and joins them into one stream.
 *
 * @param path - the dataset file
 * @param tokenizer - anything with `encode(text, { bos, eos })`
 * @param options - format, split, fields, joiner, bos, eos, onProgress, signal
 * @returns the token stream
 * @throws CalderaError `FILE_NOT_FOUND`, `FILE_READ_FAILED`, `DATASET_INVALID`, `ABORTED`
 * @example
 * ```ts
 * const tokens = await loadTokenStream('heldout_dev.txt', tokenizer, { bos: true });
 * const windows = makeWindows(tokens, { seqLen: 256, sampling: 'sequential' });
 * ```
 */
export async function loadTokenStream(
  path: string,
  tokenizer: DatasetTokenizer,
  options: LoadTokenStreamOptions = {},
): Promise<Int32Array> {
  const docs = await readTextDocuments(path, options);
  return tokenizeDocuments(docs, tokenizer, options);
}
