/**
 * Perplexity of a model over a token stream, on non-overlapping windows (see
 * {@link evalWindows} for the BOS handling).
 */
import { type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { Yielder } from '../generate/yield';
import { logSumExp } from '../kernels/log-softmax';
import type { LlamaModel } from '../model/llama-model';
import { type EvalWindowOptions, evalWindows } from './eval-windows';

/**
 * Options of {@link perplexity}.
 *
 * @example
 * ```ts
 * const o: PerplexityOptions = { contextLength: 256, onProgress: (e) => console.log(e.type) };
 * ```
 */
export interface PerplexityOptions extends EvalWindowOptions, LongRunningOptions {}

/**
 * Outcome of {@link perplexity}.
 *
 * @example
 * ```ts
 * const r: PerplexityResult = { tokens: 255, windows: 1, meanNll: 2.8, perplexity: 16.4 };
 * ```
 */
export interface PerplexityResult {
  /** Next-token predictions scored. */
  tokens: number;
  windows: number;
  /** Mean negative log-likelihood, nats per token. */
  meanNll: number;
  /** exp(meanNll). */
  perplexity: number;
}

/**
 * Scores every next token of every window and averages the negative log-likelihood.
 *
 * @param model - the model
 * @param tokens - the token stream
 * @param options - context length, BOS handling, window limit, progress (task `perplexity`,
 *   unit `windows`, metric `ppl` so far), abort signal
 * @returns tokens scored, windows, mean NLL and perplexity
 * @throws CalderaError `DATASET_TOO_SHORT`, `INVALID_ARGUMENT`, `INVALID_TOKEN`, `ABORTED`
 * @example
 * ```ts
 * const r = await perplexity(model, stream, { contextLength: 256 });
 * console.log(r.perplexity.toFixed(2));
 * ```
 */
export async function perplexity(
  model: LlamaModel,
  tokens: ArrayLike<number>,
  options: PerplexityOptions = {},
): Promise<PerplexityResult> {
  const c = model.config;
  const ctx = options.contextLength ?? Math.min(c.maxSeqLen, 2048);
  const windows = evalWindows(tokens, ctx, options, c.bosTokenId);
  const session = model.createSession({ maxContext: ctx });
  const { onProgress, signal } = options;
  const vocab = c.vocabSize;
  const yielder = new Yielder();
  let nll = 0;
  let count = 0;
  onProgress?.({ type: 'start', task: 'perplexity', total: windows.length, unit: 'windows' });
  for (let w = 0; w < windows.length; w++) {
    throwIfAborted(signal, 'perplexity');
    const input = windows[w]!.input;
    session.reset();
    session.forward(input, {
      onLogits: (logits, rows, pos0) => {
        for (let r = 0; r < rows; r++) {
          const i = pos0 + r;
          if (i + 1 >= input.length) break;
          nll += logSumExp(logits, r * vocab, vocab) - logits[r * vocab + input[i + 1]!]!;
          count++;
        }
      },
    });
    onProgress?.({
      type: 'progress',
      task: 'perplexity',
      current: w + 1,
      total: windows.length,
      unit: 'windows',
      metrics: { ppl: Math.exp(nll / count) },
    });
    await yielder.maybeYield();
  }
  const meanNll = nll / count;
  onProgress?.({ type: 'done', task: 'perplexity', metrics: { ppl: Math.exp(meanNll) } });
  return { tokens: count, windows: windows.length, meanNll, perplexity: Math.exp(meanNll) };
}
