import { generate } from '@caldera/runtime';
import type { Command } from 'commander';
import type { CliIo } from '../program';
import { findTokenizer, loadAnyModel, num, progressFor, resolveInputs } from './command-helpers';

/**
 * Options of `caldera generate`.
 *
 * @example
 * ```ts
 * const o: GenerateCliOptions = { prompt: 'def ', maxTokens: '32', temperature: '0', topK: '0', topP: '1', seed: '0' };
 * ```
 */
export interface GenerateCliOptions {
  prompt: string;
  maxTokens: string;
  temperature: string;
  topK: string;
  topP: string;
  seed: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * What `caldera generate` returns.
 *
 * @example
 * ```ts
 * const r: GenerateCliResult = { text: 'Once upon', tokens: [403, 407], finish_reason: 'length',
 *   prompt_tokens: 1, tokens_per_second: 900 };
 * ```
 */
export interface GenerateCliResult {
  text: string;
  tokens: number[];
  finish_reason: string;
  prompt_tokens: number;
  tokens_per_second: number;
}

/**
 * Generates text from a prompt (an empty prompt starts from BOS; temperature 0 is greedy).
 *
 * @param modelArg - the model or compressed checkpoint (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @param onText - receives each new piece of text as it is decoded
 * @returns the result
 * @throws CalderaError for bad options or unreadable models
 * @example
 * ```ts
 * const r = await generateCommand(undefined, { prompt: 'import ', maxTokens: '16', temperature: '0',
 *   topK: '0', topP: '1', seed: '0' }, io);
 * ```
 */
export async function generateCommand(
  modelArg: string | undefined,
  opts: GenerateCliOptions,
  io: CliIo,
  onText?: (text: string) => void,
): Promise<GenerateCliResult> {
  const { model } = resolveInputs(modelArg, undefined, io, false);
  const maxTokens = num('--max-tokens', opts.maxTokens, true, 1);
  const temperature = num('--temperature', opts.temperature, false, 0);
  const topK = num('--top-k', opts.topK, true, 0);
  const topP = num('--top-p', opts.topP, false, 0);
  const seed = num('--seed', opts.seed, true, 0);
  const progress = progressFor(opts.json, io);
  try {
    const tokenizer = await findTokenizer(model, opts.tokenizer);
    const { model: m } = await loadAnyModel(model, progress.onProgress);
    const r = await generate(m, opts.prompt, {
      tokenizer,
      maxTokens,
      temperature,
      topK,
      topP,
      seed,
      onToken: (e) => {
        if (e.text) onText?.(e.text);
      },
    });
    return {
      text: r.text,
      tokens: r.tokens,
      finish_reason: r.finishReason,
      prompt_tokens: r.promptTokens.length,
      tokens_per_second: r.decodeMs > 0 ? (1000 * r.tokens.length) / r.decodeMs : 0,
    };
  } finally {
    progress.stop();
  }
}

/**
 * Adds `caldera generate [model]` to a program. Only the generated text goes to stdout
 * (streamed), or one JSON object with `--json`.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerGenerate(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerGenerate(program: Command, io: CliIo): void {
  program
    .command('generate')
    .description('generate text from a prompt (float model or compressed checkpoint)')
    .argument('[model]', 'model or compressed checkpoint (default: the embedded model)')
    .option('--prompt <text>', 'the prompt (empty: start from BOS)', '')
    .option('--max-tokens <n>', 'tokens to generate', '64')
    .option('--temperature <t>', 'softmax temperature (0: greedy)', '0')
    .option('--top-k <k>', 'keep the k most likely tokens (0: all)', '0')
    .option('--top-p <p>', 'nucleus probability', '1')
    .option('--seed <s>', 'sampling seed', '0')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: GenerateCliOptions) => {
      const r = await generateCommand(model, opts, io, opts.json ? undefined : (t) => io.out(t));
      io.out(opts.json ? `${JSON.stringify(r)}\n` : '\n');
    });
}
