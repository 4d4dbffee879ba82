import type { LlamaConfig } from '@caldera/io';
import { compareModels, perplexity } from '@caldera/runtime';
import type { Command } from 'commander';
import { formatBytes } from '../format';
import type { CliIo } from '../program';
import {
  findTokenizer,
  loadAnyModel,
  num,
  progressFor,
  readTokens,
  resolveInputs,
  weightBytesOnDisk,
} from './command-helpers';

/**
 * Options of `caldera eval`.
 *
 * @example
 * ```ts
 * const o: EvalOptions = { data: 'heldout.txt', seq: '256' };
 * ```
 */
export interface EvalOptions {
  base?: string;
  data?: string;
  seq: string;
  windows?: string;
  offset?: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * What `caldera eval` reports (`kl`, `top1` only with `--base`).
 *
 * @example
 * ```ts
 * const r: EvalResult = { model: 'm', compressed: false, ppl: 16.8, nll: 2.82, tokens: 1000,
 *   windows: 4, bits_per_param: 16, bytes: 12900864, parameters: 6450432 };
 * ```
 */
export interface EvalResult {
  model: string;
  compressed: boolean;
  ppl: number;
  nll: number;
  tokens: number;
  windows: number;
  bits_per_param: number;
  bytes: number;
  /** From the config; for a LoRD folder, the parameters its safetensors actually store. */
  parameters: number;
  base?: string;
  base_ppl?: number;
  kl?: number;
  top1?: number;
}

/**
 * Parameters of a Llama-family model from its config.
 *
 * @param c - the config
 * @returns embeddings, blocks, final norm and (untied) head
 * @example
 * ```ts
 * parameterCount(config); // 6,450,432 for pycode-6m
 * ```
 */
export function parameterCount(c: LlamaConfig): number {
  const d = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const block =
    2 * d +
    q * d +
    2 * kv * d +
    d * q +
    3 * c.intermediateSize * d +
    (c.attentionBias ? q + 2 * kv : 0);
  return c.vocabSize * d * (c.tieWordEmbeddings ? 1 : 2) + c.numLayers * block + d;
}

/**
 * Perplexity of a model (float or compressed) on a text, and its KL divergence and top-1
 * agreement to a base model.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the result
 * @throws CalderaError for unreadable models or text, or a text shorter than one window
 * @example
 * ```ts
 * const r = await evalCommand('out/pycode-caldera', { base: 'models/pycode-6m', data: 'x.txt', seq: '256' }, io);
 * ```
 */
export async function evalCommand(
  modelArg: string | undefined,
  opts: EvalOptions,
  io: CliIo,
): Promise<EvalResult> {
  const { model, data } = resolveInputs(modelArg, opts.data, io, true);
  const contextLength = num('--seq', opts.seq, true, 2);
  const maxWindows =
    opts.windows !== undefined ? num('--windows', opts.windows, true, 1) : undefined;
  const offset = opts.offset !== undefined ? num('--offset', opts.offset, true, 0) : 0;
  const progress = progressFor(opts.json, io);
  try {
    const all = await readTokens(data!, await findTokenizer(model, opts.tokenizer));
    const tokens = all.subarray(Math.min(all.length, offset));
    const {
      model: m,
      compressed,
      storedParameters,
    } = await loadAnyModel(model, progress.onProgress);
    const windowOptions = {
      contextLength,
      bos: 'prepend' as const,
      onProgress: progress.onProgress,
      ...(maxWindows !== undefined ? { maxWindows } : {}),
    };
    // a LoRD folder stores fewer parameters than its config describes (X → X.0, X.1)
    const parameters = storedParameters ?? parameterCount(m.config);
    const bytes = weightBytesOnDisk(model);
    const result: EvalResult = {
      model,
      compressed,
      ppl: 0,
      nll: 0,
      tokens: 0,
      windows: 0,
      bits_per_param: (8 * bytes) / parameters,
      bytes,
      parameters,
    };
    if (opts.base !== undefined) {
      const base = (await loadAnyModel(opts.base, progress.onProgress)).model;
      const r = await compareModels(m, base, tokens, windowOptions);
      Object.assign(result, {
        ppl: Math.exp(r.meanNll),
        nll: r.meanNll,
        tokens: r.tokens,
        windows: r.windows,
        base: opts.base,
        base_ppl: Math.exp(r.baseMeanNll),
        kl: r.klDivergence,
        top1: r.top1Agreement,
      });
    } else {
      const r = await perplexity(m, tokens, windowOptions);
      Object.assign(result, {
        ppl: r.perplexity,
        nll: r.meanNll,
        tokens: r.tokens,
        windows: r.windows,
      });
    }
    return result;
  } finally {
    progress.stop();
  }
}

/**
 * Renders an eval result as text.
 *
 * @param r - the result
 * @returns lines
 * @example
 * ```ts
 * formatEval(result).join('\n');
 * ```
 */
export function formatEval(r: EvalResult): string[] {
  const lines = [
    `${r.model}${r.compressed ? ' (compressed)' : ''}: perplexity ${r.ppl.toFixed(3)} (NLL ${r.nll.toFixed(4)} nats/token over ${r.tokens} tokens, ${r.windows} windows)`,
    `  ${r.bits_per_param.toFixed(3)} bits/param, ${formatBytes(r.bytes)} on disk, ${r.parameters} parameters`,
  ];
  if (r.base !== undefined) {
    lines.push(
      `  vs ${r.base}: perplexity ${r.base_ppl!.toFixed(3)}, KL ${r.kl!.toFixed(5)} nats/token, top-1 agreement ${(100 * r.top1!).toFixed(2)}%`,
    );
  }
  return lines;
}

/**
 * Adds `caldera eval [model]` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerEval(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerEval(program: Command, io: CliIo): void {
  program
    .command('eval')
    .description('perplexity of a model on a text; KL and top-1 agreement against --base')
    .argument('[model]', 'model or compressed checkpoint (default: the embedded model)')
    .option('--base <model>', 'reference model for KL divergence and top-1 agreement')
    .option('--data <file>', 'evaluation text')
    .option('--seq <n>', 'context length of each window', '256')
    .option('--windows <n>', 'at most this many windows')
    .option('--offset <n>', 'skip this many tokens first (e.g. those used for calibration)', '0')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: EvalOptions) => {
      const r = await evalCommand(model, opts, io);
      io.out(opts.json ? `${JSON.stringify(r)}\n` : `${formatEval(r).join('\n')}\n`);
    });
}
