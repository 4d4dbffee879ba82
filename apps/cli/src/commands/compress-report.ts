/**
 * The before/after report of `caldera compress`: perplexity of the float model and of the
 * compressed checkpoint on held-out tokens (those after the calibration windows), KL and top-1
 * agreement between them, and their sizes.
 */
import type { CompressSummary } from '@caldera/caldera';
import { formatBytes } from '../format';
import type { CliIo } from '../program';
import { evalCommand } from './eval';

/**
 * Quality and size before and after compression.
 *
 * @example
 * ```ts
 * const q: BeforeAfter = { ppl_before: 16.8, ppl_after: 19.2, kl: 0.12, top1: 0.81, tokens: 2040,
 *   offset: 2048, bytes_before: 12900864, bytes_after: 5564832, bits_per_param_before: 16,
 *   bits_per_param_after: 6.9 };
 * ```
 */
export interface BeforeAfter {
  ppl_before: number;
  ppl_after: number;
  /** KL(float ‖ compressed), nats per token. */
  kl: number;
  /** Fraction of positions where both models predict the same next token. */
  top1: number;
  /** Tokens scored. */
  tokens: number;
  /** Tokens skipped first (the calibration's). */
  offset: number;
  bytes_before: number;
  bytes_after: number;
  bits_per_param_before: number;
  bits_per_param_after: number;
}

/**
 * Evaluates a compression: both models on `data` after the first `offset` tokens.
 *
 * @param model - the float model
 * @param summary - the compression's summary (its `outDir` is the checkpoint)
 * @param data - the text
 * @param offset - tokens to skip (the calibration windows)
 * @param windows - windows of `seq` tokens to score
 * @param seq - context length
 * @param json - JSON progress lines
 * @param io - where to print
 * @returns the report
 * @throws CalderaError `DATASET_TOO_SHORT` when no window fits after `offset`
 * @example
 * ```ts
 * const q = await beforeAfter('models/pycode-6m', summary, 'heldout.txt', 2048, 8, 256, false, io);
 * ```
 */
export async function beforeAfter(
  model: string,
  summary: CompressSummary,
  data: string,
  offset: number,
  windows: number,
  seq: number,
  json: boolean | undefined,
  io: CliIo,
): Promise<BeforeAfter> {
  const r = await evalCommand(
    summary.outDir,
    {
      base: model,
      data,
      seq: String(seq),
      windows: String(windows),
      offset: String(offset),
      ...(json ? { json } : {}),
    },
    io,
  );
  return {
    ppl_before: r.base_ppl!,
    ppl_after: r.ppl,
    kl: r.kl!,
    top1: r.top1!,
    tokens: r.tokens,
    offset,
    bytes_before: summary.bytesBefore,
    bytes_after: summary.bytesAfter,
    bits_per_param_before: (8 * summary.bytesBefore) / summary.totalParameters,
    bits_per_param_after: summary.modelBitsPerParameter,
  };
}

/**
 * Renders a {@link BeforeAfter} report.
 *
 * @param q - the report
 * @returns lines
 * @example
 * ```ts
 * formatBeforeAfter(q); // ['quality on 2040 held-out tokens …', …]
 * ```
 */
export function formatBeforeAfter(q: BeforeAfter): string[] {
  return [
    `quality on ${q.tokens} held-out tokens (after the ${q.offset} calibration tokens):`,
    `  before: perplexity ${q.ppl_before.toFixed(3)}, ${formatBytes(q.bytes_before)} (${q.bytes_before} bytes), ${q.bits_per_param_before.toFixed(3)} bits/param`,
    `  after:  perplexity ${q.ppl_after.toFixed(3)}, ${formatBytes(q.bytes_after)} (${q.bytes_after} bytes), ${q.bits_per_param_after.toFixed(3)} bits/param`,
    `  KL(before ‖ after) ${q.kl.toFixed(4)} nats/token, top-1 agreement ${(100 * q.top1).toFixed(1)}%`,
  ];
}
