import { Rng } from '@caldera/core';
import { dgemm } from '@caldera/linalg';
import { ldlqE8 } from '../src/ldlq';

const n = Number(process.argv[2] ?? 1024);
const rng = new Rng(n);
const w = rng.fillGaussian(new Float32Array(n * n));
const s = 2 * n;
const xin = rng.fillGaussian(new Float64Array(s * n));
for (let i = 0; i < s; i++)
  for (let j = 1; j < n; j++) xin[i * n + j] = 0.7 * xin[i * n + j - 1]! + xin[i * n + j]!;
const h = new Float64Array(n * n);
dgemm('T', 'N', n, n, s, 1 / s, xin, n, xin, n, 0, h, n);
for (let i = 0; i < n; i++) h[i * n + i] = h[i * n + i]! + 1e-2;
const res = ldlqE8('e8p12', w, n, n, h, { tuneIters: 10 });
console.log(
  res.timings,
  res.lossHistory.map((x) => x.toPrecision(6)),
);
