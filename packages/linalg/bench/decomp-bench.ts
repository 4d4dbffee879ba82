/**
 * Benchmarks of the decompositions and Hadamard transforms of @caldera/linalg: randomized SVD
 * (rank 256 of 4096×4096), exact symmetric eig (n = 1024), FWHT of 4096 rows of 4096, RHT of rows
 * of 11008 (K = 172), thin QR of 4096×266 and exact SVD of 256×256.
 *
 * Usage: `npx tsx --conditions=@caldera/source bench/decomp-bench.ts [--json] [--quick] [--threads=2]
 * [--only=fwht,eig-sym,...]` (`--threads` starts the wasm GEMM worker pool).
 * Output format as bench/linalg-bench.ts: a table, or with `--json` one object per line
 * `{op, shape, backend, threads, seconds, gflops}` (best of the repetitions after a warm-up).
 */
import { Rng } from '@caldera/core';
import { getBackend } from '../src/backend/registry';
import { poolThreads, startThreads, stopThreads } from '../src/backend/thread-pool';
import { orthonormalize, randomizedSvd, svd, symmetricEigen } from '../src/decomp/index';
import { fwht, rhtRows } from '../src/hadamard/index';

interface Row {
  op: string;
  shape: string;
  backend: string;
  threads: number;
  seconds: number;
  gflops: number;
  /** Process CPU seconds of the timed run (all threads): wall ≫ cpu/threads means contention. */
  cpuSeconds: number;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const quick = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='));
const only = onlyArg === undefined ? undefined : new Set(onlyArg.slice(7).split(','));
const threadsArg = argv.find((a) => a.startsWith('--threads='));
const threads = threadsArg === undefined ? 1 : Number(threadsArg.slice(10));

let lastCpu = 0;

/** Best wall time of `reps` runs after a warm-up; `lastCpu` gets the matching process CPU time. */
function time(fn: () => void, reps: number): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const wall = (performance.now() - t0) / 1000;
    if (wall < best) {
      best = wall;
      lastCpu = process.cpuUsage(c0).user / 1e6;
    }
  }
  return best;
}

function emit(op: string, shape: string, seconds: number, flops: number): void {
  const row: Row = {
    op,
    shape,
    backend: getBackend().name,
    threads: poolThreads(),
    seconds,
    gflops: flops > 0 ? flops / seconds / 1e9 : 0,
    cpuSeconds: Number(lastCpu.toFixed(4)),
  };
  if (json) console.log(JSON.stringify(row));
  else {
    const g = row.gflops > 0 ? row.gflops.toFixed(1) : '-';
    console.log(
      `${row.op.padEnd(10)} ${row.shape.padEnd(12)} ${row.backend.padEnd(5)} ${String(row.threads).padStart(2)}  ${row.seconds.toFixed(4).padStart(9)} s  ${g.padStart(7)} GFLOP/s  (cpu ${row.cpuSeconds.toFixed(3)} s)`,
    );
  }
}

interface Case {
  op: string;
  shape: string;
  flops: number;
  reps: number;
  setup(): () => void;
}

const cases: Case[] = [
  {
    op: 'fwht',
    shape: '4096x4096',
    flops: 4096 * 4096 * 12,
    reps: quick ? 1 : 3,
    setup() {
      const x = new Rng(1).fillGaussian(new Float32Array(4096 * 4096));
      return () => fwht(x, 4096, 4096, true);
    },
  },
  {
    op: 'rht-rows',
    shape: '1024x11008',
    flops: 0,
    reps: quick ? 1 : 3,
    setup() {
      const rng = new Rng(2);
      const x = rng.fillGaussian(new Float32Array(1024 * 11008));
      const s = rng.signs(11008);
      return () => rhtRows(x, 1024, 11008, s);
    },
  },
  {
    op: 'eig-sym',
    shape: '1024x1024',
    flops: 0,
    reps: quick ? 1 : 2,
    setup() {
      const n = 1024;
      const b = new Rng(3).fillGaussian(new Float64Array(n * n));
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j]! + b[j * n + i]!;
      return () => symmetricEigen(a, n);
    },
  },
  {
    op: 'qr-thin',
    shape: '4096x266',
    flops: 4 * 4096 * 266 * 266 - (4 / 3) * 266 ** 3,
    reps: quick ? 1 : 3,
    setup() {
      const a = new Rng(4).fillGaussian(new Float32Array(4096 * 266));
      return () => orthonormalize(a, 4096, 266);
    },
  },
  {
    op: 'svd-exact',
    shape: '256x256',
    flops: 0,
    reps: 1,
    setup() {
      const a = new Rng(5).fillGaussian(new Float64Array(256 * 256));
      return () => svd(a, 256, 256);
    },
  },
  {
    op: 'rsvd-256',
    shape: '4096x4096',
    flops: 0,
    reps: quick ? 1 : 2,
    setup() {
      const a = new Rng(6).fillGaussian(new Float32Array(4096 * 4096));
      return () => randomizedSvd(a, 4096, 4096, 256, { seed: 1 });
    },
  },
];

if (threads > 1) await startThreads(threads);
if (!json) console.log('op         shape        back  th    seconds        GFLOP/s');
for (const c of cases) {
  if (only !== undefined && !only.has(c.op)) continue;
  const fn = c.setup();
  emit(c.op, c.shape, time(fn, c.reps), c.flops);
}
if (threads > 1) await stopThreads();
