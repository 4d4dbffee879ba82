import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DTYPE_ITEMSIZE,
  type HubOptions,
  openModel,
  readHfConfig,
  SafetensorsFile,
  type TensorInfo,
} from '@caldera/io';
import { readLordConfig } from '@caldera/runtime';
import type { Command } from 'commander';
import pc from 'picocolors';
import { formatBytes, formatCount, formatTable } from '../format';
import type { CliIo } from '../program';
import { createProgressRenderer } from '../progress-renderer';

/**
 * What `caldera inspect` reports about a model.
 *
 * @example
 * ```ts
 * const r: InspectReport = { location: 'm', format: 'safetensors', tensors: [], totalParameters: 0, totalBytes: 0 };
 * ```
 */
export interface InspectReport {
  location: string;
  format: string;
  config?: Record<string, unknown>;
  tensors: Array<TensorInfo & { parameters: number; bytes: number }>;
  totalParameters: number;
  totalBytes: number;
}

function summarise(location: string, format: string, infos: TensorInfo[]): InspectReport {
  const tensors = infos.map((t) => {
    const parameters = t.shape.reduce((a, b) => a * b, 1);
    return { ...t, parameters, bytes: parameters * DTYPE_ITEMSIZE[t.dtype] };
  });
  return {
    location,
    format,
    tensors,
    totalParameters: tensors.reduce((a, t) => a + t.parameters, 0),
    totalBytes: tensors.reduce((a, t) => a + t.bytes, 0),
  };
}

async function isLocalDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Inspects a model: a Hugging Face folder, a LoRD checkpoint folder (its stored factors
 * `X.0.weight`/`X.1.weight`, format `caldera-lord`), a `.safetensors` file, a llama2.c `.bin`,
 * or a Hub id.
 *
 * @param path - the model's location
 * @param options - progress and cancellation (for Hub downloads)
 * @returns the tensors with their parameter counts and sizes, and the model config when known
 * @throws CalderaError from `@caldera/io` when the model cannot be read
 * @example
 * ```ts
 * const report = await inspectModel('models/pycode-6m');
 * report.totalParameters; // 6,450,432 for the embedded model
 * ```
 */
export async function inspectModel(path: string, options: HubOptions = {}): Promise<InspectReport> {
  if (path.endsWith('.safetensors')) {
    const file = await SafetensorsFile.open(path);
    try {
      return summarise(path, 'safetensors', file.tensors());
    } finally {
      await file.close();
    }
  }
  // a LoRD folder's projections are factor pairs, which the Hugging Face loader rejects
  const lord = (await isLocalDir(path)) ? await readLordConfig(path) : null;
  if (lord !== null) {
    const file = await SafetensorsFile.open(join(path, 'model.safetensors'));
    try {
      const report = summarise(path, 'caldera-lord', file.tensors());
      report.config = { ...(lord.llama_config ?? (await readHfConfig(join(path, 'config.json')))) };
      return report;
    } finally {
      await file.close();
    }
  }
  const model = await openModel(path, options);
  try {
    const report = summarise(model.location, model.format, model.tensors());
    report.config = { ...model.config };
    return report;
  } finally {
    await model.close();
  }
}

/**
 * Renders an {@link InspectReport} as text.
 *
 * @param report - the report
 * @returns lines of text
 * @example
 * ```ts
 * formatInspect(await inspectModel('models/pycode-6m')).join('\n');
 * ```
 */
export function formatInspect(report: InspectReport): string[] {
  const lines = [`${pc.bold(report.location)} (${report.format})`];
  if (report.config) {
    const c = report.config;
    lines.push(
      `  ${c.modelType}: hidden ${c.hiddenSize}, ${c.numLayers} layers, ${c.numHeads} heads (${c.numKvHeads} kv), ` +
        `ffn ${c.intermediateSize}, vocab ${c.vocabSize}, rope ${c.ropeStyle} θ=${c.ropeTheta}, ` +
        `${c.tieWordEmbeddings ? 'tied' : 'untied'} head`,
    );
  }
  lines.push('');
  const rows = report.tensors.map((t) => [
    t.name,
    `[${t.shape.join(', ')}]`,
    t.dtype,
    formatCount(t.parameters),
    formatBytes(t.bytes),
  ]);
  lines.push(...formatTable(['tensor', 'shape', 'dtype', 'parameters', 'size'], rows, [3, 4]));
  lines.push('');
  lines.push(
    `${report.tensors.length} tensors, ${formatCount(report.totalParameters)} parameters, ${formatBytes(report.totalBytes)}`,
  );
  return lines;
}

/**
 * Adds `caldera inspect <model>` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerInspect(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description('list tensors, shapes, dtypes, parameters and size of a model')
    .argument('<model>', 'a model folder, .safetensors file, llama2.c .bin, or Hub id (org/name)')
    .option('--json', 'print the report as JSON')
    .option('--offline', 'use only the local Hub cache')
    .action(async (model: string, opts: { json?: boolean; offline?: boolean }) => {
      const progress = createProgressRenderer(
        opts.json ? 'silent' : process.stderr.isTTY ? 'bars' : 'silent',
      );
      try {
        const report = await inspectModel(model, {
          onProgress: progress.onProgress,
          ...(opts.offline ? { offline: true } : {}),
        });
        io.out(
          opts.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `${formatInspect(report).join('\n')}\n`,
        );
      } finally {
        progress.stop();
      }
    });
}
