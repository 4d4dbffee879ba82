import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compressModel, loadCompressedModel, type PlanMethod } from '@caldera/caldera';
import { CalderaError, describeValue } from '@caldera/core';
import { makeWindows, openModel } from '@caldera/io';
import { collectCalibration, LlamaModel, perplexity } from '@caldera/runtime';
import type { Command } from 'commander';
import { formatTable } from '../format';
import type { CliIo } from '../program';
import {
  findTokenizer,
  findTokenizerPath,
  num,
  progressFor,
  readTokens,
  resolveInputs,
} from './command-helpers';
import { sweepSvg } from './sweep-plot';

/**
 * Options of `caldera sweep` (as commander parses them; list options are comma lists).
 *
 * @example
 * ```ts
 * const o: SweepOptions = { output: 'sweep', ranks: '0,16', bits: '2', method: ['rtn', 'caldera'],
 *   samples: '8', seq: '128', evalWindows: '8', lrBits: '4' };
 * ```
 */
export interface SweepOptions {
  output: string;
  ranks: string;
  bits: string;
  method: string[];
  lrBits: string;
  iterations?: string;
  lplr?: string;
  data?: string;
  samples: string;
  seq: string;
  evalWindows: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * One row of a sweep: a compressed run, or the float model (`method: 'float'`).
 *
 * @example
 * ```ts
 * const r: SweepRow = { method: 'caldera', rank: 16, q_bits: 2, bpp: 2.41, model_bpp: 5.2,
 *   ppl: 21.3, nll: 3.06, seconds: 12, dir: 'sweep/caldera-r16-b2' };
 * ```
 */
export interface SweepRow {
  method: string;
  rank: number;
  q_bits: number;
  /** Bits per parameter of the compressed linear layers (float: of the stored weights). */
  bpp: number;
  /** Bits per parameter of the whole model. */
  model_bpp: number;
  ppl: number;
  nll: number;
  /** Seconds of the compression (0 for float). */
  seconds: number;
  dir: string;
}

/**
 * What `caldera sweep` reports.
 *
 * @example
 * ```ts
 * const r: SweepResult = { model: 'm', rows: [], evalTokens: 1000, calibrationTokens: 2048, files: [] };
 * ```
 */
export interface SweepResult {
  model: string;
  rows: SweepRow[];
  evalTokens: number;
  calibrationTokens: number;
  files: string[];
}

const METHODS: readonly PlanMethod[] = ['caldera', 'ldlq', 'rtn', 'lord'];
const LOW_RANK: readonly PlanMethod[] = ['caldera', 'lord'];

function intList(name: string, text: string, min: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${name} must be a comma list, got ${describeValue(text)}`,
    );
  }
  return [...new Set(parts.map((p) => num(name, p, true, min)))];
}

/**
 * The methods of `--method` (repeatable, each a comma list), checked and deduplicated.
 *
 * @param values - the option values
 * @returns the methods
 * @throws CalderaError `INVALID_ARGUMENT` for an unknown method
 * @example
 * ```ts
 * parseMethods(['rtn,ldlq', 'caldera']); // ['rtn', 'ldlq', 'caldera']
 * ```
 */
export function parseMethods(values: readonly string[]): PlanMethod[] {
  const out: PlanMethod[] = [];
  for (const m of values.flatMap((v) => v.split(',')).map((s) => s.trim())) {
    if (!METHODS.includes(m as PlanMethod)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `--method must be one of ${METHODS.join(', ')}, got ${describeValue(m)}`,
      );
    }
    if (!out.includes(m as PlanMethod)) out.push(m as PlanMethod);
  }
  return out;
}

/**
 * Renders sweep rows as CSV (header `method,rank,q_bits,bpp,model_bpp,ppl,nll,seconds,dir`).
 *
 * @param rows - the rows
 * @returns the CSV text
 * @example
 * ```ts
 * sweepCsv(result.rows).split('\n')[0]; // 'method,rank,q_bits,bpp,model_bpp,ppl,nll,seconds,dir'
 * ```
 */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const header = 'method,rank,q_bits,bpp,model_bpp,ppl,nll,seconds,dir';
  const lines = rows.map((r) =>
    [r.method, r.rank, r.q_bits, r.bpp, r.model_bpp, r.ppl, r.nll, r.seconds, r.dir]
      .map((v) =>
        typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v),
      )
      .join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Compresses a model over a grid of methods × ranks × bits from one calibration, measures the
 * perplexity of each checkpoint (and of the float model) on the windows after the calibration
 * tokens, and writes `sweep.csv`, `sweep.json` and `sweep.svg` into the output folder. Methods
 * without a low-rank part (rtn, ldlq) run once per bit width, at rank 0.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the rows and written files
 * @throws CalderaError for bad options, unreadable inputs or too little text
 * @example
 * ```ts
 * const r = await sweepCommand(undefined, { output: 'sweep', ranks: '8', bits: '2', method: ['rtn'],
 *   lrBits: '4', samples: '8', seq: '256', evalWindows: '8' }, io);
 * ```
 */
export async function sweepCommand(
  modelArg: string | undefined,
  opts: SweepOptions,
  io: CliIo,
): Promise<SweepResult> {
  const methods = parseMethods(opts.method.length ? opts.method : ['caldera']);
  const ranks = intList('--ranks', opts.ranks, 0);
  const bits = intList('--bits', opts.bits, 2);
  for (const b of bits) {
    if (![2, 3, 4, 8].includes(b)) {
      throw new CalderaError('INVALID_ARGUMENT', `--bits must be 2, 3, 4 or 8, got ${b}`);
    }
  }
  const lrBits = num('--lr-bits', opts.lrBits, true, 2);
  if (![2, 3, 4, 16].includes(lrBits)) {
    throw new CalderaError('INVALID_ARGUMENT', `--lr-bits must be 2, 3, 4 or 16, got ${lrBits}`);
  }
  const iterations =
    opts.iterations !== undefined ? num('--iterations', opts.iterations, true, 1) : undefined;
  const lplr = opts.lplr !== undefined ? num('--lplr', opts.lplr, true, 1) : undefined;
  const seqLen = num('--seq', opts.seq, true, 2);
  const samples = num('--samples', opts.samples, true, 1);
  const evalWindows = num('--eval-windows', opts.evalWindows, true, 1);
  const { model, data } = resolveInputs(modelArg, opts.data, io, true);
  const progress = progressFor(opts.json, io);
  const onProgress = progress.onProgress;
  try {
    const tokens = await readTokens(data!, await findTokenizer(model, opts.tokenizer));
    const calibTokens = samples * seqLen;
    const heldout = tokens.subarray(Math.min(tokens.length, calibTokens));
    if (heldout.length < seqLen) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `${data}: ${tokens.length} tokens leave ${heldout.length} after ${calibTokens} calibration tokens, fewer than one window of ${seqLen}`,
      );
    }
    const windows = makeWindows(tokens, { seqLen, count: samples, sampling: 'sequential' });
    const evalOptions = {
      contextLength: seqLen,
      bos: 'prepend' as const,
      maxWindows: evalWindows,
      onProgress,
    };
    const single = existsSync(model) && statSync(model).isFile();
    const tokenizerFiles =
      single || opts.tokenizer !== undefined
        ? [findTokenizerPath(model, opts.tokenizer)]
        : undefined;
    await mkdir(opts.output, { recursive: true });

    const source = await openModel(model, { onProgress });
    const rows: SweepRow[] = [];
    let evalTokens = 0;
    try {
      const floatModel = await LlamaModel.load(source, { onProgress });
      const stats = await collectCalibration(floatModel, windows, { onProgress });
      const fp = await perplexity(floatModel, heldout, evalOptions);
      evalTokens = fp.tokens;
      const floatRow: SweepRow = {
        method: 'float',
        rank: 0,
        q_bits: 0,
        bpp: Number.NaN,
        model_bpp: Number.NaN,
        ppl: fp.perplexity,
        nll: fp.meanNll,
        seconds: 0,
        dir: model,
      };
      rows.push(floatRow);
      for (const method of methods) {
        for (const qBits of bits) {
          for (const rank of LOW_RANK.includes(method) ? ranks : [0]) {
            const name = `${method}-r${rank}-b${qBits}`;
            const outDir = join(opts.output, name);
            onProgress({
              type: 'log',
              task: 'sweep',
              level: 'info',
              message: `sweep: compressing ${name}`,
            });
            const s = await compressModel(
              source,
              stats,
              {
                defaults: {
                  method,
                  rank,
                  qBits: qBits as 2 | 3 | 4 | 8,
                  lrBits: lrBits as 2 | 3 | 4 | 16,
                  ...(iterations !== undefined ? { iterations } : {}),
                  ...(lplr !== undefined ? { lplrRounds: lplr } : {}),
                },
                rules: [],
              },
              { outDir, onProgress, ...(tokenizerFiles ? { tokenizerFiles } : {}) },
            );
            if (Number.isNaN(floatRow.bpp)) {
              floatRow.bpp = floatRow.model_bpp = (8 * s.bytesBefore) / s.totalParameters;
            }
            const m = await loadCompressedModel(outDir, { onProgress });
            const r = await perplexity(m, heldout, evalOptions);
            rows.push({
              method,
              rank,
              q_bits: qBits,
              bpp: s.linearBitsPerParameter,
              model_bpp: s.modelBitsPerParameter,
              ppl: r.perplexity,
              nll: r.meanNll,
              seconds: s.seconds,
              dir: outDir,
            });
          }
        }
      }
    } finally {
      await source.close();
    }
    const files = ['sweep.csv', 'sweep.json', 'sweep.svg'].map((f) => join(opts.output, f));
    const result: SweepResult = { model, rows, evalTokens, calibrationTokens: calibTokens, files };
    await writeAtomic(files[0]!, sweepCsv(rows));
    await writeAtomic(files[1]!, `${JSON.stringify(result, null, 2)}\n`);
    const points = rows
      .filter((r) => r.method !== 'float')
      .map((r) => ({ series: r.method, bpp: r.bpp, ppl: r.ppl }));
    const title = `PPL vs bits per parameter: ${basename(model)}`;
    await writeAtomic(files[2]!, sweepSvg(points, rows[0]!.ppl, title));
    return result;
  } finally {
    progress.stop();
  }
}

/**
 * Renders sweep rows as a text table.
 *
 * @param r - the result
 * @returns lines
 * @example
 * ```ts
 * formatSweep(result).join('\n');
 * ```
 */
export function formatSweep(r: SweepResult): string[] {
  const rows = r.rows.map((x) => [
    x.method,
    x.method === 'float' ? '' : String(x.rank),
    x.method === 'float' ? '' : String(x.q_bits),
    x.bpp.toFixed(3),
    x.model_bpp.toFixed(3),
    x.ppl.toFixed(3),
    x.method === 'float' ? '' : `${x.seconds.toFixed(1)} s`,
  ]);
  return [
    ...formatTable(
      ['method', 'rank', 'q bits', 'bits/param', 'model bits/param', 'PPL', 'time'],
      rows,
      [1, 2, 3, 4, 5, 6],
    ),
    '',
    `PPL over ${r.evalTokens} held-out tokens after ${r.calibrationTokens} calibration tokens; wrote ${r.files.join(', ')}`,
  ];
}

/**
 * Adds `caldera sweep [model]` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerSweep(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerSweep(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description('compress over a grid of methods, ranks and bits; PPL versus bits per parameter')
    .argument('[model]', 'model folder, llama2.c .bin or Hub id (default: the embedded model)')
    .requiredOption(
      '-o, --output <dir>',
      'output folder (one checkpoint per run, sweep.csv/json/svg)',
    )
    .option(
      '--method <m>',
      'caldera | ldlq | rtn | lord (repeatable or comma list; default caldera)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--ranks <list>', 'ranks of L·R (caldera, lord), comma list', '16')
    .option('--bits <list>', 'bits of Q, comma list', '2')
    .option('--lr-bits <b>', 'bits of L and R: 2, 3, 4 or 16', '4')
    .option('--iterations <n>', 'CALDERA outer iterations')
    .option('--lplr <n>', 'CALDERA LPLR rounds per iteration')
    .option('--data <file>', 'text: calibration windows first, evaluation windows after them')
    .option('--samples <n>', 'calibration windows', '16')
    .option('--seq <n>', 'tokens per calibration and evaluation window', '128')
    .option('--eval-windows <n>', 'held-out evaluation windows', '8')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: SweepOptions) => {
      const r = await sweepCommand(model, opts, io);
      io.out(opts.json ? `${JSON.stringify(r)}\n` : `${formatSweep(r).join('\n')}\n`);
    });
}
