/**
 * `caldera humaneval [model]`: HumanEval pass@1 of any model the CLI loads (float folder,
 * compressed or LoRD checkpoint): greedy completion of each problem, checked with its tests
 * in the Python sandbox of @caldera/runtime.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CalderaError } from '@caldera/core';
import {
  completeWithModel,
  evaluateHumanEval,
  type HumanEvalResult,
  loadHumanEval,
} from '@caldera/runtime';
import type { Command } from 'commander';
import type { CliIo } from '../program';
import { defaultModelDir, findTokenizer, loadAnyModel, num, progressFor } from './command-helpers';

/**
 * Options of `caldera humaneval`.
 *
 * @example
 * ```ts
 * const o: HumanEvalCliOptions = { maxTokens: '128', concurrency: '2', timeout: '5000' };
 * ```
 */
export interface HumanEvalCliOptions {
  problems?: string;
  limit?: string;
  maxTokens: string;
  concurrency: string;
  timeout: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * The default problem file: `../shared/assets/text/humaneval/HumanEval.jsonl` beside the repo.
 *
 * @returns its path
 * @example
 * ```ts
 * defaultHumanEvalPath(); // '/…/shared/assets/text/humaneval/HumanEval.jsonl'
 * ```
 */
export function defaultHumanEvalPath(): string {
  return join(defaultModelDir(), '../../../shared/assets/text/humaneval/HumanEval.jsonl');
}

/**
 * Runs HumanEval on a model.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print progress
 * @returns the model path, settings and result
 * @throws CalderaError `FILE_NOT_FOUND` without a problem file, `INVALID_ARGUMENT` for bad
 *   numbers, `PYTHON_UNAVAILABLE`, model loading errors
 * @example
 * ```ts
 * const r = await humanEvalCommand('out/pycode-lord', { limit: '10', maxTokens: '128', concurrency: '2', timeout: '5000' }, io);
 * ```
 */
export async function humanEvalCommand(
  modelArg: string | undefined,
  opts: HumanEvalCliOptions,
  io: CliIo,
): Promise<{ model: string; maxTokens: number; seconds: number; result: HumanEvalResult }> {
  const path = opts.problems ?? defaultHumanEvalPath();
  if (!existsSync(path)) {
    throw new CalderaError(
      'FILE_NOT_FOUND',
      `HumanEval problems not found at ${path} (--problems)`,
    );
  }
  const maxTokens = num('--max-tokens', opts.maxTokens, true, 1);
  const concurrency = num('--concurrency', opts.concurrency, true, 1);
  const timeoutMs = num('--timeout', opts.timeout, true, 100);
  const all = await loadHumanEval(path);
  const problems =
    opts.limit !== undefined ? all.slice(0, num('--limit', opts.limit, true, 1)) : all;
  const model = modelArg ?? defaultModelDir();
  const progress = progressFor(opts.json, io);
  try {
    const { model: m } = await loadAnyModel(model, progress.onProgress);
    const tokenizer = await findTokenizer(model, opts.tokenizer);
    const t = performance.now();
    const result = await evaluateHumanEval(
      problems,
      completeWithModel(m, tokenizer, { maxTokens }),
      {
        concurrency,
        timeoutMs,
        onProgress: progress.onProgress,
      },
    );
    return { model, maxTokens, seconds: (performance.now() - t) / 1000, result };
  } finally {
    progress.stop();
  }
}

/**
 * Adds `caldera humaneval [model]` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerHumanEval(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerHumanEval(program: Command, io: CliIo): void {
  program
    .command('humaneval')
    .description('HumanEval pass@1 (greedy, sandboxed python3) of a model or checkpoint')
    .argument(
      '[model]',
      'model folder, compressed or LoRD checkpoint (default: the embedded model)',
    )
    .option('--problems <file>', 'HumanEval.jsonl (default ../shared/assets/text/humaneval)')
    .option('--limit <n>', 'only the first n problems')
    .option('--max-tokens <n>', 'most generated tokens per problem', '128')
    .option('--concurrency <n>', 'problems in flight', '2')
    .option('--timeout <ms>', 'per-problem test timeout', '5000')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON result on stdout')
    .action(async (model: string | undefined, opts: HumanEvalCliOptions) => {
      const r = await humanEvalCommand(model, opts, io);
      const passed = r.result.results.filter((x) => x.passed).map((x) => x.taskId);
      if (opts.json) {
        const { results: _, ...rest } = r.result;
        io.out(
          `${JSON.stringify({ model: r.model, maxTokens: r.maxTokens, seconds: r.seconds, ...rest, passedTasks: passed })}\n`,
        );
      } else {
        io.out(
          `${r.model} HumanEval: pass@1 = ${(100 * r.result.passAt1).toFixed(2)} % (${r.result.passed}/${r.result.total}), max tokens ${r.maxTokens}, ${r.seconds.toFixed(1)} s${passed.length ? `\npassed: ${passed.join(', ')}` : ''}\n`,
        );
      }
    });
}
