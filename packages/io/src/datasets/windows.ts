import { CalderaError, describeValue, Rng } from '@caldera/core';

/**
 * Options of {@link makeWindows} and {@link planWindowStarts}.
 *
 * @example
 * ```ts
 * const evalWindows: WindowOptions = { seqLen: 256, sampling: 'sequential' };
 * const calib: WindowOptions = { seqLen: 256, count: 128, seed: 0, sampling: 'random' };
 * ```
 */
export interface WindowOptions {
  /** Tokens per window. */
  seqLen: number;
  /** Distance between candidate window starts (default `seqLen`: non-overlapping windows). */
  stride?: number;
  /** How many windows (default: every candidate). */
  count?: number;
  /** Seed of the random sampling (default 0). */
  seed?: number;
  /**
   * `sequential`: the first `count` candidates in order (evaluation). `random`: `count`
   * distinct candidates drawn without replacement, deterministic for a seed (calibration).
   */
  sampling: 'sequential' | 'random';
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `makeWindows: ${name} must be an integer ≥ ${min}, got ${describeValue(v)}`,
    );
  }
}

/**
 * The start offsets of the windows {@link makeWindows} cuts. Candidate starts are
 * `0, stride, 2·stride, …` as long as a whole window fits; random sampling is a partial
 * Fisher–Yates shuffle of the candidates (swaps kept in a map, so O(count) memory even for
 * `stride` 1).
 *
 * @param numTokens - length of the token stream
 * @param options - seqLen, stride, count, seed, sampling
 * @returns the window starts (in drawing order for random sampling)
 * @throws CalderaError `DATASET_TOO_SHORT` when the stream is shorter than one window or holds
 *   fewer than `count` windows (naming both numbers); `INVALID_ARGUMENT` for bad options
 * @example
 * ```ts
 * planWindowStarts(10, { seqLen: 4, sampling: 'sequential' }); // [0, 4]
 * planWindowStarts(10, { seqLen: 4, stride: 2, sampling: 'sequential' }); // [0, 2, 4, 6]
 * ```
 */
export function planWindowStarts(numTokens: number, options: WindowOptions): number[] {
  const { seqLen, stride = seqLen, seed = 0, sampling } = options;
  checkInt('seqLen', seqLen, 1);
  checkInt('stride', stride, 1);
  if (sampling !== 'sequential' && sampling !== 'random') {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `makeWindows: unknown sampling ${describeValue(sampling)}`,
    );
  }
  if (numTokens < seqLen) {
    throw new CalderaError(
      'DATASET_TOO_SHORT',
      `the dataset has ${numTokens} tokens, fewer than one window of ${seqLen}`,
      { details: { numTokens, seqLen } },
    );
  }
  const candidates = Math.floor((numTokens - seqLen) / stride) + 1;
  const count = options.count ?? candidates;
  checkInt('count', count, 1);
  if (count > candidates) {
    throw new CalderaError(
      'DATASET_TOO_SHORT',
      `asked for ${count} windows of ${seqLen} tokens (stride ${stride}) but the dataset's ${numTokens} tokens hold only ${candidates}`,
      { details: { numTokens, seqLen, stride, count, available: candidates } },
    );
  }
  const starts: number[] = new Array(count);
  if (sampling === 'sequential') {
    for (let i = 0; i < count; i++) starts[i] = i * stride;
    return starts;
  }
  const rng = new Rng(seed);
  const swapped = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(candidates - i);
    const pick = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    starts[i] = pick * stride;
  }
  return starts;
}

/**
 * Cuts a token stream into fixed-length windows: non-overlapping and in order for evaluation
 * (`sequential`), or drawn at random without replacement for calibration (`random`, seeded).
 *
 * @param tokens - the token stream (e.g. from {@link tokenizeDocuments})
 * @param options - seqLen, stride, count, seed, sampling
 * @returns `count` windows of `seqLen` tokens each (copies)
 * @throws CalderaError `DATASET_TOO_SHORT`, `INVALID_ARGUMENT` (see {@link planWindowStarts})
 * @example
 * ```ts
 * const windows = makeWindows(tokens, { seqLen: 256, count: 64, seed: 1, sampling: 'random' });
 * windows[0].length; // 256
 * ```
 */
export function makeWindows(tokens: Int32Array, options: WindowOptions): Int32Array[] {
  const { seqLen } = options;
  return planWindowStarts(tokens.length, options).map((s) => tokens.slice(s, s + seqLen));
}
