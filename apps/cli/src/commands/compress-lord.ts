/**
 * `caldera compress --method lord --param-reduction R | --ppl-budget P`: LoRD with per-layer
 * ranks, written as a LoRD checkpoint folder (`X.0.weight` / `X.1.weight` + `lord_config`).
 */
import { existsSync, statSync } from 'node:fs';
import {
  compressLord,
  LORD_DECOMPOSITIONS,
  type LordDecomposition,
  type LordSummary,
} from '@caldera/caldera';
import { CalderaError, describeValue } from '@caldera/core';
import { makeWindows, openModel } from '@caldera/io';
import { loadCalibration } from '@caldera/runtime';
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

/**
 * The LoRD flags of `caldera compress` (as commander parses them).
 *
 * @example
 * ```ts
 * const o: LordCompressOptions = { output: 'out', method: 'lord', paramReduction: '0.2', samples: '16', seq: '128' };
 * ```
 */
export interface LordCompressOptions {
  output: string;
  method: string;
  paramReduction?: string;
  pplBudget?: string;
  lordDecomposition?: string;
  rankStep?: string;
  evalData?: string;
  evalWindows?: string;
  data?: string;
  calibration?: string;
  samples: string;
  seq: string;
  keptDtype?: string;
  tokenizer?: string;
  json?: boolean;
}

/**
 * Whether the options ask for the LoRD pipeline (`--param-reduction` or `--ppl-budget`).
 *
 * @param opts - the options
 * @returns true for LoRD with a budget
 * @throws CalderaError `INVALID_ARGUMENT` when a LoRD budget flag comes with another method
 * @example
 * ```ts
 * isLordRequest({ method: 'lord', paramReduction: '0.2', output: 'o', samples: '1', seq: '8' }); // true
 * ```
 */
export function isLordRequest(opts: LordCompressOptions): boolean {
  const asked = opts.paramReduction !== undefined || opts.pplBudget !== undefined;
  if (asked && opts.method !== 'lord') {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `--param-reduction and --ppl-budget need --method lord, got ${describeValue(opts.method)}`,
    );
  }
  return asked;
}

function reductionOf(v: string): number {
  const r = Number(v);
  if (!(Number.isFinite(r) && r > 0 && r < 1)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `--param-reduction must be a fraction in (0, 1), got ${describeValue(v)}`,
    );
  }
  return r;
}

/**
 * Runs the LoRD pipeline for `caldera compress`.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the summary
 * @throws CalderaError `INVALID_ARGUMENT` for bad flags (a reduction outside (0, 1), both
 *   budgets, an unknown decomposition); pipeline errors
 * @example
 * ```ts
 * const s = await lordCompressCommand(undefined, { output: 'out', method: 'lord',
 *   paramReduction: '0.2', samples: '8', seq: '128' }, io);
 * ```
 */
export async function lordCompressCommand(
  modelArg: string | undefined,
  opts: LordCompressOptions,
  io: CliIo,
): Promise<LordSummary> {
  if (opts.paramReduction !== undefined && opts.pplBudget !== undefined) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      'give either --param-reduction or --ppl-budget, not both',
    );
  }
  const reduction =
    opts.paramReduction !== undefined ? reductionOf(opts.paramReduction) : undefined;
  const budget =
    opts.pplBudget !== undefined ? num('--ppl-budget', opts.pplBudget, false, 0) : undefined;
  if (budget !== undefined && budget <= 0) {
    throw new CalderaError('INVALID_ARGUMENT', '--ppl-budget must be a percentage > 0');
  }
  const decomposition = (opts.lordDecomposition ?? 'whitened') as LordDecomposition;
  if (!LORD_DECOMPOSITIONS.includes(decomposition)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `--lord-decomposition must be one of ${LORD_DECOMPOSITIONS.join(', ')}, got ${describeValue(opts.lordDecomposition)}`,
    );
  }
  const rankStep = opts.rankStep !== undefined ? num('--rank-step', opts.rankStep, true, 1) : 1;
  const dtype = (opts.keptDtype ?? 'f16').toUpperCase();
  if (dtype !== 'F16' && dtype !== 'F32') {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `--kept-dtype must be f16 or f32, got ${opts.keptDtype}`,
    );
  }
  const needData = opts.calibration === undefined || budget !== undefined;
  const { model, data } = resolveInputs(modelArg, opts.data, io, needData);
  const progress = progressFor(opts.json, io);
  const source = await openModel(model, { onProgress: progress.onProgress });
  try {
    const tokenizerNeeded = opts.calibration === undefined || budget !== undefined;
    const tokenizer = tokenizerNeeded ? await findTokenizer(model, opts.tokenizer) : undefined;
    let calibration: Parameters<typeof compressLord>[1];
    if (opts.calibration !== undefined) {
      calibration = await loadCalibration(opts.calibration);
    } else {
      const seqLen = num('--seq', opts.seq, true, 2);
      const count = num('--samples', opts.samples, true, 1);
      const tokens = await readTokens(data!, tokenizer!);
      calibration = { windows: makeWindows(tokens, { seqLen, count, sampling: 'sequential' }) };
    }
    const single = existsSync(model) && statSync(model).isFile();
    return await compressLord(source, calibration, {
      outDir: opts.output,
      decomposition,
      rankStep,
      dtype,
      onProgress: progress.onProgress,
      ...(reduction !== undefined ? { parameterReduction: reduction } : {}),
      ...(budget !== undefined
        ? {
            pplBudget: {
              percent: budget,
              tokens: await readTokens(opts.evalData ?? data!, tokenizer!),
              maxWindows: num('--eval-windows', opts.evalWindows ?? '16', true, 1),
            },
          }
        : {}),
      ...(single || opts.tokenizer !== undefined
        ? { tokenizerFiles: [findTokenizerPath(model, opts.tokenizer)] }
        : {}),
    });
  } finally {
    progress.stop();
    await source.close();
  }
}

/**
 * Renders a LoRD summary as text.
 *
 * @param s - the summary
 * @returns lines
 * @example
 * ```ts
 * formatLordCompress(summary).join('\n');
 * ```
 */
export function formatLordCompress(s: LordSummary): string[] {
  const rows = s.layers.map((l) => [
    l.name,
    `${l.m}×${l.n}`,
    l.rank === null ? 'dense' : String(l.rank),
    String(l.rank === null ? l.m * l.n : l.rank * (l.m + l.n)),
  ]);
  const a = s.allocation;
  return [
    ...formatTable(['tensor', 'shape', 'rank', 'parameters'], rows, [3]),
    '',
    ...(s.densePpl !== undefined
      ? [
          `perplexity budget: dense ${s.densePpl.toFixed(3)}, chosen ${s.ppl?.toFixed(3)} at reduction ${s.requestedReduction.toFixed(4)} (tried ${s.search?.map((p) => `${p.reduction.toFixed(3)}→${p.ppl.toFixed(3)}`).join(', ')})`,
        ]
      : []),
    `wrote ${s.outDir} (LoRD, ${s.decomposition}): linear parameters ${a.denseParameters} → ${a.parameters} (reduction ${(100 * a.reduction).toFixed(2)} %), model ${s.totalParametersBefore} → ${s.totalParametersAfter}, ${formatBytes(s.bytesAfter)} in ${s.seconds.toFixed(1)} s`,
  ];
}
