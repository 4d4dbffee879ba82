/**
 * Agreement of a (compressed) model with its base model on the same evaluation windows:
 * mean KL divergence KL(base ‖ model) of the next-token distributions, top-1 agreement, and
 * both models' mean NLL.
 */
import { CalderaError, type LongRunningOptions, throwIfAborted } from '@caldera/core';
import { Yielder } from '../generate/yield';
import { argmax, logSumExp } from '../kernels/log-softmax';
import type { LlamaModel } from '../model/llama-model';
import { type EvalWindowOptions, evalWindows } from './eval-windows';

/**
 * Options of {@link compareModels}.
 *
 * @example
 * ```ts
 * const o: CompareOptions = { contextLength: 256, maxWindows: 8 };
 * ```
 */
export interface CompareOptions extends EvalWindowOptions, LongRunningOptions {}

/**
 * Outcome of {@link compareModels}.
 *
 * @example
 * ```ts
 * const r: CompareResult = { tokens: 510, windows: 2, klDivergence: 0.02, top1Agreement: 0.93, meanNll: 2.9, baseMeanNll: 2.85 };
 * ```
 */
export interface CompareResult {
  /** Positions compared. */
  tokens: number;
  windows: number;
  /** Mean over positions of Σ_v p_base(v)·(log p_base(v) − log p_model(v)), nats. */
  klDivergence: number;
  /** Fraction of positions where both models' most likely token is the same. */
  top1Agreement: number;
  /** The model's mean NLL of the actual next tokens. */
  meanNll: number;
  /** The base model's mean NLL. */
  baseMeanNll: number;
}

/**
 * Runs both models over the same windows, chunk by chunk, and compares their predictions.
 *
 * @param model - the model under test (e.g. compressed)
 * @param base - the reference model (e.g. the original)
 * @param tokens - the token stream
 * @param options - windows, progress (task `compare`, unit `windows`), abort signal
 * @returns KL divergence, top-1 agreement and NLLs
 * @throws CalderaError `MODEL_MISMATCH` when the vocabularies differ; the errors of
 *   {@link evalWindows}; `ABORTED`
 * @example
 * ```ts
 * const r = await compareModels(compressed, original, stream, { contextLength: 256 });
 * console.log(r.klDivergence, r.top1Agreement);
 * ```
 */
export async function compareModels(
  model: LlamaModel,
  base: LlamaModel,
  tokens: ArrayLike<number>,
  options: CompareOptions = {},
): Promise<CompareResult> {
  const vocab = model.config.vocabSize;
  if (base.config.vocabSize !== vocab) {
    throw new CalderaError(
      'MODEL_MISMATCH',
      `the models have different vocabularies (${vocab} vs ${base.config.vocabSize})`,
    );
  }
  const ctx =
    options.contextLength ?? Math.min(model.config.maxSeqLen, base.config.maxSeqLen, 2048);
  const windows = evalWindows(tokens, ctx, options, base.config.bosTokenId);
  const batch = 64;
  const sm = model.createSession({ maxContext: ctx, maxBatch: batch });
  const sb = base.createSession({ maxContext: ctx, maxBatch: batch });
  const baseLogits = new Float32Array(batch * vocab);
  const baseLse = new Float64Array(batch);
  const { onProgress, signal } = options;
  const yielder = new Yielder();
  let kl = 0;
  let agree = 0;
  let nll = 0;
  let baseNll = 0;
  let count = 0;
  onProgress?.({ type: 'start', task: 'compare', total: windows.length, unit: 'windows' });
  for (let w = 0; w < windows.length; w++) {
    throwIfAborted(signal, 'compareModels');
    const input = windows[w]!.input;
    sm.reset();
    sb.reset();
    for (let s = 0; s < input.length; s += batch) {
      const chunk = input.subarray(s, Math.min(input.length, s + batch));
      sb.forward(chunk, {
        onLogits: (logits, rows) => {
          baseLogits.set(logits.subarray(0, rows * vocab));
          for (let r = 0; r < rows; r++) baseLse[r] = logSumExp(logits, r * vocab, vocab);
        },
      });
      sm.forward(chunk, {
        onLogits: (logits, rows, pos0) => {
          for (let r = 0; r < rows; r++) {
            const i = pos0 + r;
            if (i + 1 >= input.length) break;
            const o = r * vocab;
            const lseM = logSumExp(logits, o, vocab);
            const lseB = baseLse[r]!;
            let d = 0;
            for (let v = 0; v < vocab; v++) {
              const lb = baseLogits[o + v]! - lseB;
              d += Math.exp(lb) * (lb - (logits[o + v]! - lseM));
            }
            kl += d;
            if (argmax(logits, o, vocab) === argmax(baseLogits, o, vocab)) agree++;
            const next = input[i + 1]!;
            nll += lseM - logits[o + next]!;
            baseNll += lseB - baseLogits[o + next]!;
            count++;
          }
        },
      });
    }
    onProgress?.({
      type: 'progress',
      task: 'compare',
      current: w + 1,
      total: windows.length,
      unit: 'windows',
      metrics: { kl: kl / count, top1: agree / count },
    });
    await yielder.maybeYield();
  }
  onProgress?.({ type: 'done', task: 'compare', metrics: { kl: kl / count, top1: agree / count } });
  return {
    tokens: count,
    windows: windows.length,
    klDivergence: kl / count,
    top1Agreement: agree / count,
    meanNll: nll / count,
    baseMeanNll: baseNll / count,
  };
}
