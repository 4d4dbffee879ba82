/**
 * HumanEval pass@1: complete every problem once (e.g. greedily with a model), run each
 * completion against its tests in the Python sandbox, and count passes.
 */
import {
  CalderaError,
  describeValue,
  type LongRunningOptions,
  throwIfAborted,
} from '@caldera/core';
import type { Tokenizer } from '@caldera/io';
import { generate } from '../generate/generate';
import type { LlamaModel } from '../model/llama-model';
import { buildCheckProgram, type HumanEvalProblem } from './humaneval-dataset';
import { runPythonCheck } from './python-sandbox';
import { HUMANEVAL_STOPS, truncateCompletion } from './truncate-completion';

/**
 * Produces the completion (function body) for a prompt.
 *
 * @example
 * ```ts
 * const canonical: CompleteFn = async (_prompt, p) => p.canonicalSolution;
 * ```
 */
export type CompleteFn = (prompt: string, problem: HumanEvalProblem) => Promise<string>;

/**
 * Options of {@link evaluateHumanEval}.
 *
 * @example
 * ```ts
 * const o: HumanEvalOptions = { concurrency: 2, timeoutMs: 5000 };
 * ```
 */
export interface HumanEvalOptions extends LongRunningOptions {
  /** Problems completed and checked at once (default 2). */
  concurrency?: number;
  /** Per-problem wall-clock limit of the check in ms (default 5000). */
  timeoutMs?: number;
  /** Per-problem address-space limit in MiB (default 1024). */
  memoryMb?: number;
  /** Stop sequences applied to each completion (default `HUMANEVAL_STOPS`). */
  stops?: readonly string[];
  /** Python command (default `python3`). */
  python?: string;
}

/**
 * Outcome for one problem.
 *
 * @example
 * ```ts
 * const r: HumanEvalProblemResult = { taskId: 'HumanEval/0', completion: '    return x\n', passed: true, timedOut: false, exitCode: 0, stderrTail: '', completeMs: 5, checkMs: 60 };
 * ```
 */
export interface HumanEvalProblemResult {
  taskId: string;
  /** The completion after stop-sequence truncation. */
  completion: string;
  passed: boolean;
  timedOut: boolean;
  exitCode: number | null;
  stderrTail: string;
  /** Time spent in the completion function, ms. */
  completeMs: number;
  /** Time spent running the check, ms. */
  checkMs: number;
}

/**
 * Outcome of {@link evaluateHumanEval}.
 *
 * @example
 * ```ts
 * const r: HumanEvalResult = { total: 164, passed: 164, passAt1: 1, results: [] };
 * ```
 */
export interface HumanEvalResult {
  total: number;
  passed: number;
  /** passed / total (one greedy sample per problem). */
  passAt1: number;
  /** One entry per problem, in input order. */
  results: HumanEvalProblemResult[];
}

/**
 * Evaluates pass@1 on HumanEval problems.
 *
 * @param problems - the problems (e.g. from `loadHumanEval`)
 * @param complete - returns the completion for a prompt (truncated here at the stops)
 * @param options - concurrency, limits, stop sequences, progress, abort
 * @returns counts, pass@1 and per-problem results
 * @throws CalderaError `INVALID_ARGUMENT` (bad concurrency), `PYTHON_UNAVAILABLE`,
 *   `ABORTED`; errors thrown by `complete` propagate
 * @example
 * ```ts
 * const r = await evaluateHumanEval(problems, async (_p, pr) => pr.canonicalSolution);
 * r.passAt1; // 1
 * ```
 */
export async function evaluateHumanEval(
  problems: readonly HumanEvalProblem[],
  complete: CompleteFn,
  options: HumanEvalOptions = {},
): Promise<HumanEvalResult> {
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `evaluateHumanEval: concurrency must be a positive integer, got ${describeValue(concurrency)}`,
    );
  }
  const { signal, onProgress } = options;
  const stops = options.stops ?? HUMANEVAL_STOPS;
  const task = 'humaneval';
  throwIfAborted(signal, task);
  const results: HumanEvalProblemResult[] = new Array(problems.length);
  let next = 0;
  let done = 0;
  let passed = 0;
  onProgress?.({ type: 'start', task, total: problems.length, unit: 'problems' });
  const worker = async () => {
    while (next < problems.length) {
      const i = next++;
      const problem = problems[i]!;
      throwIfAborted(signal, task);
      const t0 = performance.now();
      const completion = truncateCompletion(await complete(problem.prompt, problem), stops);
      const t1 = performance.now();
      const r = await runPythonCheck(buildCheckProgram(problem, completion), {
        timeoutMs: options.timeoutMs,
        memoryMb: options.memoryMb,
        python: options.python,
        signal,
      });
      results[i] = {
        taskId: problem.taskId,
        completion,
        passed: r.passed,
        timedOut: r.timedOut,
        exitCode: r.exitCode,
        stderrTail: r.stderrTail,
        completeMs: t1 - t0,
        checkMs: r.durationMs,
      };
      done++;
      if (r.passed) passed++;
      onProgress?.({
        type: 'progress',
        task,
        current: done,
        total: problems.length,
        unit: 'problems',
        message: `${problem.taskId} ${r.passed ? 'passed' : 'failed'}`,
        metrics: { passed },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, problems.length) }, worker));
  const total = problems.length;
  const passAt1 = total === 0 ? 0 : passed / total;
  onProgress?.({ type: 'done', task, metrics: { total, passed, passAt1 } });
  return { total, passed, passAt1, results };
}

/**
 * Options of {@link completeWithModel}.
 *
 * @example
 * ```ts
 * const o: CompleteWithModelOptions = { maxTokens: 128 };
 * ```
 */
export interface CompleteWithModelOptions {
  /** Most generated tokens per problem (default 128). */
  maxTokens?: number;
  /** Stop sequences (default `HUMANEVAL_STOPS`). */
  stops?: readonly string[];
  /** Cancels generation (`ABORTED`). */
  signal?: AbortSignal;
}

/**
 * A {@link CompleteFn} that continues the prompt greedily with a model, stopping at the stop
 * sequences or the token limit. A prompt too long for the context keeps its last tokens
 * (BOS first).
 *
 * @param model - the model
 * @param tokenizer - its tokenizer
 * @param options - token limit, stop sequences, abort
 * @returns the completion function
 * @throws CalderaError `INVALID_ARGUMENT` (bad maxTokens); the returned function throws as
 *   `generate` does
 * @example
 * ```ts
 * const r = await evaluateHumanEval(problems, completeWithModel(model, tokenizer, { maxTokens: 128 }));
 * ```
 */
export function completeWithModel(
  model: LlamaModel,
  tokenizer: Tokenizer,
  options: CompleteWithModelOptions = {},
): CompleteFn {
  const maxTokens = options.maxTokens ?? 128;
  const maxSeqLen = model.config.maxSeqLen;
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens >= maxSeqLen) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `completeWithModel: maxTokens must be an integer in [1, ${maxSeqLen}), got ${describeValue(maxTokens)}`,
    );
  }
  const stops = options.stops ?? HUMANEVAL_STOPS;
  return async (prompt) => {
    let ids = tokenizer.encode(prompt, { bos: true });
    const room = maxSeqLen - maxTokens;
    if (ids.length > room) ids = [ids[0]!, ...ids.slice(ids.length - room + 1)];
    const r = await generate(model, ids, {
      tokenizer,
      maxTokens,
      temperature: 0,
      stop: stops,
      signal: options.signal,
    });
    return truncateCompletion(r.text, stops);
  };
}
