/**
 * Micro-benchmark of one decode-row (rows = 1) forward per Linear kind on pycode-6m's shapes.
 *
 * Usage: `node --conditions=@caldera/source --import tsx bench/linear-micro.ts [--iters N]`
 */
import { Rng } from '@caldera/core';
import { uniformQuantize } from '@caldera/quant';
import { DenseLinear } from '../src/linear/dense-linear';
import type { Linear } from '../src/linear/linear';
import { UniformLinear } from '../src/linear/uniform-linear';
import { quickCaldera } from './caldera-variant';

const argv = process.argv.slice(2);
const i = argv.indexOf('--iters');
const ITERS = i >= 0 ? Number(argv[i + 1]) : 2000;
const shapes: [number, number][] = [
  [688, 256],
  [256, 688],
  [256, 256],
];

function time(layer: Linear): number {
  const rng = new Rng(1);
  const x = new Float32Array(layer.inFeatures);
  rng.fillGaussian(x);
  const y = new Float32Array(layer.outFeatures);
  for (let k = 0; k < 200; k++) layer.forward(x, 1, y);
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    for (let k = 0; k < ITERS; k++) layer.forward(x, 1, y);
    best = Math.min(best, ((performance.now() - t) * 1000) / ITERS);
  }
  return best;
}

for (const [m, n] of shapes) {
  const rng = new Rng(m * 7 + n);
  const w = new Float32Array(m * n);
  rng.fillGaussian(w);
  const dense = new DenseLinear(w, m, n);
  const uni = new UniformLinear(uniformQuantize(w, m, n, { bits: 4, groupSize: 64 }));
  const cal = quickCaldera(w, m, n, 32, 42);
  const td = time(dense);
  const tu = time(uni);
  const tc = time(cal);
  console.log(
    `${m}x${n}: dense ${td.toFixed(1)} µs, uniform4 ${tu.toFixed(1)} µs (${(td / tu).toFixed(2)}×), caldera ${tc.toFixed(1)} µs (${(td / tc).toFixed(2)}×)`,
  );
}
