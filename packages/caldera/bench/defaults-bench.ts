/**
 * Which solver defaults give the lowest calibrated error per second? Measured on pycode-6m's
 * real layers with real Hessians (issue #10, "Defaults chosen by measurement").
 *
 *   pnpm --filter @caldera/caldera bench:defaults [--json] [--out FILE] [--calib FILE]
 *     [--layers 0.v_proj,1.q_proj,…] [--rank 16] [--iterations 15] [--base-iterations 3]
 *     [--base-lplr 3] [--lplr 1,2,3,5,10] [--tune 0,1,2,3,5,10] [--only iterations,lplr,tune,…]
 *
 * `--calib` is a `caldera calibrate` output (`calibration.safetensors`); without it the bench
 * calibrates in-process on 16 windows of 256 tokens of heldout_dev.txt (what
 * `caldera calibrate <pycode-6m> --data heldout_dev.txt --samples 16 --seq 256` does).
 * Every run: rank `--rank`, Q 2-bit E8P, L/R 4-bit E8P12RVQ4B, exact SVD, seed 42. The base
 * configuration is `--base-iterations` outer iterations and `--base-lplr` LPLR rounds with
 * the library defaults; each experiment changes one setting:
 *
 * - `iterations`: one run of `--iterations` iterations; after each iteration the best-so-far
 *   error (what a run of that many iterations returns; the solver's norm, i.e. the relative
 *   error under H/mean(diag H) + 0.01·I in the rotated basis) and the elapsed time.
 * - `lplr`: LPLR rounds per LR step (one run each).
 * - `tune`: LDLQ tune sweeps per Q step (one run each).
 * - `downdate`, `warm-start`, `rht`: on versus off (one run each).
 *
 * `--only` runs just the named experiments (`iterations`, `lplr`, `tune`, `downdate`,
 * `warm-start`, `rht`, `reference`).
 *
 * "error" is the calibrated relative error sqrt(tr(ΔHΔᵀ)/tr(WHWᵀ)) with the raw calibration H,
 * averaged over the layers; "seconds" is the sum over the layers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadTokenizer,
  makeWindows,
  openModel,
  readTextDocuments,
  tokenizeDocuments,
} from '@caldera/io';
import {
  type CalibrationStats,
  collectCalibration,
  LlamaModel,
  loadCalibration,
} from '@caldera/runtime';
import { type CalderaOptions, calderaDecompose, ldlqDecompose } from '../src/index';
import { readPycode6m } from '../test/models';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const json = argv.includes('--json');
const RANK = Number(flag('--rank') ?? 16);
const MAX_IT = Number(flag('--iterations') ?? 15);
const BASE = {
  rank: RANK,
  iterations: Number(flag('--base-iterations') ?? 3),
  lplrRounds: Number(flag('--base-lplr') ?? 3),
  downdate: false,
  lrWarmStart: false,
  rht: true,
  svd: 'exact',
  seed: 42,
} satisfies CalderaOptions;
const LPLR = (flag('--lplr') ?? '1,2,3,5,10').split(',').map(Number);
const TUNE = (flag('--tune') ?? '0,1,2,3,5,10').split(',').map(Number);
const ONLY = flag('--only')?.split(',');
const want = (name: string): boolean => ONLY === undefined || ONLY.includes(name);
const LAYERS = (
  flag('--layers') ?? '0.v_proj,1.q_proj,2.o_proj,3.up_proj,4.down_proj,5.gate_proj'
).split(',');
const SITE: Record<string, 'qkv' | 'o' | 'up' | 'down'> = {
  q_proj: 'qkv',
  k_proj: 'qkv',
  v_proj: 'qkv',
  o_proj: 'o',
  gate_proj: 'up',
  up_proj: 'up',
  down_proj: 'down',
};
const assets = fileURLToPath(
  new URL('../../../../shared/assets/models/pycode-6m/', import.meta.url),
);

async function calibration(): Promise<{ stats: CalibrationStats; how: string }> {
  const file = flag('--calib');
  if (file) return { stats: await loadCalibration(file), how: `caldera calibrate output ${file}` };
  const tok = await loadTokenizer(join(assets, 'tokenizer.model'));
  const docs = await readTextDocuments(join(assets, 'heldout_dev.txt'));
  const windows = makeWindows(tokenizeDocuments(docs, tok), {
    seqLen: 256,
    count: 16,
    sampling: 'sequential',
  });
  const source = await openModel(assets);
  const stats = await collectCalibration(await LlamaModel.load(source), windows);
  await source.close();
  return { stats, how: 'in-process: 16 windows × 256 tokens of heldout_dev.txt' };
}

interface Layer {
  name: string;
  m: number;
  n: number;
  w: Float32Array;
  h: Float64Array;
}

interface Run {
  error: number;
  seconds: number;
  bpp: number;
}

function run(l: Layer, o: CalderaOptions): Run {
  const t0 = performance.now();
  const d = calderaDecompose(l.w, l.m, l.n, l.h, { ...BASE, ...o });
  return {
    error: d.dataAwareError,
    seconds: (performance.now() - t0) / 1000,
    bpp: d.bitsPerParameter,
  };
}

/** One row of a table: a setting and its mean error / summed time over the layers. */
interface Row {
  setting: string;
  error: number;
  seconds: number;
  perLayer: Record<string, number>;
}

function row(setting: string, runs: Map<string, Run>): Row {
  const list = [...runs.values()];
  return {
    setting,
    error: list.reduce((s, r) => s + r.error, 0) / list.length,
    seconds: list.reduce((s, r) => s + r.seconds, 0),
    perLayer: Object.fromEntries([...runs].map(([k, r]) => [k, Number(r.error.toFixed(5))])),
  };
}

function log(msg: string): void {
  if (!json) process.stderr.write(`${msg}\n`);
}

async function main(): Promise<void> {
  const { stats, how } = await calibration();
  const all = readPycode6m();
  const layers: Layer[] = LAYERS.map((spec) => {
    const [block, proj] = spec.split('.') as [string, string];
    const found = all.find((t) => t.name.includes(`layers.${block}.`) && t.name.includes(proj));
    if (!found || !SITE[proj]) throw new Error(`no layer ${spec}`);
    return { ...found, h: stats.inputMoment(Number(block), SITE[proj]!) };
  });
  const tables: Record<string, Row[]> = {};
  const names = layers.map((l) => l.name.replace('model.layers.', '').replace(/\.weight$/, ''));

  // iterations: one long run per layer (restarted and warm-started LR steps), best-so-far
  // solver error after each iteration
  const finalErr = new Map<string, Run>();
  const curve = (warm: boolean): Row[] => {
    const itErr = Array.from({ length: MAX_IT }, () => [] as number[]);
    const itSec = Array.from({ length: MAX_IT }, () => 0);
    for (const [li, l] of layers.entries()) {
      const t0 = performance.now();
      let last = t0;
      const d = calderaDecompose(l.w, l.m, l.n, l.h, {
        ...BASE,
        lrWarmStart: warm,
        iterations: MAX_IT,
        onProgress: (e) => {
          if (e.type !== 'progress' || e.current === undefined) return;
          const now = performance.now();
          itErr[e.current - 1]!.push(e.metrics?.bestError ?? Number.NaN);
          itSec[e.current - 1]! += (now - t0) / 1000;
          last = now;
        },
      });
      if (!warm) {
        finalErr.set(names[li]!, {
          error: d.dataAwareError,
          seconds: (last - t0) / 1000,
          bpp: d.bitsPerParameter,
        });
      }
      log(
        `iterations ${warm ? 'warm' : 'restart'} ${names[li]}: ${d.trace.map((t) => t.error.toFixed(4)).join(' ')}`,
      );
    }
    return itErr.map((errs, i) => ({
      setting: String(i + 1),
      error: errs.reduce((s, e) => s + e, 0) / errs.length,
      seconds: itSec[i]!,
      perLayer: Object.fromEntries(errs.map((e, j) => [names[j]!, Number(e.toFixed(5))])),
    }));
  };
  if (want('iterations') || want('reference')) tables.iterations = curve(false);
  if (want('iterations')) tables.iterationsWarmStart = curve(true);

  const sweep = (label: string, opts: CalderaOptions): Row => {
    const runs = new Map<string, Run>();
    for (const [li, l] of layers.entries()) runs.set(names[li]!, run(l, opts));
    const r = row(label, runs);
    log(`${label}: error ${r.error.toFixed(4)} ${r.seconds.toFixed(1)} s`);
    return r;
  };
  const base = (): Row => {
    tables.lplr ??= want('lplr') ? LPLR.map((k) => sweep(`lplr ${k}`, { lplrRounds: k })) : [];
    return tables.lplr.find((r) => r.setting === `lplr ${BASE.lplrRounds}`) ?? sweep('base', {});
  };
  if (want('lplr')) base();
  if (want('tune')) {
    tables.tune = TUNE.map((t) => sweep(`tune ${t}`, { tuneIters: t }));
  }
  if (want('downdate')) {
    tables.downdate = [{ ...base(), setting: 'off' }, sweep('downdate on', { downdate: true })];
  }
  if (want('warm-start')) {
    tables.warmStart = [
      { ...base(), setting: 'restart (SVD)' },
      sweep('warm start', { lrWarmStart: true }),
    ];
  }
  if (want('rht')) tables.rht = [{ ...base(), setting: 'on' }, sweep('rht off', { rht: false })];
  const ldlq = new Map<string, Run>();
  for (const [li, l] of want('reference') ? layers.entries() : []) {
    const t0 = performance.now();
    const d = ldlqDecompose(l.w, l.m, l.n, l.h, {});
    ldlq.set(names[li]!, {
      error: d.dataAwareError,
      seconds: (performance.now() - t0) / 1000,
      bpp: d.bitsPerParameter,
    });
  }
  if (want('reference')) {
    tables.reference = [
      row('LDLQ-only 2-bit E8P (RHT)', ldlq),
      row(`CALDERA ${MAX_IT} iterations`, finalErr),
    ];
  }

  const result = {
    benchmark: 'caldera-defaults',
    model: 'pycode-6m',
    calibration: how,
    layers: layers.map((l, i) => ({ name: names[i], m: l.m, n: l.n })),
    base: BASE,
    quantizers: { q: 'e8p12 (2 bits)', lr: 'e8p12rvq4b (4 bits)' },
    command:
      `pnpm --filter @caldera/caldera bench:defaults ${argv.filter((a) => a !== '--json').join(' ')}`.trim(),
    tables,
  };
  const out = flag('--out');
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const [name, rows] of Object.entries(tables)) {
    process.stdout.write(
      `\n${name}\n${'setting'.padEnd(30)} ${'mean error'.padStart(10)} ${'seconds'.padStart(8)}  ${names.join('  ')}\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.setting.padEnd(30)} ${r.error.toFixed(5).padStart(10)} ${r.seconds.toFixed(1).padStart(8)}  ${names.map((n) => (r.perLayer[n] ?? Number.NaN).toFixed(4)).join('  ')}\n`,
      );
    }
  }
}

await main();
