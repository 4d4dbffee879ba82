import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeWindows, openModel } from '@caldera/io';
import { collectCalibration, LlamaModel, saveCalibration } from '@caldera/runtime';
import type { Command } from 'commander';
import type { CliIo } from '../program';
import { findTokenizer, num, progressFor, readTokens, resolveInputs } from './command-helpers';

/**
 * Options of `caldera calibrate`.
 *
 * @example
 * ```ts
 * const o: CalibrateOptions = { data: 'text.txt', samples: '16', seq: '128', output: 'calib' };
 * ```
 */
export interface CalibrateOptions {
  data?: string;
  samples: string;
  seq: string;
  output: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * What `caldera calibrate` reports.
 *
 * @example
 * ```ts
 * const r: CalibrateResult = { file: 'calib/calibration.safetensors', windows: 16, tokens: 2048, seconds: 1.2 };
 * ```
 */
export interface CalibrateResult {
  file: string;
  windows: number;
  tokens: number;
  seconds: number;
}

/**
 * Collects input second moments (Hessians) of every linear layer over the first `samples`
 * windows of `seq` tokens of a text, and saves them as `<output>/calibration.safetensors`.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the result
 * @throws CalderaError for unreadable models or text, or too little text
 * @example
 * ```ts
 * await calibrateCommand('models/pycode-6m', { data: 'x.txt', samples: '8', seq: '128', output: 'c' }, io);
 * ```
 */
export async function calibrateCommand(
  modelArg: string | undefined,
  opts: CalibrateOptions,
  io: CliIo,
): Promise<CalibrateResult> {
  const t0 = performance.now();
  const { model, data } = resolveInputs(modelArg, opts.data, io, true);
  const samples = num('--samples', opts.samples, true, 1);
  const seqLen = num('--seq', opts.seq, true, 2);
  const progress = progressFor(opts.json, io);
  try {
    const tokens = await readTokens(data!, await findTokenizer(model, opts.tokenizer));
    const windows = makeWindows(tokens, { seqLen, count: samples, sampling: 'sequential' });
    const source = await openModel(model, { onProgress: progress.onProgress });
    let loaded: LlamaModel;
    try {
      loaded = await LlamaModel.load(source, { onProgress: progress.onProgress });
    } finally {
      await source.close();
    }
    const stats = await collectCalibration(loaded, windows, { onProgress: progress.onProgress });
    await mkdir(opts.output, { recursive: true });
    const file = join(opts.output, 'calibration.safetensors');
    await saveCalibration(file, stats);
    return {
      file,
      windows: stats.windows,
      tokens: stats.tokens,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    progress.stop();
  }
}

/**
 * Adds `caldera calibrate [model]` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerCalibrate(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerCalibrate(program: Command, io: CliIo): void {
  program
    .command('calibrate')
    .description('collect the input Hessians of every linear layer over a text')
    .argument('[model]', 'model folder, llama2.c .bin or Hub id (default: the embedded model)')
    .option('--data <file>', 'calibration text')
    .option('--samples <n>', 'number of windows', '16')
    .option('--seq <n>', 'tokens per window', '128')
    .requiredOption('-o, --output <dir>', 'output folder (calibration.safetensors)')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: CalibrateOptions) => {
      const r = await calibrateCommand(model, opts, io);
      io.out(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `wrote ${r.file}: ${r.windows} windows, ${r.tokens} tokens, ${r.seconds.toFixed(1)} s\n`,
      );
    });
}
