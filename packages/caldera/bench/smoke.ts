import { Rng } from '@caldera/core';
import { decompose } from '../src/index';
import { correlatedHessian } from '../test/synthetic';
import { readStories260K, readPycode6m } from '../test/models';
const ls = readStories260K();
console.log(ls.length, ls.map(l=>`${l.name}:${l.m}x${l.n}`).slice(0,8).join(' '));
const hs = new Map<number, Float64Array>();
let t0 = performance.now();
for (const l of ls) {
  if (!hs.has(l.n)) hs.set(l.n, correlatedHessian(l.n, 2*l.n, new Rng(l.n)));
  const d = decompose('caldera', l.w, l.m, l.n, hs.get(l.n)!, { rank: 8, iterations: 2, lplrRounds: 3 });
  if (l.name.includes('layers.0')) console.log(l.name, d.dataAwareError.toFixed(4), d.bitsPerParameter.toFixed(3), d.rotation.mp, d.rotation.np);
}
console.log('stories all', ((performance.now()-t0)/1000).toFixed(1));
const ps = readPycode6m('layers.0.');
t0 = performance.now();
for (const l of ps) {
  if (!hs.has(l.n)) hs.set(l.n, correlatedHessian(l.n, 2*l.n, new Rng(l.n)));
  const t1 = performance.now();
  const d = decompose('caldera', l.w, l.m, l.n, hs.get(l.n)!, { rank: 32, iterations: 2, lplrRounds: 3 });
  console.log(l.name, l.m, l.n, d.dataAwareError.toFixed(4), d.bitsPerParameter.toFixed(3), ((performance.now()-t1)/1000).toFixed(2));
}
