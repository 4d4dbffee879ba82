/**
 * Benchmarks of @caldera/quant. Run: `pnpm --filter @caldera/quant bench [--json] [--quick]
 * [--ldlq=N,…] [--case=name] [--threads=T] [--ldlq-threads=T]`. With `--json` one JSON object
 * per case is printed per line. `--threads` (default 2) starts the @caldera/linalg GEMM thread
 * pool; `--ldlq-threads` (default 2) is the LDLQ front ends' `threads` option (rows split
 * with a helper thread); the E8P
 * encoder itself runs on the calling thread (its rate is per thread). Every case reports wall
 * and process CPU seconds (CPU time counts all threads) and the 1-minute load average, since
 * wall time on a shared machine is noisy.
 *
 * Cases: E8P encode/decode throughput, RVQ encode, uniform quantise, the full 20,000-vector
 * brute-force agreement check of the fast E8P encoder, and LDLQ (E8P, 10 tune sweeps).
 */

import { loadavg } from 'node:os';
import { Rng } from '@caldera/core';
import { dgemm, poolThreads, startThreads } from '@caldera/linalg';
import { e8Dequantize, e8Quantize } from '../src/e8-matrix';
import { e8pDecode, e8pDecodeTable } from '../src/e8p-codebook';
import { e8pEncode, e8pEncodeOne } from '../src/e8p-encode';
import { ldlqE8, weightedError } from '../src/ldlq';
import { rvqEncode } from '../src/rvq';
import { uniformQuantize } from '../src/uniform';
import { bruteForceNearest } from '../test/e8p-oracle';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--case='))?.slice(7);
const ldlqSizes = (
  args.find((a) => a.startsWith('--ldlq='))?.slice(7) ?? (quick ? '256' : '512,1024,2048')
)
  .split(',')
  .map(Number);

const threads = Number(args.find((a) => a.startsWith('--threads='))?.slice(10) ?? 2);
/** The LDLQ front ends' `threads` (`--ldlq-threads`, default 2: rows split with a helper thread). */
const ldlqThreads = Number(args.find((a) => a.startsWith('--ldlq-threads='))?.slice(15) ?? 2);
await startThreads(threads);

function report(result: Record<string, unknown>): void {
  result.threads = poolThreads();
  result.loadavg1 = Number(loadavg()[0]!.toFixed(2));
  if (json) console.log(JSON.stringify(result));
  else {
    const { case: name, ...rest } = result;
    console.log(
      `${String(name).padEnd(28)} ${Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`)
        .join(' ')}`,
    );
  }
}

/** Best of `reps` runs: the least wall and the least process-CPU seconds (each a best-of). */
function time(fn: () => void, reps = 3): { wall: number; cpu: number } {
  const best = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    best.wall = Math.min(best.wall, wall);
    best.cpu = Math.min(best.cpu, (cu.user + cu.system) / 1e6);
  }
  return best;
}

const want = (name: string): boolean => only === undefined || name.startsWith(only);

const nVec = quick ? 100_000 : 1_000_000;
const x = new Rng(1).fillGaussian(new Float32Array(nVec * 8));
const codes = new Uint16Array(nVec);

if (want('e8p-encode')) {
  e8pEncode(x, 1 / 1.03, codes);
  const t = time(() => e8pEncode(x, 1 / 1.03, codes), 7);
  report({
    case: 'e8p-encode',
    vectors: nVec,
    seconds: t.wall,
    cpuSeconds: t.cpu,
    vectorsPerSec: nVec / t.wall,
    weightsPerSec: (8 * nVec) / t.wall,
    vectorsPerCpuSec: nVec / t.cpu,
  });
}
if (want('e8p-decode')) {
  const out = new Float32Array(nVec * 8);
  e8pDecode(codes, 1, out);
  const t = time(() => e8pDecode(codes, 1, out));
  report({
    case: 'e8p-decode-abs-rows',
    vectors: nVec,
    seconds: t.wall,
    weightsPerSec: (8 * nVec) / t.wall,
  });
  e8pDecodeTable(codes, 1, out);
  const t2 = time(() => e8pDecodeTable(codes, 1, out));
  report({
    case: 'e8p-decode-table',
    vectors: nVec,
    seconds: t2.wall,
    weightsPerSec: (8 * nVec) / t2.wall,
  });
}
for (const v of ['rvq4b', 'rvq3b'] as const) {
  if (!want(`${v}-encode`)) continue;
  const n = nVec / 4;
  const xs = x.subarray(0, n * 8);
  const out = new Uint32Array(n);
  const t = time(() => rvqEncode(v, xs, 1, out));
  report({ case: `${v}-encode`, vectors: n, seconds: t.wall, weightsPerSec: (8 * n) / t.wall });
}
if (want('uniform')) {
  const rows = quick ? 256 : 1024;
  const cols = 1024;
  const w = x.subarray(0, rows * cols);
  for (const [label, o] of [
    ['uniform4-g128-absmax', { bits: 4, groupSize: 128 }],
    ['uniform4-g128-minmax', { bits: 4, groupSize: 128, scheme: 'asymmetric' }],
    ['uniform2-g128-mse32', { bits: 2, groupSize: 128, search: 'mse' }],
  ] as const) {
    const t = time(() => uniformQuantize(w, rows, cols, o));
    report({
      case: label,
      weights: rows * cols,
      seconds: t.wall,
      weightsPerSec: (rows * cols) / t.wall,
    });
  }
}
if (want('e8p-bruteforce-check')) {
  const n = quick ? 2000 : 20_000;
  const xs = new Rng(20_000).fillGaussian(new Float64Array(n * 8), 0, 1.03);
  let mismatches = 0;
  const t0 = performance.now();
  for (let k = 0; k < n; k++)
    if (e8pEncodeOne(xs, 8 * k) !== bruteForceNearest(xs, 8 * k)) mismatches++;
  report({
    case: 'e8p-bruteforce-check',
    vectors: n,
    mismatches,
    seconds: (performance.now() - t0) / 1000,
  });
}
if (want('ldlq')) {
  for (const n of ldlqSizes) {
    const rows = n;
    const rng = new Rng(n);
    const w = rng.fillGaussian(new Float32Array(rows * n));
    // H = XᵀX / s + 1e-2·I with s = 2n samples of correlated inputs
    const s = 2 * n;
    const xin = rng.fillGaussian(new Float64Array(s * n));
    for (let i = 0; i < s; i++)
      for (let j = 1; j < n; j++) xin[i * n + j] = 0.7 * xin[i * n + j - 1]! + xin[i * n + j]!;
    const h = new Float64Array(n * n);
    dgemm('T', 'N', n, n, s, 1 / s, xin, n, xin, n, 0, h, n);
    for (let i = 0; i < n; i++) h[i * n + i] = h[i * n + i]! + 1e-2;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = ldlqE8('e8p12', w, rows, n, h, { tuneIters: 10, threads: ldlqThreads });
    const cu = process.cpuUsage(c0);
    const seconds = (performance.now() - t0) / 1000;
    const err = weightedError(w, res.dequantized, rows, n, h);
    const nearest = e8Dequantize(e8Quantize('e8p12', w, rows, n, res.quantized.scale));
    const near = weightedError(w, nearest, rows, n, h);
    report({
      case: `ldlq-e8p12-${rows}x${n}-tune10`,
      ldlqThreads,
      seconds,
      cpuSeconds: (cu.user + cu.system) / 1e6,
      phases: json ? res.timings : JSON.stringify(res.timings),
      lossHistory: json ? res.lossHistory : undefined,
      hError: err,
      nearestHError: near,
      ratio: err / near,
    });
  }
}
