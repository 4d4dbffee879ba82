import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressModel, loadCompressedModel } from '@caldera/caldera';
import { Rng } from '@caldera/core';
import { makeWindows, openModel } from '@caldera/io';
import { getBackend, getBackendByName, listBackends, setBackend, sgemm } from '@caldera/linalg';
import { E8P12_OPT_SCALE, e8pEncode } from '@caldera/quant';
import { generate, LlamaModel } from '@caldera/runtime';
import type { Command } from 'commander';
import { formatTable } from '../format';
import type { CliIo } from '../program';
import { defaultModelDir, findTokenizer, readTokens } from './command-helpers';

/**
 * Options of `caldera bench`.
 *
 * @example
 * ```ts
 * const o: BenchOptions = { quick: true, json: true };
 * ```
 */
export interface BenchOptions {
  quick?: boolean;
  json?: boolean;
}

/**
 * One measurement: `gflops` for GEMM, `valuesPerS` for encoding, `tokPerS` for decoding.
 *
 * @example
 * ```ts
 * const r: BenchRow = { op: 'sgemm', shape: '256x256x256', backend: 'js', threads: 1, seconds: 0.01, gflops: 3.3 };
 * ```
 */
export interface BenchRow {
  op: string;
  shape: string;
  backend: string;
  threads: number;
  seconds: number;
  gflops?: number;
  valuesPerS?: number;
  tokPerS?: number;
}

/** Runs `fn` repeatedly until `minSeconds` pass (at least once after one warm-up); mean seconds. */
async function timeIt(fn: () => unknown, minSeconds: number): Promise<number> {
  await fn();
  let reps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await fn();
    reps++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return elapsed / reps;
}

/**
 * Square single-precision GEMM, C = A·B, on every available linalg backend.
 *
 * @param sizes - the n of each n×n×n product
 * @param minSeconds - least measuring time per case
 * @returns one row per size and backend
 * @example
 * ```ts
 * const rows = await benchSgemm([128], 0.05);
 * rows[0].gflops; // > 0
 * ```
 */
export async function benchSgemm(
  sizes: readonly number[],
  minSeconds: number,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rng = new Rng(1);
  const active = getBackend().name;
  try {
    for (const name of listBackends()) {
      setBackend(name);
      const threads = getBackendByName(name).threads();
      for (const n of sizes) {
        const a = new Float32Array(n * n);
        const b = new Float32Array(n * n);
        const c = new Float32Array(n * n);
        rng.fillGaussian(a);
        rng.fillGaussian(b);
        const seconds = await timeIt(
          () => sgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n),
          minSeconds,
        );
        rows.push({
          op: 'sgemm',
          shape: `${n}x${n}x${n}`,
          backend: name,
          threads,
          seconds,
          gflops: (2 * n * n * n) / seconds / 1e9,
        });
      }
    }
  } finally {
    setBackend(active);
  }
  return rows;
}

/**
 * E8P12 encoding throughput (weights per second) on Gaussian values.
 *
 * @param vectors - 8-vectors to encode per call
 * @param minSeconds - least measuring time
 * @returns one row
 * @example
 * ```ts
 * (await benchE8pEncode(1024, 0.05)).valuesPerS; // > 0
 * ```
 */
export async function benchE8pEncode(vectors: number, minSeconds: number): Promise<BenchRow> {
  const x = new Float32Array(vectors * 8);
  new Rng(2).fillGaussian(x);
  const out = new Uint16Array(vectors);
  const seconds = await timeIt(() => e8pEncode(x, E8P12_OPT_SCALE, out), minSeconds);
  return {
    op: 'e8p-encode',
    shape: `${vectors}x8`,
    backend: 'js',
    threads: 1,
    seconds,
    valuesPerS: x.length / seconds,
  };
}

async function decodeRow(model: LlamaModel, label: string, tokens: number): Promise<BenchRow> {
  const r = await generate(model, [1], { maxTokens: tokens, temperature: 0, stopAtEos: false });
  const seconds = r.decodeMs / 1000;
  return {
    op: `decode-${label}`,
    shape: `${r.tokens.length} tokens`,
    backend: getBackend().name,
    threads: getBackend().threads(),
    seconds,
    tokPerS: seconds > 0 ? r.tokens.length / seconds : 0,
  };
}

/**
 * Greedy decoding speed of the embedded model, float and (unless quick) an LDLQ E8P 2-bit
 * variant compressed on the spot into a temporary folder.
 *
 * @param quick - float only, fewer tokens
 * @returns one row per variant
 * @example
 * ```ts
 * const rows = await benchDecode(true);
 * ```
 */
export async function benchDecode(quick: boolean): Promise<BenchRow[]> {
  const dir = defaultModelDir();
  const tokens = quick ? 16 : 64;
  const source = await openModel(dir);
  const rows: BenchRow[] = [];
  try {
    rows.push(await decodeRow(await LlamaModel.load(source), 'float', tokens));
    if (!quick) {
      const tmp = await mkdtemp(join(tmpdir(), 'caldera-bench-'));
      try {
        const text = await readTokens(join(dir, 'heldout_sample.txt'), await findTokenizer(dir));
        const windows = makeWindows(text, { seqLen: 128, count: 2, sampling: 'sequential' });
        const outDir = join(tmp, 'ldlq');
        await compressModel(
          source,
          { windows },
          { defaults: { method: 'ldlq', rank: 0, qBits: 2 }, rules: [] },
          { outDir },
        );
        rows.push(await decodeRow(await loadCompressedModel(outDir), 'ldlq-e8p-2bit', tokens));
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
  } finally {
    await source.close();
  }
  return rows;
}

/**
 * Measures this machine: sgemm GFLOP/s per backend, E8P encoding throughput and decoding speed.
 * Each row is handed to `onRow` as soon as it is measured.
 *
 * @param opts - the options
 * @param onRow - called with each row
 * @returns all rows
 * @example
 * ```ts
 * const rows = await benchCommand({ quick: true }, (r) => console.log(r));
 * ```
 */
export async function benchCommand(
  opts: BenchOptions,
  onRow: (row: BenchRow) => void = () => {},
): Promise<BenchRow[]> {
  const quick = opts.quick ?? false;
  const minSeconds = quick ? 0.05 : 0.5;
  const rows: BenchRow[] = [];
  const add = (r: BenchRow) => {
    rows.push(r);
    onRow(r);
  };
  for (const r of await benchSgemm(quick ? [128, 256] : [256, 512, 1024], minSeconds)) add(r);
  add(await benchE8pEncode(quick ? 4096 : 65536, minSeconds));
  for (const r of await benchDecode(quick)) add(r);
  return rows;
}

/**
 * Renders bench rows as a text table.
 *
 * @param rows - the rows
 * @returns lines
 * @example
 * ```ts
 * formatBench(rows).join('\n');
 * ```
 */
export function formatBench(rows: readonly BenchRow[]): string[] {
  const rate = (r: BenchRow) =>
    r.gflops !== undefined
      ? `${r.gflops.toFixed(2)} GFLOP/s`
      : r.tokPerS !== undefined
        ? `${r.tokPerS.toFixed(1)} tok/s`
        : `${((r.valuesPerS ?? 0) / 1e6).toFixed(2)} M weights/s`;
  return formatTable(
    ['op', 'shape', 'backend', 'threads', 'seconds', 'rate'],
    rows.map((r) => [
      r.op,
      r.shape,
      r.backend,
      String(r.threads),
      r.seconds.toPrecision(3),
      rate(r),
    ]),
    [3, 4, 5],
  );
}

/**
 * Adds `caldera bench` to a program.
 *
 * @param program - the commander program
 * @param io - where to print
 * @example
 * ```ts
 * registerBench(new Command('caldera'), { out: console.log, err: console.error });
 * ```
 */
export function registerBench(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description('measure sgemm per backend, E8P encoding and decoding speed on this machine')
    .option('--quick', 'smaller sizes, shorter timings, float decoding only')
    .option('--json', 'one JSON object per measurement on stdout')
    .action(async (opts: BenchOptions) => {
      const rows = await benchCommand(opts, (r) => {
        if (opts.json) io.out(`${JSON.stringify(r)}\n`);
      });
      if (!opts.json) io.out(`${formatBench(rows).join('\n')}\n`);
    });
}
