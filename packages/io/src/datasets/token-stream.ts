import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';

/**
 * The one thing datasets need from a tokenizer: text to ids, optionally with BOS/EOS.
 * Any tokenizer of `@caldera/io` (or a test double) fits structurally.
 *
 * @example
 * ```ts
 * const chars: DatasetTokenizer = {
 *   encode: (text, opts) => [...(opts?.bos ? [1] : []), ...[...text].map((c) => c.charCodeAt(0))],
 * };
 * ```
 */
export interface DatasetTokenizer {
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[] | Int32Array;
}

/**
 * Options of {@link tokenizeDocuments}.
 *
 * @example
 * ```ts
 * const o: TokenizeOptions = { bos: true, eos: false };
 * ```
 */
export interface TokenizeOptions extends LongRunningOptions {
  /** Start every document with BOS (default true: how Llama-family models are trained). */
  bos?: boolean;
  /** End every document with EOS (default false). */
  eos?: boolean;
}

/**
 * Tokenizes documents and joins them into one token stream.
 *
 * @param docs - the documents, in order
 * @param tokenizer - anything with `encode(text, { bos, eos })`
 * @param options - BOS/EOS per document, progress (task `tokenize`, unit `documents`), signal
 * @returns all tokens, document after document
 * @throws CalderaError `ABORTED`; `DATASET_INVALID` when the tokenizer returns a non-integer id
 * @example
 * ```ts
 * const tokens = tokenizeDocuments(['ab', 'c'], charTokenizer, { bos: true });
 * // Int32Array [1, 97, 98, 1, 99] for a char-level tokenizer with BOS = 1
 * ```
 */
export function tokenizeDocuments(
  docs: readonly string[],
  tokenizer: DatasetTokenizer,
  options: TokenizeOptions = {},
): Int32Array {
  const { bos = true, eos = false, onProgress, signal } = options;
  const task = 'tokenize';
  onProgress?.({ type: 'start', task, total: docs.length, unit: 'documents' });
  let out = new Int32Array(1024);
  let n = 0;
  for (let d = 0; d < docs.length; d++) {
    throwIfAborted(signal, 'tokenization');
    const ids = tokenizer.encode(docs[d] as string, { bos, eos });
    if (n + ids.length > out.length) {
      const grown = new Int32Array(Math.max(out.length * 2, n + ids.length));
      grown.set(out.subarray(0, n));
      out = grown;
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
        throw new CalderaError(
          'DATASET_INVALID',
          `tokenizer returned id ${id} for document ${d}, not a token id`,
          {
            details: { document: d, id },
          },
        );
      }
      out[n++] = id;
    }
    if ((d & 255) === 255)
      onProgress?.({
        type: 'progress',
        task,
        current: d + 1,
        total: docs.length,
        unit: 'documents',
      });
  }
  onProgress?.({
    type: 'progress',
    task,
    current: docs.length,
    total: docs.length,
    unit: 'documents',
  });
  onProgress?.({ type: 'done', task, metrics: { tokens: n } });
  return out.slice(0, n);
}
