/**
 * How evaluation cuts a token stream into model inputs.
 *
 * BOS handling:
 * - `'none'` (default): the stream (which usually already holds BOS at each document start)
 *   is cut into non-overlapping windows of `contextLength` tokens; the first token of each
 *   window is context only, so each window scores `contextLength − 1` next tokens (the Hugging
 *   Face convention for perplexity at a fixed context).
 * - `'prepend'`: windows of `contextLength − 1` stream tokens, each preceded by BOS; every
 *   stream token in the window is scored (the first one predicted from BOS alone).
 * A trailing partial window is dropped.
 */
import { CalderaError, describeValue } from '@caldera/core';

/**
 * Options shared by the evaluation functions.
 *
 * @example
 * ```ts
 * const o: EvalWindowOptions = { contextLength: 256, bos: 'none', maxWindows: 10 };
 * ```
 */
export interface EvalWindowOptions {
  /** Tokens per model input, BOS included when prepended (default: min(maxSeqLen, 2048)). */
  contextLength?: number;
  /** BOS handling (see the module comment; default `'none'`). */
  bos?: 'none' | 'prepend';
  /** Evaluate at most this many windows (default: all). */
  maxWindows?: number;
}

/**
 * One model input: the ids to run and how many of the stream's tokens it scores.
 *
 * @example
 * ```ts
 * const w: EvalWindow = { input: Int32Array.of(1, 5, 6), start: 0 };
 * ```
 */
export interface EvalWindow {
  /** The ids to run (BOS first when prepended). */
  input: Int32Array;
  /** Offset of the window's first stream token. */
  start: number;
}

/**
 * Cuts the stream into evaluation windows (see the module comment).
 *
 * @param tokens - the token stream
 * @param contextLength - tokens per model input
 * @param options - BOS handling and window limit
 * @param bosId - the BOS id (for `'prepend'`)
 * @returns the windows, in stream order
 * @throws CalderaError `INVALID_ARGUMENT` for a context below 2; `DATASET_TOO_SHORT` when
 *   not even one window fits
 * @example
 * ```ts
 * evalWindows(Int32Array.of(1, 2, 3, 4, 5), 2, {}, 1).length; // 2
 * ```
 */
export function evalWindows(
  tokens: ArrayLike<number>,
  contextLength: number,
  options: EvalWindowOptions,
  bosId: number,
): EvalWindow[] {
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `contextLength must be an integer ≥ 2, got ${describeValue(contextLength)}`,
    );
  }
  const prepend = options.bos === 'prepend';
  const span = prepend ? contextLength - 1 : contextLength;
  let count = Math.floor(tokens.length / span);
  if (count === 0) {
    throw new CalderaError(
      'DATASET_TOO_SHORT',
      `the stream has ${tokens.length} tokens, fewer than one window of ${span}`,
      { details: { tokens: tokens.length, span } },
    );
  }
  if (options.maxWindows !== undefined) count = Math.min(count, options.maxWindows);
  const out: EvalWindow[] = [];
  for (let w = 0; w < count; w++) {
    const input = new Int32Array(contextLength);
    const start = w * span;
    let p = 0;
    if (prepend) input[p++] = bosId;
    for (let i = 0; i < span; i++) input[p++] = tokens[start + i]!;
    out.push({ input, start });
  }
  return out;
}
