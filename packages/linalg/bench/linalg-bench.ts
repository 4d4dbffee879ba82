/**
 * Benchmarks of @caldera/linalg: sgemm n = 512/1024/2048 per backend and thread count, dgemm,
 * Cholesky n = 2048, and the extra cases of extra-benches.ts (FWHT, eig, randomized SVD).
 *
 * Usage: `pnpm --filter @caldera/linalg bench [--json] [--quick] [--reps=N] [--extra-threads=1,2]
 * [--only=sgemm,spotrf,...]`.
 * `--json` prints one object per line: `{op, shape, backend, threads, seconds, gflops, cpuSeconds,
 * load1}` (the best wall time of `--reps` repetitions after a warm-up, default 5; `cpuSeconds` is
 * the process CPU time of that repetition, all threads; `load1` the 1-minute load average just
 * before it); otherwise a table. The machine may be shared: wall ≫ cpu/threads means contention.
 * The extra cases (FWHT, eig, randomized SVD) run once per thread count of `--extra-threads`.
 */
import { loadavg } from 'node:os';
import { Rng } from '@caldera/core';
import * as lib from '../src/index';
import { EXTRA_BENCHES } from './extra-benches';

interface Row {
  op: string;
  shape: string;
  backend: string;
  threads: number;
  seconds: number;
  gflops: number;
  /** Process CPU seconds of the timed run (all threads): wall ≫ cpu/threads means contention. */
  cpuSeconds?: number;
  /** 1-minute load average just before the timed run. */
  load1?: number;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const quick = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = onlyArg === undefined ? undefined : new Set(onlyArg.slice(7).split(','));
const repsArg = argv.find((a) => a.startsWith('--reps='));
const REPS = repsArg === undefined ? (quick ? 2 : 5) : Math.max(1, Number(repsArg.slice(7)));
const extraArg = argv.find((a) => a.startsWith('--extra-threads='));
const extraThreads = (extraArg === undefined ? '1,2' : extraArg.slice(16)).split(',').map(Number);
const rows: Row[] = [];

function want(op: string): boolean {
  return only === undefined || only.has(op);
}

function rand(len: number, seed: number): Float32Array {
  return new Rng(seed).fillGaussian(new Float32Array(len));
}

let lastCpu = 0;
let lastLoad = 0;

/** Best wall time of `reps` runs after a warm-up; `lastCpu` gets the matching process CPU time. */
function time(fn: () => void, reps: number): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const load = loadavg()[0]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const wall = (performance.now() - t0) / 1000;
    if (wall < best) {
      best = wall;
      lastCpu = process.cpuUsage(c0).user / 1e6;
      lastLoad = load;
    }
  }
  return best;
}

function emit(row: Row): void {
  row.cpuSeconds = Number(lastCpu.toFixed(4));
  row.load1 = Number(lastLoad.toFixed(2));
  rows.push(row);
  if (json) console.log(JSON.stringify(row));
  else {
    const g = row.gflops > 0 ? row.gflops.toFixed(1) : '-';
    const cpuG = row.gflops > 0 ? ((row.gflops * row.seconds) / lastCpu).toFixed(1) : '-';
    console.log(
      `${row.op.padEnd(10)} ${row.shape.padEnd(12)} ${row.backend.padEnd(5)} ${String(row.threads).padStart(2)}  ${row.seconds.toFixed(4).padStart(9)} s  ${g.padStart(7)} GFLOP/s  (cpu ${lastCpu.toFixed(3)} s, ${cpuG} GFLOP per cpu-s, load ${lastLoad.toFixed(2)})`,
    );
  }
}

function spd(n: number): Float64Array {
  const k = n + 16;
  const x = new Rng(7).fillGaussian(new Float64Array(n * k));
  const a = new Float64Array(n * n);
  lib.dgemm('N', 'T', n, n, k, 1 / k, x, k, x, k, 0, a, n);
  return a;
}

async function main(): Promise<void> {
  if (!json) {
    console.log(`backends: ${lib.listBackends().join(', ')} (machine may be shared: numbers vary)`);
    console.log('op         shape        bknd  th    seconds      GFLOP/s');
  }
  const sizes = quick ? [512, 1024] : [512, 1024, 2048];
  const configs: [string, number][] = [
    ['js', 1],
    ['wasm', 1],
    ['wasm', 2],
  ];
  for (const [backend, threads] of configs) {
    if (!lib.listBackends().includes(backend)) continue;
    lib.setBackend(backend);
    const got = backend === 'wasm' ? await lib.startThreads(threads) : 1;
    if (got !== threads) continue;
    if (want('sgemm')) {
      for (const n of sizes) {
        if (backend === 'js' && n > 1024) continue;
        const a = rand(n * n, 1);
        const b = rand(n * n, 2);
        const c = new Float32Array(n * n);
        const s = time(() => lib.sgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n), REPS);
        emit({
          op: 'sgemm',
          shape: `${n}^3`,
          backend,
          threads,
          seconds: s,
          gflops: (2 * n ** 3) / s / 1e9,
        });
      }
    }
    if (want('dgemm')) {
      const n = 1024;
      const a = Float64Array.from(rand(n * n, 1));
      const b = Float64Array.from(rand(n * n, 2));
      const c = new Float64Array(n * n);
      const s = time(() => lib.dgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n), REPS);
      emit({
        op: 'dgemm',
        shape: `${n}^3`,
        backend,
        threads,
        seconds: s,
        gflops: (2 * n ** 3) / s / 1e9,
      });
    }
    for (const [op, n] of [
      ['spotrf', backend === 'js' ? 1024 : 2048],
      ['dpotrf', backend === 'js' ? 1024 : 2048],
    ] as const) {
      if (!want(op) || (quick && n > 1024)) continue;
      const a64 = spd(n);
      const a32 = Float32Array.from(a64);
      const s =
        op === 'spotrf'
          ? time(() => lib.spotrf(n, a32.slice()), REPS)
          : time(() => lib.dpotrf(n, a64.slice()), REPS);
      emit({ op, shape: `${n}x${n}`, backend, threads, seconds: s, gflops: n ** 3 / 3 / s / 1e9 });
    }
  }
  await lib.stopThreads();
  lib.setBackend(undefined);
  const backend = lib.getBackend().name;
  for (const threads of extraThreads) {
    const got = await lib.startThreads(threads);
    if (got !== threads) continue;
    for (const c of EXTRA_BENCHES) {
      if (!want(c.op)) continue;
      const fn = c.setup(lib as unknown as Record<string, unknown>);
      if (fn === undefined) {
        if (!json)
          console.log(`${c.op.padEnd(10)} ${c.shape.padEnd(12)} (not exported yet: skipped)`);
        continue;
      }
      const s = time(fn, Math.min(REPS, 3));
      emit({
        op: c.op,
        shape: c.shape,
        backend,
        threads,
        seconds: s,
        gflops: c.flops > 0 ? c.flops / s / 1e9 : 0,
      });
    }
  }
  await lib.stopThreads();
}

await main();
