import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type CompressionPlan,
  type CompressSummary,
  compressModel,
  defaultLayerThreads,
  type LayerSettings,
  type PlanMethod,
  type PlanRule,
} from '@caldera/caldera';
import { CalderaError, describeValue } from '@caldera/core';
import { makeWindows, openModel } from '@caldera/io';
import { loadCalibration } from '@caldera/runtime';
import type { Command } from 'commander';
import { formatBytes, formatTable } from '../format';
import type { CliIo } from '../program';
import {
  findTokenizer,
  findTokenizerPath,
  num,
  progressFor,
  readTokens,
  resolveInputs,
} from './command-helpers';
import {
  formatLordCompress,
  isLordRequest,
  type LordCompressOptions,
  lordCompressCommand,
} from './compress-lord';
import { type BeforeAfter, beforeAfter, formatBeforeAfter } from './compress-report';

/**
 * Options of `caldera compress` (as commander parses them).
 *
 * @example
 * ```ts
 * const o: CompressOptions = { output: 'out', method: 'caldera', rank: '16', qBits: '2', lrBits: '4',
 *   samples: '16', seq: '128' };
 * ```
 */
export interface CompressOptions {
  /** Default: `out/<model folder name>-<method>` in the working folder. */
  output?: string;
  /** Layers decomposed at once (default: `defaultLayerThreads` of the work; 1: no workers). */
  threads?: string;
  /** Before/after perplexity on held-out text (default: on without a model argument). */
  eval?: boolean;
  /** Windows of 256 tokens for `eval` (default 8). */
  evalWindows?: string;
  method: string;
  rank: string;
  qQuantizer?: string;
  qBits: string;
  lrBits: string;
  iterations?: string;
  lplr?: string;
  rules?: string;
  data?: string;
  calibration?: string;
  samples: string;
  seq: string;
  resume?: boolean;
  keptDtype?: string;
  tokenizer?: string;
  json?: boolean;
  targetBpw?: string;
  candidateRanks?: string;
  candidateQBits?: string;
  candidateLrBits?: string;
}

const METHODS: readonly PlanMethod[] = ['caldera', 'ldlq', 'rtn', 'lord'];

function oneOf<T extends string | number>(name: string, v: T, allowed: readonly T[]): T {
  if (!allowed.includes(v)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `${name} must be one of ${allowed.join(', ')}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/**
 * The plan of a `compress` invocation: the defaults from the flags, the rules from `--rules`
 * (a JSON array of `{ pattern, keep?, method?, rank?, qBits?, lrBits?, … }`).
 *
 * @param opts - the options
 * @returns the plan
 * @throws CalderaError `INVALID_ARGUMENT` for bad flags or a bad rules file
 * @example
 * ```ts
 * const plan = await planFromOptions({ method: 'rtn', rank: '0', qBits: '2', lrBits: '4', output: 'o', samples: '1', seq: '8' });
 * ```
 */
export async function planFromOptions(opts: CompressOptions): Promise<CompressionPlan> {
  const method = oneOf('--method', opts.method as PlanMethod, METHODS);
  const defaults: LayerSettings = {
    method,
    rank: num('--rank', opts.rank, true, 0),
    qBits: oneOf('--q-bits', num('--q-bits', opts.qBits, true, 2), [2, 3, 4, 8]) as 2 | 3 | 4 | 8,
    lrBits: oneOf('--lr-bits', num('--lr-bits', opts.lrBits, true, 2), [2, 3, 4, 16]) as
      | 2
      | 3
      | 4
      | 16,
  };
  if (opts.qQuantizer !== undefined) {
    defaults.qQuantizer = oneOf<'e8p' | 'uniform'>('--q-quantizer', opts.qQuantizer as 'e8p', [
      'e8p',
      'uniform',
    ]);
  }
  if (opts.iterations !== undefined)
    defaults.iterations = num('--iterations', opts.iterations, true, 1);
  if (opts.lplr !== undefined) defaults.lplrRounds = num('--lplr', opts.lplr, true, 1);
  let rules: PlanRule[] = [];
  if (opts.rules !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(opts.rules, 'utf8'));
    } catch (cause) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `--rules ${opts.rules}: not a readable JSON file`,
        {
          cause,
        },
      );
    }
    if (!Array.isArray(parsed) || !parsed.every((r) => typeof r?.pattern === 'string')) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `--rules ${opts.rules}: expected a JSON array of objects with a string "pattern"`,
      );
    }
    rules = parsed as PlanRule[];
  }
  const plan: CompressionPlan = { defaults, rules };
  if (opts.targetBpw !== undefined) {
    const t = Number(opts.targetBpw);
    if (!(Number.isFinite(t) && t > 0)) {
      throw new CalderaError(
        'INVALID_ARGUMENT',
        `--target-bpw must be a positive number, got ${describeValue(opts.targetBpw)}`,
      );
    }
    plan.targetBpw = t;
  }
  if (opts.candidateRanks !== undefined && plan.targetBpw !== undefined) {
    plan.candidateRanks = opts.candidateRanks
      .split(',')
      .map((r) => num('--candidate-ranks', r.trim(), true, 0));
  }
  if (opts.candidateQBits !== undefined && plan.targetBpw !== undefined) {
    plan.candidateQBits = opts.candidateQBits
      .split(',')
      .map((b) =>
        oneOf('--candidate-q-bits', num('--candidate-q-bits', b.trim(), true, 2), [2, 3, 4]),
      );
  }
  if (opts.candidateLrBits !== undefined && plan.targetBpw !== undefined) {
    plan.candidateLrBits = opts.candidateLrBits
      .split(',')
      .map((b) =>
        oneOf('--candidate-lr-bits', num('--candidate-lr-bits', b.trim(), true, 2), [2, 3, 4, 16]),
      );
  }
  return plan;
}

/**
 * Compresses a model into a checkpoint folder (calibrating on `--data` unless
 * `--calibration` gives saved statistics).
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the summary, and the before/after report with `--eval` (default without a model)
 * @throws CalderaError for bad options, unreadable inputs, `RESUME_MISMATCH`
 * @example
 * ```ts
 * const s = await compressCommand(undefined, { output: 'out', method: 'caldera', rank: '16',
 *   qBits: '2', lrBits: '4', samples: '8', seq: '128' }, io);
 * ```
 */
export async function compressCommand(
  modelArg: string | undefined,
  opts: CompressOptions,
  io: CliIo,
): Promise<CompressSummary & { eval?: BeforeAfter }> {
  const plan = await planFromOptions(opts);
  const keptDtype = oneOf('--kept-dtype', (opts.keptDtype ?? 'f16').toUpperCase(), ['F16', 'F32']);
  const threadsOption =
    opts.threads !== undefined ? num('--threads', opts.threads, true, 1) : undefined;
  const withEval = opts.eval ?? modelArg === undefined;
  const evalWindows = num('--eval-windows', opts.evalWindows ?? '8', true, 1);
  const needData = opts.calibration === undefined || withEval;
  const { model, data } = resolveInputs(modelArg, opts.data, io, needData);
  const output =
    opts.output ??
    join('out', `${basename(model).replace(/\.[^.]*$/, '')}-${plan.defaults.method}`);
  const progress = progressFor(opts.json, io);
  const source = await openModel(model, { onProgress: progress.onProgress });
  let summary: CompressSummary;
  let calibrationTokens = 0;
  try {
    const linearParameters = source
      .tensors()
      .filter((t) => /_proj\.weight$/.test(t.name))
      .reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    const threads = threadsOption ?? defaultLayerThreads(linearParameters);
    let calibration: Parameters<typeof compressModel>[1];
    if (opts.calibration !== undefined) {
      calibration = await loadCalibration(opts.calibration);
    } else {
      const seqLen = num('--seq', opts.seq, true, 2);
      const count = num('--samples', opts.samples, true, 1);
      const tokens = await readTokens(data!, await findTokenizer(model, opts.tokenizer));
      calibration = { windows: makeWindows(tokens, { seqLen, count, sampling: 'sequential' }) };
      calibrationTokens = seqLen * count;
    }
    const single = existsSync(model) && statSync(model).isFile();
    summary = await compressModel(source, calibration, plan, {
      outDir: output,
      resume: opts.resume ?? false,
      threads,
      keptDtype: keptDtype as 'F16' | 'F32',
      onProgress: progress.onProgress,
      ...(single || opts.tokenizer !== undefined
        ? { tokenizerFiles: [findTokenizerPath(model, opts.tokenizer)] }
        : {}),
    });
  } finally {
    progress.stop();
    await source.close();
  }
  if (!withEval) return summary;
  const q = await beforeAfter(
    model,
    summary,
    data!,
    calibrationTokens,
    evalWindows,
    256,
    opts.json,
    io,
  );
  return { ...summary, eval: q };
}

/**
 * Renders a compression summary as text.
 *
 * @param s - the summary
 * @returns lines
 * @example
 * ```ts
 * formatCompress(summary).join('\n');
 * ```
 */
export function formatCompress(s: CompressSummary & { eval?: BeforeAfter }): string[] {
  const rows = s.layers.map((l) => [
    l.name,
    l.method,
    String(l.rank),
    l.bitsPerParameter.toFixed(3),
    l.dataAwareError.toFixed(4),
    l.resumed ? 'resumed' : `${l.seconds.toFixed(2)} s`,
  ]);
  return [
    ...formatTable(['tensor', 'method', 'rank', 'bits/param', 'error', 'time'], rows, [2, 3, 4]),
    '',
    ...(s.targetBpw !== undefined
      ? [
          `target ${s.targetBpw} bits/param: achieved ${s.linearBitsPerParameter.toFixed(3)}, ranks ${s.layers.map((l) => l.rank).join(',')}; bits/param ${s.layers.map((l) => l.bitsPerParameter.toFixed(2)).join(',')}`,
        ]
      : []),
    `wrote ${s.outDir}: linear layers ${s.linearBitsPerParameter.toFixed(3)} bits/param, whole model ${s.modelBitsPerParameter.toFixed(3)} bits/param, ${formatBytes(s.bytesBefore)} → ${formatBytes(s.bytesAfter)} in ${s.seconds.toFixed(1)} s on ${s.threads} thread${s.threads === 1 ? '' : 's'} (peak RSS ${formatBytes(s.peakRssBytes)}, heap ${formatBytes(s.memory.heapUsedBytes)}, array buffers ${formatBytes(s.memory.arrayBufferBytes)}; at most ${s.maxWeightsHeld} source weights in memory at once)`,
    ...(s.eval !== undefined ? formatBeforeAfter(s.eval) : []),
  ];
}

/**
 * Adds `caldera compress [model]` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerCompress(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerCompress(program: Command, io: CliIo): void {
  program
    .command('compress')
    .description('compress every linear layer of a model into a checkpoint folder')
    .argument('[model]', 'model folder, llama2.c .bin or Hub id (default: the embedded model)')
    .option(
      '-o, --output <dir>',
      'checkpoint folder, written whole at the end (default: out/<model>-<method>)',
    )
    .option(
      '--threads <n>',
      'layers decomposed at once on worker threads (default: cores, ≤ 8, ≤ 1 per 1M parameters)',
    )
    .option('--method <m>', 'caldera | ldlq | rtn | lord', 'caldera')
    .option('--rank <k>', 'rank of L·R (caldera, lord)', '16')
    .option('--q-quantizer <q>', 'e8p | uniform (default e8p; rtn: uniform)')
    .option('--q-bits <b>', 'bits of Q', '2')
    .option('--lr-bits <b>', 'bits of L and R: 2, 3, 4 or 16 (float16)', '4')
    .option('--iterations <n>', 'CALDERA outer iterations')
    .option('--lplr <n>', 'CALDERA LPLR rounds per iteration')
    .option(
      '--target-bpw <x>',
      'bits/param budget over the compressed layers: ranks allocated per layer (overrides --rank)',
    )
    .option('--candidate-ranks <list>', 'ranks tried per layer under --target-bpw', '0,8,16,32,64')
    .option(
      '--candidate-q-bits <list>',
      'bits of Q tried per layer under --target-bpw, e.g. 2,3 (default: --q-bits only)',
    )
    .option(
      '--candidate-lr-bits <list>',
      'bits of L and R tried per layer under --target-bpw, e.g. 2,3,4 (default: --lr-bits only)',
    )
    .option('--param-reduction <r>', 'lord: fraction of the linear parameters to remove, in (0, 1)')
    .option('--ppl-budget <p>', 'lord: largest reduction keeping perplexity within p % of dense')
    .option('--lord-decomposition <d>', 'lord: svd | whitened | pca', 'whitened')
    .option('--rank-step <k>', 'lord: candidate ranks are multiples of k', '1')
    .option('--eval-data <file>', 'lord --ppl-budget: evaluation text (default --data)')
    .option('--rules <file>', 'JSON array of per-tensor rules (first match wins)')
    .option('--data <file>', 'calibration text')
    .option(
      '--calibration <file>',
      'saved calibration (from `caldera calibrate`) instead of --data',
    )
    .option('--samples <n>', 'calibration windows', '16')
    .option('--seq <n>', 'tokens per calibration window', '128')
    .option('--resume', 'reuse finished layers of an interrupted run (kept in <output>.partial)')
    .option(
      '--eval',
      'print perplexity before/after on the held-out text (default without a model)',
    )
    .option('--no-eval', 'skip the before/after evaluation')
    .option('--eval-windows <n>', 'windows of 256 tokens for the before/after evaluation', '8')
    .option('--kept-dtype <d>', 'dtype of kept tensors: f16 | f32', 'f16')
    .option('--tokenizer <file>', 'tokenizer file (overrides the one found beside the model)')
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: CompressOptions & LordCompressOptions) => {
      if (isLordRequest(opts)) {
        const l = await lordCompressCommand(model, opts, io);
        io.out(opts.json ? `${JSON.stringify(l)}\n` : `${formatLordCompress(l).join('\n')}\n`);
        return;
      }
      const s = await compressCommand(model, opts, io);
      io.out(opts.json ? `${JSON.stringify(s)}\n` : `${formatCompress(s).join('\n')}\n`);
    });
}
