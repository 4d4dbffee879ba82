import { CalderaError, describeValue } from '@caldera/core';
import { DEFAULT_VARIANTS, exportOnnx, type OnnxVariant } from '@caldera/onnx';
import type { Command } from 'commander';
import type { CliIo } from '../program';
import { findTokenizerPath, progressFor, resolveInputs } from './command-helpers';

/**
 * Options of `caldera export onnx`.
 *
 * @example
 * ```ts
 * const o: ExportOnnxCliOptions = { output: 'out/onnx', caldera: 'decode', fp16: true, overwrite: false };
 * ```
 */
export interface ExportOnnxCliOptions {
  output: string;
  caldera?: string;
  fp16?: boolean;
  overwrite?: boolean;
  tokenizer?: string;
  json?: boolean;
}

/**
 * What `caldera export onnx` returns.
 *
 * @example
 * ```ts
 * const r: ExportOnnxCliResult = { dir: '/abs/out', compressed: false, files: [] };
 * ```
 */
export interface ExportOnnxCliResult {
  dir: string;
  compressed: boolean;
  files: { file: string; model_bytes: number; data_bytes: number }[];
}

/**
 * Exports a model (float folder, llama2.c `.bin` or compressed checkpoint) to ONNX in the
 * transformers.js folder layout.
 *
 * @param modelArg - the model (default: the embedded model)
 * @param opts - the options
 * @param io - where to print
 * @returns the files written
 * @throws CalderaError `INVALID_ARGUMENT` for a bad `--caldera` mode; the exporter's codes
 * @example
 * ```ts
 * await exportOnnxCommand(undefined, { output: 'out/pycode-onnx' }, io);
 * ```
 */
export async function exportOnnxCommand(
  modelArg: string | undefined,
  opts: ExportOnnxCliOptions,
  io: CliIo,
): Promise<ExportOnnxCliResult> {
  const { model } = resolveInputs(modelArg, undefined, io, false);
  const mode = opts.caldera ?? 'decode';
  if (!['decode', 'decode-rht', 'dense'].includes(mode)) {
    throw new CalderaError(
      'INVALID_ARGUMENT',
      `--caldera must be decode, decode-rht or dense, got ${describeValue(mode)}`,
    );
  }
  let tokenizerFiles: string[] = [];
  try {
    const t = findTokenizerPath(model, opts.tokenizer);
    if (!t.endsWith('/') && /\.(bin|model|json)$/.test(t)) tokenizerFiles = [t];
  } catch {
    // a model without a tokenizer exports without one
  }
  const variants: OnnxVariant[] = [
    {
      suffix: '',
      weightDtype: 'float32',
      caldera: mode as OnnxVariant['caldera'],
      uniform: 'matmulnbits',
    },
    ...(opts.fp16 === false ? [] : [DEFAULT_VARIANTS.float[1]!]),
  ];
  const progress = progressFor(opts.json, io);
  try {
    const r = await exportOnnx(model, opts.output, {
      variants,
      overwrite: opts.overwrite ?? false,
      tokenizerFiles,
      onProgress: progress.onProgress,
    });
    return {
      dir: r.dir,
      compressed: r.compressed,
      files: r.files.map((f) => ({
        file: f.file,
        model_bytes: f.modelBytes,
        data_bytes: f.dataBytes,
      })),
    };
  } finally {
    progress.stop();
  }
}

/**
 * Adds `caldera export onnx [model] -o <dir>` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerExportOnnx(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerExportOnnx(program: Command, io: CliIo): void {
  const exp = program.command('export').description('export a model to another format');
  exp
    .command('onnx')
    .description('export to ONNX (KV-cache decoder, transformers.js folder layout)')
    .argument('[model]', 'model or compressed checkpoint (default: the embedded model)')
    .requiredOption('-o, --output <dir>', 'output folder')
    .option(
      '--caldera <mode>',
      'CALDERA layers: decode (codes in the graph), decode-rht, dense',
      'decode',
    )
    .option('--no-fp16', 'skip onnx/model_fp16.onnx')
    .option('--overwrite', 'replace an existing output folder')
    .option(
      '--tokenizer <file>',
      'tokenizer file to copy (default: the one found beside the model)',
    )
    .option('--json', 'JSON progress lines on stderr and a JSON result on stdout')
    .action(async (model: string | undefined, opts: ExportOnnxCliOptions) => {
      const r = await exportOnnxCommand(model, opts, io);
      if (opts.json) io.out(`${JSON.stringify(r)}\n`);
      else {
        for (const f of r.files)
          io.out(`${f.file}  ${(f.model_bytes + f.data_bytes).toLocaleString('en-US')} bytes\n`);
        io.out(`wrote ${r.dir}\n`);
      }
    });
}
