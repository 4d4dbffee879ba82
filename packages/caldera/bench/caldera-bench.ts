/**
 * Benchmark of the per-matrix solver.
 *
 *   pnpm --filter @caldera/caldera bench [--json] [--case 688x256|1024|4096|stories260K|pycode-6m]...
 *     [--iterations N] [--lplr N] [--svd exact|randomized] [--threads T] [--ldlq-threads T]
 *
 * `--threads` (default 2) starts the @caldera/linalg GEMM thread pool; `--ldlq-threads`
 * (default 2) is the solver's `threads` (the Q step's LDLQ rows split with a helper thread). Each row also records
 * the process CPU seconds of the run (all threads) and the 1-minute load average, since wall
 * time on a shared machine is noisy.
 *
 * Synthetic cases: W = planted low rank (m/16 components) + Student-t noise, H = XᵀX/N from
 * correlated activations with 4 dominant directions (a random SPD matrix); CALDERA with E8P
 * 2-bit Q, 4-bit E8P12RVQ4B factors, 15 iterations, 10 LPLR rounds (the target
 * setting), rank min(256, min(m, n)/4): 256 for 4096 and 1024, 64 for 688×256; any `MxN` or `N`
 * (square) case works. Model cases: every linear layer of
 * the model with a synthetic Hessian per input width, rank 32, 15/10 iterations.
 * Default cases: 688x256 and 1024.
 */

import { loadavg } from 'node:os';
import { Rng } from '@caldera/core';
import { dgemm, poolThreads, startThreads } from '@caldera/linalg';
import { calderaDecompose, ldlqDecompose } from '../src/index';
import { readPycode6m, readStories260K } from '../test/models';

interface Row {
  case: string;
  m: number;
  n: number;
  rank: number;
  seconds: number;
  cpuSeconds: number;
  loadavg1: number;
  dataAwareError: number;
  bitsPerParameter: number;
  ldlqOnlyError?: number;
  bestIteration: number;
  /** Wall seconds per phase of the solver (the `secondsX` metrics of its `done` event). */
  phases: Record<string, number>;
  /** Relative data-aware error after each step (LR, Q, LR, Q, …) in the solver's domain. */
  trace: number[];
}

function problem(m: number, n: number, seed: number): { w: Float32Array; h: Float64Array } {
  const rng = new Rng(seed);
  const r = Math.max(1, Math.floor(Math.min(m, n) / 16));
  const u = new Float64Array(m * r).map(() => rng.nextGaussian());
  const v = new Float64Array(r * n).map(() => rng.nextGaussian());
  for (let t = 0; t < r; t++) {
    const s = (3 * (1 - t / (2 * r))) / Math.sqrt(n * r);
    for (let j = 0; j < n; j++) v[t * n + j]! *= s;
  }
  const lr = new Float64Array(m * n);
  dgemm('N', 'N', m, n, r, 1, u, r, v, n, 0, lr, n);
  const w = new Float32Array(m * n);
  for (let i = 0; i < w.length; i++) {
    let chi = 0;
    for (let d = 0; d < 3; d++) chi += rng.nextGaussian() ** 2;
    w[i] = lr[i]! + rng.nextGaussian() / Math.sqrt(n) / Math.sqrt(chi / 3);
  }
  return { w, h: hessian(n, rng) };
}

function hessian(n: number, rng: Rng): Float64Array {
  const samples = Math.max(n, 256);
  const x = new Float64Array(samples * n);
  const dirs = Array.from({ length: 4 }, () => {
    const d = new Float64Array(n).map(() => rng.nextGaussian());
    const nr = Math.hypot(...d);
    return d.map((t) => t / nr);
  });
  for (let s = 0; s < samples; s++) {
    let prev = 0;
    for (let j = 0; j < n; j++) {
      prev = 0.7 * prev + 0.3 * rng.nextGaussian();
      x[s * n + j] = prev + 0.1 * rng.nextGaussian();
    }
    for (let i = 0; i < 4; i++) {
      const c = (6 / (i + 1)) * rng.nextGaussian();
      for (let j = 0; j < n; j++) x[s * n + j]! += c * dirs[i]![j]!;
    }
  }
  const h = new Float64Array(n * n);
  dgemm('T', 'N', n, n, samples, 1 / samples, x, n, x, n, 0, h, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) h[j * n + i] = h[i * n + j]!;
  return h;
}

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const TARGET = {
  iterations: Number(flag('--iterations') ?? 15),
  lplrRounds: Number(flag('--lplr') ?? 10),
  svd: (flag('--svd') ?? 'exact') as 'exact' | 'randomized',
};
const THREADS = Number(flag('--threads') ?? 2);
const LDLQ_THREADS = Number(flag('--ldlq-threads') ?? 2);

function runOne(
  name: string,
  w: Float32Array,
  m: number,
  n: number,
  h: Float64Array,
  rank: number,
  log: boolean,
): Row {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const phases: Record<string, number> = {};
  const d = calderaDecompose(w, m, n, h, {
    rank,
    ...TARGET,
    threads: LDLQ_THREADS,
    onProgress: (e) => {
      if (e.type === 'progress' && log) {
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        process.stderr.write(
          `  ${name} iteration ${e.current}/${e.total} error ${e.metrics?.error?.toFixed(4)} (${s} s)\n`,
        );
      }
      if (e.type === 'done') {
        for (const [key, v] of Object.entries(e.metrics ?? {})) {
          if (key.startsWith('seconds')) phases[key.slice(7).toLowerCase()] = Number(v.toFixed(2));
        }
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const load = loadavg()[0]!;
  const ldlq = ldlqDecompose(w, m, n, h, {});
  return {
    case: name,
    m,
    n,
    rank,
    seconds,
    cpuSeconds: (cu.user + cu.system) / 1e6,
    loadavg1: Number(load.toFixed(2)),
    dataAwareError: d.dataAwareError,
    bitsPerParameter: d.bitsPerParameter,
    ldlqOnlyError: ldlq.dataAwareError,
    bestIteration: d.bestIteration,
    phases,
    trace: d.trace.map((t) => Number(t.error.toFixed(5))),
  };
}

function modelCase(
  name: string,
  layers: { name: string; m: number; n: number; w: Float32Array }[],
  log: boolean,
): Row[] {
  const hs = new Map<number, Float64Array>();
  return layers.map((l) => {
    if (!hs.has(l.n)) hs.set(l.n, hessian(l.n, new Rng(l.n)));
    const row = runOne(
      `${name}:${l.name}`,
      l.w,
      l.m,
      l.n,
      hs.get(l.n)!,
      Math.min(32, l.m, l.n),
      false,
    );
    if (log)
      process.stderr.write(
        `  ${row.case} ${row.seconds.toFixed(1)} s error ${row.dataAwareError.toFixed(4)}\n`,
      );
    return row;
  });
}

function main(): void {
  const args = argv;
  const json = args.includes('--json');
  const cases: string[] = [];
  args.forEach((a, i) => {
    if (a === '--case' && args[i + 1]) cases.push(args[i + 1]!);
  });
  if (cases.length === 0) cases.push('688x256', '1024');
  const rows: Row[] = [];
  for (const c of cases) {
    if (c === 'stories260K') rows.push(...modelCase(c, readStories260K(), !json));
    else if (c === 'pycode-6m') rows.push(...modelCase(c, readPycode6m(), !json));
    else {
      const dims = /^(\d+)(?:x(\d+))?$/.exec(c);
      if (!dims) throw new Error(`unknown case ${c}`);
      const m = Number(dims[1]);
      const n = Number(dims[2] ?? dims[1]);
      const { w, h } = problem(m, n, 1);
      rows.push(runOne(c, w, m, n, h, Math.min(256, Math.floor(Math.min(m, n) / 4)), !json));
    }
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ benchmark: 'caldera', settings: { q: 'e8p12', lr: 'e8p12rvq4b', ...TARGET, threads: poolThreads(), ldlqThreads: LDLQ_THREADS }, rows }, null, 2)}\n`,
    );
  } else {
    for (const r of rows) {
      process.stdout.write(
        `${r.case.padEnd(48)} ${String(r.m).padStart(5)}×${String(r.n).padEnd(5)} rank ${String(r.rank).padStart(3)}  ${r.seconds.toFixed(1).padStart(7)} s  error ${r.dataAwareError.toFixed(4)} (LDLQ-only ${r.ldlqOnlyError?.toFixed(4)})  ${r.bitsPerParameter.toFixed(3)} bits\n`,
      );
    }
  }
}

await startThreads(THREADS);
main();
